"""Notifications as a sink of the outbox (core/outbox.py): the ``in_app`` sink turns the events it takes into
notices for NOTIFICATION_BACKENDS (the console's inbox rows, e-mail to those who asked for it, a log line), once
per notice key.

Each kind it takes has one builder here (``@notice_for("sla.alert")``) that names the recipients and the
notice's key; the sink is registered from notifications/hooks.py for exactly those kinds, so events nobody
is told of cost no delivery. A builder returning None tells nobody.
"""

from __future__ import annotations

from collections.abc import Callable

from accounts.choices import Role
from accounts.models import Membership
from core import outbox
from core.models import OutboxEvent
from notifications.backends import Notice
from notifications.services import send
from workorders.models import WorkOrder

NAME = "in_app"
Builder = Callable[[OutboxEvent], Notice | None]
NOTICES: dict[str, Builder] = {}


def notice_for(kind: str) -> Callable[[Builder], Builder]:
    def register(builder: Builder) -> Builder:
        NOTICES[kind] = builder
        return builder
    return register


def sla_recipients(order: WorkOrder) -> tuple[int, ...]:
    """The brand's dispatchers, and the dispatchers of the order's outlet."""
    seats = Membership.objects.filter(is_active=True, user__is_active=True, organisation__is_active=True)
    wanted = seats.filter(organisation_id=order.brand_id, role=Role.DISPATCHER)
    if order.outlet_id:
        wanted = wanted | seats.filter(organisation_id=order.outlet_id, role=Role.OUTLET_DISPATCHER)
    return tuple(sorted(set(wanted.values_list("user_id", flat=True))))


def sla_notice(order_id: int, clock: str, state: str, due: str | None) -> Notice | None:
    """One clock of the order moved: the dispatchers hear of it, keyed by order, clock and state."""
    order = WorkOrder.objects.filter(pk=order_id).only("pk", "brand", "outlet", "number").first()
    if order is None:
        return None
    return Notice(key=f"sla:{order_id}:{clock}:{state}", kind="sla", brand_id=order.brand_id,
                  recipient_ids=sla_recipients(order), work_order_id=order_id,
                  data={"number": order.number, "clock": clock, "state": state, "due": due})


@notice_for("sla.alert")
def _sla_alert(event: OutboxEvent) -> Notice | None:
    return sla_notice(event.work_order_id, event.data["clock"], event.data["state"], event.data.get("due"))


@notice_for("order.urged")
def _urged(event: OutboxEvent) -> Notice | None:
    """A customer urged a late order (workorders/urges.py): the dispatchers who answer for it, as for its SLA
    alerts, hear of it once per urge (the key names the urge)."""
    order = WorkOrder.objects.filter(pk=event.work_order_id).only("pk", "brand", "outlet").first()
    if order is None:
        return None
    data = event.data
    return Notice(key=f"urge:{event.subject_id}", kind="urge", brand_id=order.brand_id,
                  recipient_ids=sla_recipients(order), work_order_id=order.pk,
                  data={"number": data["number"], "seq": data["seq"], "channel": data["channel"],
                        "escalated": data["escalated"]})


@notice_for("mailin.late")
def _hop_late(event: OutboxEvent) -> Notice | None:
    """A mail-in unit stayed in a hop past its target (logistics/watch.py): the dispatchers who answer for the
    order (the brand's, and the repair centre's) hear of it once per hop."""
    order = WorkOrder.objects.filter(pk=event.work_order_id).only("pk", "brand", "outlet").first()
    if order is None:
        return None
    data = event.data
    return Notice(key=f"hop:{event.subject_id}:{data['hop']}", kind="hop_late", brand_id=order.brand_id,
                  recipient_ids=sla_recipients(order), work_order_id=order.pk,
                  data={"number": data["number"], "hop": data["hop"], "since": data.get("since"),
                        "due": data.get("due")})


def deliver(event: OutboxEvent) -> None:
    """The sink: build the event's notice and hand it to the backends (the in-app row's key makes a second
    delivery of the same event a no-op)."""
    build = NOTICES.get(event.kind)
    notice = build(event) if build is not None else None
    if notice is not None:
        send(notice)


def sink() -> outbox.Sink:
    return outbox.Sink(name=NAME, kinds=frozenset(NOTICES), deliver=deliver)
