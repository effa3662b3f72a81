"""Periodic jobs: tasks named in settings.PERIODIC_TASKS, run every minute by ``manage.py run_periodic``.

Each is a django-tasks Task that takes no arguments and is safe to run twice or at the same time as
itself (STYLE.md §8), so a cron line, the ``--loop`` process and a worker may overlap without harm.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("aftersales.periodic")


@dataclass
class Outcome:
    name: str
    ok: bool
    result: Any = None


def periodic_tasks() -> list:
    return [import_string(path) for path in settings.PERIODIC_TASKS]


def run_all(*, enqueue: bool = False) -> list[Outcome]:
    """Run (or, with ``enqueue``, queue for the workers) every periodic job once; one failing does not stop the rest."""
    outcomes = []
    for job in periodic_tasks():
        try:
            result = job.enqueue().id if enqueue else job.call()
        except Exception:
            logger.exception("periodic job %s failed", job.module_path)
            outcomes.append(Outcome(job.module_path, False))
        else:
            outcomes.append(Outcome(job.module_path, True, result))
    return outcomes
