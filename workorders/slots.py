"""The appointment slots intake offers and books, computed above it by dispatch.

Intake (workorders/intake.py) sits below dispatch in the layer contract, so it calls these providers
(core/hooks.py) and dispatch/hooks.py registers its selectors into them at start-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from core.hooks import Provider

Window = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class SlotOffer:
    """A window ``outlet_id`` can still take ``free`` more jobs in."""

    start: dt.datetime
    end: dt.datetime
    outlet_id: int
    free: int


# (*, days, now) -> the windows the brand offers at all: the two-hour grid, not too soon, not too far ahead.
slot_windows: Provider[Callable[..., list[Window]]] = Provider("workorders.slots.slot_windows")
# (*, product, service_type, days, now, site) -> one offer per window some serving outlet has room in.
offer_slots: Provider[Callable[..., list[SlotOffer]]] = Provider("workorders.slots.offer_slots")
# (*, product, service_type, outlet_id, window, site, exclude_order_id) -> what the outlet can still take then.
free_capacity: Provider[Callable[..., int]] = Provider("workorders.slots.free_capacity")
# (*, product, site) -> whether any outlet serves the product's category at the site at all, booked up or not: "no
# outlet covers this address" as against "no time is free".
serves: Provider[Callable[..., bool]] = Provider("workorders.slots.serves")
