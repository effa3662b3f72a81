"""How the customer wants to hear from us: each channel on or off, and the language (notifications.preferences)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.htmx import render_page
from notifications import preferences
from portal.access import Seat, customer_page

CHANNELS = ("sms", "wechat", "email")


@require_http_methods(["GET", "POST"])
@customer_page()
def notification_preferences(request: HttpRequest, *, seat: Seat) -> HttpResponse:
    if request.method == "POST":
        language = request.POST.get("language", "")
        changes: dict[str, object] = {name: request.POST.get(name) == "on" for name in (*CHANNELS, "reminders")}
        if language in dict(settings.LANGUAGES):
            changes["language"] = language
        preferences.set_customer_choices(customer=seat.customer, changes=changes)
        messages.success(request, _("Saved. We will contact you this way from now on."))
        return redirect("portal:preferences", brand=seat.brand.code)
    has = {"sms": bool(seat.customer.phone), "email": bool(seat.customer.email),
           "wechat": seat.customer.wechat_links.filter(brand_id=seat.brand.pk).exists()}
    return render_page(request, "portal/preferences.html", {
        "brand": seat.brand, "seat": seat, "choices": preferences.customer_choices(seat.customer), "has": has,
        "languages": settings.LANGUAGES})
