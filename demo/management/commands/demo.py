"""``manage.py demo``: load the demo brand with its network, customers and orders, and print the logins."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.sms import outbox_path as sms_outbox
from demo import data
from demo.builder import SIZES, Builder, find_brand
from demo.integrations import instructions
from demo.scale import add_scale


@contextmanager
def site_url(url: str) -> Iterator[None]:
    """The links the load writes into messages (a survey's, an order's page) name ``url``: where the demo's server
    will answer, as settings.SITE_URL does for the running server (scripts/serve.py sets it to its address)."""
    before = settings.SITE_URL
    settings.SITE_URL = url
    try:
        yield
    finally:
        settings.SITE_URL = before


@contextmanager
def quiet(name: str) -> Iterator[None]:
    """Only warnings and errors from logger ``name`` while the block runs."""
    log = logging.getLogger(name)
    level = log.level
    log.setLevel(logging.WARNING)
    try:
        yield
    finally:
        log.setLevel(level)


class Command(BaseCommand):
    help = ("Load a deterministic demo data set (brand 沁泉 Aqualife, outlets, technicians, customers, "
            "products, work orders in every status) and print the logins.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing but print the logins when the demo brand already exists.")
        parser.add_argument("--seed", type=int, default=42, help="Random seed (default 42).")
        parser.add_argument("--url", default=None,
                            help="Where the server will answer, for the printed links and the links in the demo's "
                                 "messages (default: SITE_URL; make run passes its own).")
        parser.add_argument("--scale", type=int, default=0, metavar="N",
                            help="Also bulk-insert N more installed products and N more work orders (benchmarks).")
        # For tests: a smaller base data set and a fixed 'now'.
        parser.add_argument("--size", choices=sorted(SIZES), default="full", help=argparse.SUPPRESS)
        parser.add_argument("--now", type=dt.datetime.fromisoformat, default=None, help=argparse.SUPPRESS)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["scale"] < 0:
            raise CommandError("--scale must be zero or more.")
        now = opts["now"]
        if now is not None and now.tzinfo is None:
            raise CommandError("--now needs a timezone offset.")
        started = time.perf_counter()
        url = (opts["url"] or settings.SITE_URL).rstrip("/")
        brand = find_brand()
        counts: dict[str, int] = {}
        if brand is not None and (opts["if_empty"] or not opts["scale"]):
            self.stdout.write("The demo data is already loaded; nothing to do.")
            self._print_logins(counts, url)
            return
        if brand is None:
            self.stdout.write(f"Loading the demo data set (seed {opts['seed']}, size {opts['size']})…")
            # The load marks hundreds of old orders late at once; their notifications reach the inboxes, but a
            # log line each (delivered after the load's commits) would bury the logins printed below.
            with quiet("aftersales.notifications"), site_url(url):
                counts.update(Builder(seed=opts["seed"], size=opts["size"], now=now, log=self.stdout.write).build())
            brand = find_brand()
        if opts["scale"]:
            self.stdout.write(f"Bulk-inserting {opts['scale']:,} installed products and work orders…")
            counts.update(add_scale(brand, opts["scale"], seed=opts["seed"], now=now, log=self.stdout.write))
        counts["seconds"] = round(time.perf_counter() - started, 1)
        self._print_logins(counts, url)

    def _print_logins(self, counts: dict[str, int], url: str) -> None:
        out = self.stdout.write
        out("")
        out(f"Aftersales demo: {url}/")
        out(f"  staff console  {url}/console/")
        out(f"  Django admin   {url}/admin/")
        out(f"  API docs       {url}/api/v1/docs")
        out("")
        width = max(len(label) for label, *_x in data.STAFF_LOGINS)
        out(f"  {'role':<{width}}  {'username':<18} password")
        for label, username, _role, _where in data.STAFF_LOGINS:
            out(f"  {label:<{width}}  {username:<18} {data.PASSWORD}")
        out(f"  Customer portal: {url}/portal/{data.BRAND_CODE}/ phone {data.CUSTOMER_PHONE[3:]}, "
            f"the texted code is in {sms_outbox()}")
        out("")
        for line in instructions(data.BRAND_CODE, url):
            out(line)
        if counts:
            out("")
            out("Created:")
            for key, value in counts.items():
                out(f"  {key.replace('_', ' '):<24} {value:,}")
