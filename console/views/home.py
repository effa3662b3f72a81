"""Where the site's root sends someone: a customer to their brand's portal, a technician to the field app,
other staff to the console's work orders; anyone else sees why there is nothing for them."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from accounts.models import Organisation
from accounts.principal import principal_of
from core.pages import is_staff, no_console


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("login")
    principal = principal_of(request.user)
    if principal is not None and principal.is_customer:
        brand = Organisation.objects.filter(pk=principal.brand_id, is_active=True).values_list("code", flat=True)
        if brand:
            return redirect("portal:home", brand=brand[0])
    if not is_staff(principal):
        return no_console(request, principal, status=200)
    if principal.is_technician:
        # A technician's day is on the phone app; the console's list is still a link away.
        return redirect("field:jobs")
    return redirect("console:orders")
