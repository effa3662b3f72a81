"""Place every site that has no point yet from its address (core.geo), e.g. after an upgrade or an import."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from customers.services import locate_unplaced_sites


class Command(BaseCommand):
    help = "Geocode the sites without coordinates from their addresses; sites with a point are left alone."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--limit", type=int, default=None, help="at most this many sites")

    def handle(self, *args, limit: int | None = None, **options) -> None:
        placed, unplaced = locate_unplaced_sites(limit=limit)
        self.stdout.write(f"{placed} site(s) placed; {unplaced} could not be placed from their address "
                          "(their call-out fee stays to be confirmed until someone pins them).")
