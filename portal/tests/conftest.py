from __future__ import annotations

import re

import pytest

from core.sms import MemoryBackend

CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def sms(settings):
    """Texts go to a list instead of the log: sms.outbox, sms.last_code(phone)."""
    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    MemoryBackend.outbox.clear()

    class Outbox:
        outbox = MemoryBackend.outbox

        @staticmethod
        def last_code(phone: str) -> str:
            for message in reversed(MemoryBackend.outbox):
                if message.phone == phone:
                    return CODE.search(message.text).group(1)
            raise AssertionError(f"no text to {phone}")

    yield Outbox
    MemoryBackend.outbox.clear()
