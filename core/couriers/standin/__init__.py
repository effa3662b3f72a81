"""Loopback stand-ins for the couriers (core/couriers), on core/standin.py, sharing one parcel-journey simulator.

``SfExpressStandIn`` is SF's ``/std/service``: it checks a call as SF does (the parameters A1001, the partner
A1004, the timestamp A1002, the digest A1006, a requestID used once A1007), then the service: a booking (contacts
1010-1016, a taken orderId 8016, a cancelled one 8037, an address in ``out_of_area``: filterResult 3 and no
waybill), the order's search, a cancel (unknown 8024, again 8037, once collected 8252), the routes. It pushes
routes to ``push_url`` (set in SF's console), signed with the check word (core/couriers/sf_express.py).

``Kuaidi100StandIn`` is Kuaidi100's ``/order/borderapi.do`` (bOrder, cancel), ``/poll`` (subscribe) and
``/poll/query.do``, checked as Kuaidi100 does (the key 600, the sign 503, the parameters 400); it pushes the whole
route to the subscription's callbackurl, signed with the subscription's salt (the stand-in's own ``salt`` when it
gave none). Codes the providers do not publish (SF's 8252, out-of-area refusals) are the stand-in's choice.

The journey: a parcel booked is collected within its pickup window, leaves the outlet an hour later, reaches the
hub 2.5 h after collection, is out for delivery at 4.5 h and delivered at 6 h (another province: a day), all
from ``clock()`` at booking and shrunk by ``pace`` (1/60 for a demo: an hour takes a minute). ``run_due()`` sends
every event whose time has come (``auto(interval_s)`` calls it from a thread until ``stop()``);
``advance(waybill, stage)`` sends the next events up to that stage now (``Stage.EXCEPTION``: a problem en route);
``push_out_of_order(waybill, stage)`` sends the next stage's event first, then this one's; ``duplicate_pushes``
sends every push twice; ``down`` answers every API call with an outage (``down_with`` "http": HTTP 503, "busy": the
provider's own). ``pushed`` keeps (waybill, stage, our server's status) per event sent, ``route(waybill)`` what the
query API answers, ``cancelled`` the waybills cancelled, ``log`` every request; ``notification(waybill)`` builds
the next event's push without sending it, for tests that tamper with one. A push our server fails is not sent
again (SF would retry thrice): ``pushed`` shows its status and the route query still answers the event.

    with SfExpressStandIn(partner_id="P", check_word="c", push_url=receiver.url) as sf:
        SfExpressBackend({"URL": sf.url, ...}).create_pickup(request)
"""

from __future__ import annotations

from core.couriers.standin.journeys import (
    HOURS,
    HOURS_AFAR,
    CourierStandIn,
    Parcel,
    QuickServer,
    new_waybill,
    split_address,
)
from core.couriers.standin.kuaidi100 import Kuaidi100StandIn
from core.couriers.standin.sf import SF_CODES, SfExpressStandIn

__all__ = ["HOURS", "HOURS_AFAR", "SF_CODES", "CourierStandIn", "Kuaidi100StandIn", "Parcel", "QuickServer",
           "SfExpressStandIn", "new_waybill", "split_address"]
