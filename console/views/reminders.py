"""Service reminders in the staff console (the brand's staff): what was sent, for which unit and due date, and
what the customer did with it (booked, ordered, done, nothing), filtered by status and kind. Read only: the
reminders are written by the job (maintenance/reminders.py) and answered by the customer."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.principal import Principal
from core.pages import staff_page
from maintenance.choices import ReminderStatus, ScheduleKind
from maintenance.schedule_selectors import line, reminders_of

PAGE_SIZE = 100


def _brand_staff(principal: Principal | None) -> bool:
    return principal is not None and principal.is_brand_staff


@require_GET
@staff_page(seat=_brand_staff)
def reminder_list(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    rows = reminders_of(request.user)
    status, kind = request.GET.get("status", ""), request.GET.get("kind", "")
    if status in ReminderStatus.values:
        rows = rows.filter(status=status)
    if kind in ScheduleKind.values:
        rows = rows.filter(schedule__kind=kind)
    reminders = [(r, line(r.schedule)) for r in rows[:PAGE_SIZE]]
    return render(request, "console/reminders.html", {
        "reminders": reminders, "status": status, "kind": kind, "statuses": ReminderStatus.choices,
        "kinds": ScheduleKind.choices, "count": rows.count()})
