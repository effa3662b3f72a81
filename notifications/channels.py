"""The channels a customer message goes out on, and the registry the apps above register theirs into.

A channel is an object with ``name`` (the value stored on ``CustomerMessage.channel``), ``address(customer,
brand_id) -> str`` (the phone, openid or mailbox to send to; "" when the customer has none on it) and
``template(kind, language) -> str`` (the provider's approved template for the kind, "" for none or none
needed) and ``send(message) -> str`` (the provider's id for the message), which raises ``ChannelFailed`` when the
provider refused or could not be reached. SMS and email are built in (core.sms, Django's mail); WeChat lives
in integrations, above this app, and registers itself from integrations/hooks.py (core/hooks.py's rule).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import EmailMessage

from core.sms import SmsError, send_template_sms

if TYPE_CHECKING:
    from customers.models import Customer
    from notifications.models import CustomerMessage


class ChannelFailed(Exception):
    """The provider did not take the message: ``code`` is its own error code; ``permanent`` when a retry will not
    help (a wrong number, an unsubscribed WeChat user)."""

    def __init__(self, detail: str, *, code: str, permanent: bool = False) -> None:
        super().__init__(detail)
        self.code = code
        self.permanent = permanent


class Channel(Protocol):
    name: str

    def address(self, customer: Customer, brand_id: int) -> str: ...

    def template(self, kind: str, language: str) -> str: ...

    def send(self, message: CustomerMessage) -> str: ...


class ChannelRegistry:
    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> Channel:
        self._channels[channel.name] = channel
        return channel

    def get(self, name: str) -> Channel | None:
        return self._channels.get(name)

    def all(self) -> list[Channel]:
        return list(self._channels.values())


channels = ChannelRegistry()


class SmsChannel:
    """The brand's SMS gateway (settings.SMS_BACKEND); the template per event kind and language from
    settings.SMS_TEMPLATES (README, "Customer messages")."""

    name = "sms"

    def address(self, customer: Customer, brand_id: int) -> str:
        return customer.phone or ""

    def template(self, kind: str, language: str) -> str:
        per_kind = getattr(settings, "SMS_TEMPLATES", {}).get(kind) or {}
        return str(per_kind.get(language) or per_kind.get(settings.LANGUAGE_CODE) or "")

    def send(self, message: CustomerMessage) -> str:
        if not message.template:
            raise ChannelFailed(f"no SMS template for {message.kind} ({message.language})", code="no_template",
                                permanent=True)
        try:
            return send_template_sms(message.address, template=message.template, params=message.params,
                                     text=message.text)
        except SmsError as error:
            raise ChannelFailed(str(error), code=error.code, permanent=error.permanent) from error


class EmailChannel:
    """Django's mail (settings.EMAIL_BACKEND): SMTP in production, the console or a file in the demo."""

    name = "email"

    def address(self, customer: Customer, brand_id: int) -> str:
        return customer.email or ""

    def template(self, kind: str, language: str) -> str:
        return ""

    def send(self, message: CustomerMessage) -> str:
        mail = EmailMessage(subject=message.subject, body=message.text, from_email=settings.DEFAULT_FROM_EMAIL,
                            to=[message.address], headers={"X-Aftersales-Message": str(message.pk)})
        message_id = f"<message-{message.pk}@{settings.EMAIL_MESSAGE_DOMAIN}>"
        mail.extra_headers["Message-ID"] = message_id
        try:
            mail.send(fail_silently=False)
        except (OSError, ValueError) as error:  # smtplib's errors are OSErrors
            raise ChannelFailed(str(error) or type(error).__name__, code=type(error).__name__) from error
        return message_id


channels.register(SmsChannel())
channels.register(EmailChannel())
