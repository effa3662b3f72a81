"""Customer messages and notification preferences over HTTP: thin adapters over notifications' selectors and
preferences (STYLE.md §2).

``orders_router`` is mounted at /workorders: a sub-resource of an order may be served by the app that owns it
(README, "API"). ``me_router`` at /me: the caller's own preferences.
"""

from __future__ import annotations

from typing import Literal

from ninja import Field, Router
from pydantic import BaseModel

from core.api import AUTH, ApiDateTime, get_visible, principal
from core.schema import Id, Input
from notifications import preferences, selectors
from notifications.choices import MessageChannel, MessageStatus
from workorders.models import WorkOrder

orders_router = Router(tags=["notifications"], auth=AUTH)
me_router = Router(tags=["notifications"], auth=AUTH)

ChannelLit = Literal[tuple(MessageChannel.values)]  # type: ignore[valid-type]
StatusLit = Literal[tuple(MessageStatus.values)]  # type: ignore[valid-type]


class MessageOut(BaseModel):
    id: int
    event_kind: str = Field(description="The outbox event the message tells of (order.en_route, ...).")
    channel: ChannelLit
    status: StatusLit
    status_label: str = Field(description="The status in the reader's language (\"Not delivered\" for a message "
                                          "the provider took and then reported undelivered).")
    address: str = Field(description="The phone, WeChat openid or mailbox it went to.")
    language: str
    text: str
    provider_id: str = Field(description="The provider's id for the message (Aliyun BizId, WeChat msgid, ...).")
    error_code: str = Field(description="The provider's error code when it failed (isv.AMOUNT_NOT_ENOUGH, 43004).")
    attempts: int
    created_at: ApiDateTime
    sent_at: ApiDateTime | None
    delivered_at: ApiDateTime | None
    next_attempt_at: ApiDateTime | None = Field(description="When it is tried (again): deferred or failed.")


@orders_router.get("/{order_id}/messages", response=list[MessageOut],
                   summary="What the order's customer was sent, on which channel, with its delivery status")
def order_messages(request, order_id: Id):
    order = get_visible(WorkOrder.objects.all(), request, order_id)
    return [MessageOut(id=m.pk, event_kind=m.kind, channel=m.channel, status=m.status,
                       status_label=m.status_label, address=m.address, language=m.language,
                       text=m.text, provider_id=m.provider_id, error_code=m.error_code, attempts=m.attempts,
                       created_at=m.created_at, sent_at=m.sent_at, delivered_at=m.delivered_at,
                       next_attempt_at=m.next_attempt_at)
            for m in selectors.order_messages(request.user, order)]


class PreferencesOut(BaseModel):
    party: Literal["customer", "staff"]
    language: str | None = Field(None, description="The language of the customer's messages, or of the staff "
                                                   "member's notification e-mails.")
    sms: bool | None = Field(None, description="Customers: text messages on or off.")
    wechat: bool | None = Field(None, description="Customers: WeChat messages on or off.")
    email: bool | None = Field(None, description="Customers: messages by email; staff: every notification (SLA "
                                                "alerts, urges, complaints escalated to them) also by e-mail, to "
                                                "the address on their account.")
    in_app: bool | None = Field(None, description="Staff: notifications in the console's inbox.")
    reminders: bool | None = Field(None, description="Customers: service reminders (a filter or a maintenance "
                                                    "visit falling due) on or off, on every channel.")


class PreferencesIn(Input):
    language: Literal["zh-hans", "en"] | None = None
    sms: bool | None = None
    wechat: bool | None = None
    email: bool | None = None
    in_app: bool | None = None
    reminders: bool | None = None


def _out(choices: preferences.Choices) -> PreferencesOut:
    return PreferencesOut(party=choices.party, **choices.values)


@me_router.get("/notification-preferences", response=PreferencesOut, summary="My notification preferences")
def my_preferences(request):
    return _out(preferences.choices_of(principal(request)))


@me_router.put("/notification-preferences", response=PreferencesOut,
               summary="Change my notification preferences (the fields given; a customer: language, sms, wechat, "
                       "email, reminders; staff: in_app, email, language)")
def set_my_preferences(request, payload: PreferencesIn):
    changes = payload.model_dump(exclude_none=True)
    return _out(preferences.set_choices(principal=principal(request), changes=changes))
