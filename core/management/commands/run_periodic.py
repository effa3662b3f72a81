"""Run every periodic job once (cron-able), or keep running them every minute with --loop."""

from __future__ import annotations

import signal
import time

from django.core.management.base import BaseCommand

from core.periodic import run_all


class Command(BaseCommand):
    help = ("Run every job in settings.PERIODIC_TASKS once (safe to run twice or from cron); with --loop, "
            "keep running them every --interval seconds.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep running the jobs every --interval seconds.")
        parser.add_argument("--interval", type=float, default=60.0, help="Seconds between runs with --loop (60).")
        parser.add_argument("--enqueue", action="store_true",
                            help="Queue the jobs on the task backend for its workers instead of running them here.")
        parser.add_argument("--max-runs", type=int, default=0, help="With --loop, stop after N runs (0: never).")

    def handle(self, *args, loop: bool, interval: float, enqueue: bool, max_runs: int, **options) -> None:
        self._stop = False
        if loop:
            signal.signal(signal.SIGTERM, self._on_term)
        runs = 0
        while True:
            started = time.monotonic()
            failed = 0
            for outcome in run_all(enqueue=enqueue):
                failed += not outcome.ok
                style = self.style.SUCCESS if outcome.ok else self.style.ERROR
                self.stdout.write(style(f"{outcome.name}: {outcome.result if outcome.ok else 'failed'}"))
            runs += 1
            if not loop:
                if failed:
                    raise SystemExit(1)
                return
            if self._stop or (max_runs and runs >= max_runs):
                return
            try:
                self._sleep(max(interval - (time.monotonic() - started), 0))
            except KeyboardInterrupt:
                return
            if self._stop:
                return

    def _sleep(self, seconds: float) -> None:
        # In short steps, so SIGTERM ends the loop within a second.
        end = time.monotonic() + seconds
        while not self._stop and time.monotonic() < end:
            time.sleep(min(1.0, end - time.monotonic()))

    def _on_term(self, signum, frame) -> None:
        self._stop = True
