"""Deliver the outbox's due deliveries once (what the periodic job does), or keep at it with --loop."""

from __future__ import annotations

import datetime as dt
import signal
import time

from django.core.management.base import BaseCommand

from core import outbox


class Command(BaseCommand):
    help = ("Hand every due outbox delivery to its sink (core/outbox.py); safe to run in several processes at "
            "once. With --loop, keep going every --interval seconds.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep delivering every --interval seconds.")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between rounds with --loop (1).")
        parser.add_argument("--batch", type=int, default=100, help="Deliveries claimed at a time (100).")
        parser.add_argument("--lease", type=float, default=0,
                            help="Seconds a claimed delivery is held (default: settings.OUTBOX_LEASE_SECONDS).")
        parser.add_argument("--max-runs", type=int, default=0, help="With --loop, stop after N rounds (0: never).")

    def handle(self, *args, loop: bool, interval: float, batch: int, lease: float, max_runs: int, **options):
        self._stop = False
        signal.signal(signal.SIGTERM, self._on_term)
        held = dt.timedelta(seconds=lease) if lease else None
        runs = total = 0
        while True:
            total += outbox.deliver_due(limit=batch, lease=held)
            runs += 1
            if self._stop or (max_runs and runs >= max_runs):
                break
            if outbox.has_due():
                continue
            if not loop:
                break
            time.sleep(interval)
        self.stdout.write(f"delivered {total}")

    def _on_term(self, signum, frame) -> None:
        self._stop = True
