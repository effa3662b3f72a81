from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Metric(models.TextChoices):
    """Usage a connected appliance reports, kept per product for consumable reminders."""

    LITRES_FILTERED = "litres_filtered", _("Litres filtered")
    FILTER_LIFE_PCT = "filter_life_pct", _("Filter life left (%)")
    RUNNING_HOURS = "running_hours", _("Running hours")
    TDS_IN_PPM = "tds_in_ppm", _("Inlet TDS (ppm)")
    TDS_OUT_PPM = "tds_out_ppm", _("Outlet TDS (ppm)")


# The values a real device can report; anything outside is a faulty sensor or a forged payload.
METRIC_RANGES: dict[str, tuple[Decimal, Decimal]] = {
    Metric.LITRES_FILTERED: (Decimal(0), Decimal(100_000_000)),
    Metric.FILTER_LIFE_PCT: (Decimal(0), Decimal(100)),
    Metric.RUNNING_HOURS: (Decimal(0), Decimal(1_000_000)),
    Metric.TDS_IN_PPM: (Decimal(0), Decimal(10_000)),
    Metric.TDS_OUT_PPM: (Decimal(0), Decimal(10_000)),
}


class AlertOutcome(models.TextChoices):
    ORDER_CREATED = "order_created", _("Work order opened")
    ADDED_TO_ORDER = "added_to_order", _("Added to the open work order")
    UNMAPPED_FAULT = "unmapped_fault", _("Unknown fault code: stored, no order")
    READINGS_STORED = "readings_stored", _("Readings only: stored, no order")


class Source(models.TextChoices):
    IOT = "iot", _("IoT alerts")
    WECHAT = "wechat", _("WeChat callback")


class WeChatMode(models.TextChoices):
    """WeChat's three message modes (明文 / 兼容 / 安全)."""

    PLAIN = "plain", _("Plaintext")
    COMPATIBLE = "compatible", _("Compatible (plaintext and encrypted)")
    SAFE = "safe", _("Safe (encrypted)")
