"""Text messages (sign-in codes, customer messages) through a pluggable backend.

``settings.SMS_BACKEND`` names a class with ``send(phone, text)`` (a one-time code) and
``send_template(phone, template=..., params=..., text=...) -> str`` (a message from an approved
template: the gateway sends its own copy of the template filled with ``params``; ``text`` is our
rendering of the same words, what the log backends write and the timeline shows). The default,
``LogBackend``, sends nothing: it writes each message to the ``aftersales.sms`` logger and appends it to
``var/sms-outbox.log``, which is where the demo's sign-in codes are read. ``MemoryBackend`` keeps
messages in ``outbox`` for tests. ``core.aliyun_sms.AliyunSmsBackend`` is Alibaba Cloud's SendSms.

A backend whose gateway reports delivery also has ``receipt(phone, provider_id=..., sent_at=...) -> Receipt``
(Aliyun: QuerySendDetails) and ``receipt_window`` (how long after sending it still knows the message);
``query_receipt`` asks it, and answers None for a backend that has no receipts.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("aftersales.sms")
_write_lock = threading.Lock()


class SmsError(Exception):
    """The gateway did not take the message; ``code`` is the gateway's own (``isv.MOBILE_NUMBER_ILLEGAL``)."""

    def __init__(self, message: str, *, code: str = "sms_failed", permanent: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.permanent = permanent  # sending it again will not help (a bad number, a missing template)


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...

    def send_template(self, phone: str, *, template: str, params: dict[str, str], text: str) -> str: ...


@dataclass(frozen=True)
class Receipt:
    """What the gateway knows of one message's delivery: still waiting for the carrier, delivered (``at``, when
    the handset took it), or failed with the carrier's ``code``."""

    WAITING, DELIVERED, FAILED = "waiting", "delivered", "failed"

    state: str
    code: str = ""
    at: dt.datetime | None = None


@dataclass(frozen=True)
class Message:
    phone: str
    text: str
    template: str = ""
    params: dict[str, str] | None = None


def outbox_path() -> Path:
    return Path(getattr(settings, "SMS_OUTBOX", Path(settings.BASE_DIR) / "var" / "sms-outbox.log"))


class LogBackend:
    """For development and the demo: the message goes to the log and to the outbox file."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)
        path = outbox_path()
        line = f"{timezone.localtime():%Y-%m-%d %H:%M:%S} {phone} {text}\n"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _write_lock, path.open("a", encoding="utf-8") as out:
                out.write(line)
        except OSError as exc:
            raise SmsError(str(exc)) from exc

    def send_template(self, phone: str, *, template: str, params: dict[str, str], text: str) -> str:
        self.send(phone, text)
        return f"log-{uuid.uuid4().hex[:12]}"


class MemoryBackend:
    """For tests: every message is kept in ``MemoryBackend.outbox`` (shared by the live server's threads)."""

    outbox: list[Message] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append(Message(phone=phone, text=text))

    def send_template(self, phone: str, *, template: str, params: dict[str, str], text: str) -> str:
        MemoryBackend.outbox.append(Message(phone=phone, text=text, template=template, params=dict(params)))
        return f"memory-{len(MemoryBackend.outbox)}"


def get_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "core.sms.LogBackend")
    return import_string(path)()


def send_sms(phone: str, text: str) -> None:
    """Send one message; raises SmsError when the backend could not."""
    try:
        get_backend().send(phone, text)
    except SmsError:
        raise
    except Exception as exc:  # a gateway's own exception types are its business; ours is SmsError
        logger.exception("SMS backend failed for %s", phone)
        raise SmsError(str(exc)) from exc


def receipt_window() -> dt.timedelta | None:
    """How long after sending the gateway still answers for a message; None when the backend has no receipts."""
    backend = get_backend()
    return getattr(backend, "receipt_window", None) if callable(getattr(backend, "receipt", None)) else None


def query_receipt(phone: str, *, provider_id: str, sent_at: dt.datetime) -> Receipt | None:
    """The delivery receipt of one message the gateway took; None when the backend has none. Raises SmsError."""
    backend = get_backend()
    receipt = getattr(backend, "receipt", None)
    if receipt is None:
        return None
    try:
        return receipt(phone, provider_id=provider_id, sent_at=sent_at)
    except SmsError:
        raise
    except Exception as exc:
        logger.exception("SMS backend failed to report on %s", provider_id)
        raise SmsError(str(exc)) from exc


def send_template_sms(phone: str, *, template: str, params: dict[str, str], text: str) -> str:
    """Send one message from an approved template; returns the gateway's id, raises SmsError."""
    try:
        return get_backend().send_template(phone, template=template, params=params, text=text)
    except SmsError:
        raise
    except Exception as exc:
        logger.exception("SMS backend failed for %s", phone)
        raise SmsError(str(exc)) from exc
