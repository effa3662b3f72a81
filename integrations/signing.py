"""The two signature schemes, as pure functions (no ORM): device alerts (HMAC-SHA256) and WeChat (SHA-1).

Device alerts: ``X-Signature: sha256=<hex HMAC-SHA256(secret, "<X-Timestamp>." + raw body)>``.
WeChat: ``signature = hex SHA-1 of the sorted, concatenated token, timestamp and nonce`` (and, for an
encrypted message, the ``Encrypt`` text as a fourth part: ``msg_signature``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

SIGNATURE_PREFIX = "sha256="
MAX_SKEW_SECONDS = 5 * 60


def alert_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def matching_secret(secrets: Iterable[str], timestamp: str, body: bytes, signature: str) -> str | None:
    """The secret that signed this body, or None. Every candidate is compared in constant time."""
    given = signature.strip().lower().encode()
    found = None
    for secret in secrets:
        # No early exit: the time taken does not tell which of the active secrets matched.
        if hmac.compare_digest(alert_signature(secret, timestamp, body).encode(), given):
            found = secret
    return found


def parse_timestamp(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        return None
    return int(value)


def is_fresh(timestamp: int, now: float, skew: int = MAX_SKEW_SECONDS) -> bool:
    return abs(now - timestamp) <= skew


def wechat_signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def wechat_signature_ok(expected_parts: tuple[str, ...], signature: str | None) -> bool:
    if not signature:
        return False
    return hmac.compare_digest(wechat_signature(*expected_parts).encode(), signature.strip().lower().encode())
