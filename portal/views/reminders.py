"""The one-tap link of a service reminder (SMS, WeChat): no sign-in, the token is the key to its own reminder.

What is due and why, then the windows offered for the visit as big buttons: a tap books it
(maintenance.booking.book_from_reminder) and the page then says what was booked. A part the customer may
replace alone also links to the shop (the shop's page reads ``?reminder=``). Made for a phone first.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from core.dates import window
from core.errors import DomainError
from maintenance import booking
from maintenance.choices import ReminderStatus
from maintenance.schedule_selectors import line, reminder_by_token
from portal import slotpicker
from portal.access import get_brand

PAGE = "portal/reminder.html"


@require_http_methods(["GET", "POST"])
def reminder(request: HttpRequest, brand: str, token: str) -> HttpResponse:
    org = get_brand(brand)
    found = reminder_by_token(brand_id=org.pk, token=token)
    if found is None:
        raise Http404
    error, status = "", 200
    if request.method == "POST":
        try:
            booking.book_from_reminder(reminder=found, slot=slotpicker.parse_slot(request.POST.get("slot")))
        except DomainError as refused:
            error, status = str(refused.message), refused.status
            found = reminder_by_token(brand_id=org.pk, token=token)
        else:
            return redirect("portal:reminder", brand=org.code, token=token)
    due = line(found.schedule)
    open_ = found.status == ReminderStatus.SENT
    days = slotpicker.by_day([(s.start, s.end) for s in booking.offered_slots(found)]) if open_ else []
    order = found.work_order
    shop = (reverse("portal:home", kwargs={"brand": org.code}) + "shop/?" + urlencode({"reminder": token})
            if due.self_replaceable and open_ else "")
    return render(request, PAGE, {
        "brand": org, "reminder": found, "due": due, "product": found.schedule.product, "days": days,
        "open": open_, "order": order, "error": error, "shop_url": shop,
        "booked_window": window(order.slot_start, order.slot_end) if order and order.slot_start else ""},
        status=status)
