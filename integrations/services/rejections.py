"""Refused integration requests: a log line for operators and a bounded record for the brand admin."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from core.client_ip import client_ip
from core.sequences import next_value
from integrations.models.rejections import RING_SIZE, RejectedRequest

logger = logging.getLogger("aftersales.integrations")


def client_address(request) -> str | None:
    # X-Forwarded-For is whatever the sender wants it to be unless a trusted proxy set it (core/client_ip.py).
    return client_ip(request) or None


def record_rejection(*, source: str, code: str, detail: str, brand_id: int | None, remote_addr: str | None) -> None:
    """Log the refusal and overwrite the oldest slot of the brand's ring (RejectedRequest)."""
    detail = detail[:200]
    logger.warning("%s request refused: %s (%s) brand=%s from %s", source, code, detail, brand_id, remote_addr)
    ring = f"{source}:{brand_id if brand_id is not None else '-'}"
    with transaction.atomic():
        slot = (next_value(f"reject:{ring}") - 1) % RING_SIZE
        RejectedRequest.objects.update_or_create(
            ring=ring, slot=slot,
            defaults=dict(brand_id=brand_id, source=source, code=code, detail=detail, remote_addr=remote_addr,
                          at=timezone.now()),
        )
