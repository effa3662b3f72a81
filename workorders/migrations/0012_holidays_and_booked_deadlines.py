"""Seed the official holiday calendar (2025-2027) and give every open booked order its window as its deadline.

Before this, a booked order's on-site deadline was counted from its opening with the policy's minutes,
so an order booked for days later was "late" before its visit: its commitment is the window's end
(workorders.sla.due_times). Orders still to be reached get that deadline (never earlier than the one
they had, so a pause's credit stays), and a mark the watch set against the old deadline is cleared
when the new one is still ahead.
"""

from django.db import migrations
from django.db.models import F, Q
from django.utils import timezone

OPEN = ("new", "assigned", "dispatched", "accepted", "en_route", "on_hold")


def seed_holidays(apps, schema_editor):
    from workorders.holidays_cn import OFFICIAL, official_days

    HolidayYear = apps.get_model("workorders", "HolidayYear")
    HolidayDate = apps.get_model("workorders", "HolidayDate")
    for year, notice in OFFICIAL.items():
        row, created = HolidayYear.objects.get_or_create(
            year=year, defaults={"source": notice["source"], "confirmed": notice["confirmed"]})
        if not created:
            continue
        HolidayDate.objects.bulk_create(
            [HolidayDate(year=row, date=day, kind=kind, name=name) for day, kind, name in official_days(year)])


def booked_deadlines(apps, schema_editor):
    WorkOrder = apps.get_model("workorders", "WorkOrder")
    booked = WorkOrder.objects.filter(status__in=OPEN, arrived_at__isnull=True, slot_end__isnull=False)
    now = timezone.now()
    booked.filter(onsite_due__lt=F("slot_end"), slot_end__gt=now).update(onsite_due=F("slot_end"), onsite_alert="ok")
    booked.filter(Q(onsite_due__lt=F("slot_end")) | Q(onsite_due__isnull=True)).update(onsite_due=F("slot_end"))


class Migration(migrations.Migration):

    dependencies = [("workorders", "0011_service_calendars")]

    operations = [
        migrations.RunPython(seed_holidays, migrations.RunPython.noop),
        migrations.RunPython(booked_deadlines, migrations.RunPython.noop),
    ]
