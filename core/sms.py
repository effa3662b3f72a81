"""Text messages (one-time codes now; reminders later) through a pluggable backend.

``settings.SMS_BACKEND`` names a class with ``send(phone, text)``. The default, ``LogBackend``, sends
nothing: it writes each message to the ``aftersales.sms`` logger and appends it to
``var/sms-outbox.log``, which is where the demo's sign-in codes are read. ``MemoryBackend`` keeps
messages in ``outbox`` for tests. A real gateway (Aliyun, Tencent Cloud SMS) is one more class.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger("aftersales.sms")
_write_lock = threading.Lock()


class SmsError(Exception):
    """The gateway did not take the message."""


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


@dataclass(frozen=True)
class Message:
    phone: str
    text: str


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


class MemoryBackend:
    """For tests: every message is kept in ``MemoryBackend.outbox`` (shared by the live server's threads)."""

    outbox: list[Message] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append(Message(phone=phone, text=text))


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
