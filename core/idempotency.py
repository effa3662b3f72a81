"""Idempotency-Key handling: the same key and body replays the first result; another body is a 422."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import IdempotencyConflict, InvalidInput
from core.models import IdempotencyRecord

KEY_MAX = 128


class _LostRace(Exception):
    pass


def body_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


def run_idempotent(
    *, user, scope: str, key: str | None, body: Any, fn: Callable[[], tuple[int, Any]]
) -> tuple[int, Any]:
    """Run ``fn`` once per (user, scope, key); ``fn`` returns (status, JSON-able payload)."""
    if not key:
        return fn()
    if len(key) > KEY_MAX:
        raise InvalidInput(_("The Idempotency-Key is too long."), field="Idempotency-Key", max_length=KEY_MAX)
    digest = body_hash(body)
    for _attempt in range(2):
        existing = IdempotencyRecord.objects.filter(user=user, scope=scope, key=key).first()
        if existing is not None:
            if existing.request_hash != digest:
                raise IdempotencyConflict()
            return existing.status_code, existing.response
        try:
            with transaction.atomic():
                status, payload = fn()
                try:
                    with transaction.atomic():
                        IdempotencyRecord.objects.create(
                            user=user, scope=scope, key=key, request_hash=digest, status_code=status, response=payload
                        )
                except IntegrityError as exc:
                    # A concurrent request with this key committed first: undo ours, replay theirs.
                    raise _LostRace from exc
            return status, payload
        except _LostRace:
            continue
    raise IdempotencyConflict(_("Concurrent requests used this Idempotency-Key; retry."))
