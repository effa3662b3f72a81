"""Dispatch settings (settings.DISPATCH_DAY overrides any of them): lunch, plan time limit, default job length."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

DEFAULTS: dict[str, Any] = {
    "LUNCH_FROM": "11:30",  # the lunch break starts between these two times
    "LUNCH_UNTIL": "13:30",
    # 0: no lunch break is planned. The optimiser then may improve VROOM's plan with PyVRP, which has no breaks.
    "LUNCH_MINUTES": 45,
    "PLAN_SECONDS": 3.0,  # the optimiser's time limit when a dispatcher presses "optimise"
    "DEFAULT_JOB_MINUTES": 60,  # an order whose model has no service standard for its type
    "STARTED_MIN_MINUTES": 10,  # a job on site for longer than its standard still takes this much more
}


def get(name: str) -> Any:
    return {**DEFAULTS, **getattr(settings, "DISPATCH_DAY", {})}[name]


def seconds_of_day(text: str) -> int:
    value = dt.time.fromisoformat(text)
    return value.hour * 3600 + value.minute * 60
