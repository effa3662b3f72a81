"""``manage.py settlement_check --period YYYY-MM [--brand CODE]``: recompute a month and compare (issue 18).

The period's lines are recomputed from the orders, tariffs and rules with the per-order Python path
(settlement/recompute.py, over settlement.arithmetic) and compared, as (outlet, work order, kind, amount, tariff,
rule), with the per-order lines of the period's outlet statements; each statement's total and line count are
compared with the sum and count of its lines; and no line of the brand may have a key (statement, order, outlet,
tariff, rule, technician, adjusted line) that points at no row, as lines carry no database constraint on them.
Exit status 0 when everything agrees, 1 when not.

Only the statements of the period are compared, and only the kinds made per order (fee, travel, surcharges,
rule deductions and bonuses): parts, adjustments, reversals and technicians' lines are made by other modules.
A statement past draft keeps the lines it was sent with; when one of its orders changed later, the difference
is settled by an adjustment line in a later period, so such differences are listed apart ("past draft, by
design") and do not fail the check. Every brand is checked unless ``--brand`` names one.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from accounts.choices import OrgKind
from accounts.models import Organisation
from settlement import recompute

SHOWN = 50  # differences listed per kind; the counts are always complete


def _period(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"--period must be YYYY-MM, not {value!r}") from exc


class Command(BaseCommand):
    help = "Recompute a month's settlement lines from the orders and compare them with its statements."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--brand", help="the brand's code (default: every brand)")

    def handle(self, *args, **options) -> None:
        period = _period(options["period"])
        brands = Organisation.objects.filter(kind=OrgKind.BRAND).order_by("code")
        if options["brand"]:
            brands = brands.filter(code=options["brand"])
            if not brands.exists():
                raise CommandError(f"no brand with the code {options['brand']!r}")
        failed = False
        for brand in brands:
            report = recompute.check(brand, period)
            failed |= not report.ok
            self._print(brand, period, report)
        if failed:
            raise SystemExit(1)

    def _print(self, brand: Organisation, period: dt.date, report: recompute.Report) -> None:
        out = self.stdout
        verdict = self.style.SUCCESS("EQUAL") if report.ok else self.style.ERROR("DIFFERENT")
        out.write(f"{brand.code} {period:%Y-%m}: {verdict}: {report.statements} statements, {report.lines} lines, "
                  f"total {report.total}; {len(report.missing)} missing, {len(report.unexpected)} unexpected, "
                  f"{len(report.totals)} totals off, {len(report.past_draft)} past draft (by design), "
                  f"{len(report.dangling)} lines with a key pointing nowhere")
        columns = "(outlet, work order, kind, amount, tariff, rule)"
        for title, rows in (("missing (expected, not on its statement)", report.missing),
                            ("unexpected (on a draft, not expected)", report.unexpected),
                            ("past draft, to be settled by adjustments (by design)", report.past_draft)):
            if rows:
                out.write(f"  {title} {columns}:")
                for row in rows[:SHOWN]:
                    out.write(f"    {row}")
                if len(rows) > SHOWN:
                    out.write(f"    … and {len(rows) - SHOWN} more")
        if report.dangling:
            out.write(f"  lines with a key pointing nowhere: {report.dangling[:SHOWN]}")
        if report.totals:
            out.write("  totals off (statement, total, sum of lines, line count, lines):")
            for row in report.totals[:SHOWN]:
                out.write(f"    {row}")
