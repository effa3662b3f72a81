"""The console's notifications page and one's own notification preferences: thin over notifications.selectors,
services and preferences (STYLE.md §2)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.principal import Principal
from console.forms import StaffPreferencesForm, page_number
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import staff_page
from notifications import messages as notices
from notifications import preferences, selectors, services
from notifications.models import Notification

FILTER_FIELDS = ("topic", "show", "q")
PREFERENCES_PAGE = "console/notifications/preferences.html"
PREFERENCES_FORM = "console/notifications/_partials/preferences_form.html"


@require_GET
@staff_page
def inbox(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    f = selectors.InboxFilter.from_query(request.GET)
    found = selectors.inbox(request.user, f, page=page_number(request.GET.get("page")))
    return render(request, "console/notifications/inbox.html", {
        "filter": f, "found": found, "groups": found.groups,
        "topics": selectors.topic_counts(request.user, unread_only=f.unread_only),
        "unread": selectors.unread_count(request.user),
        "filter_query": urlencode({k: request.GET[k] for k in FILTER_FIELDS if request.GET.get(k)}),
    })


@require_POST
@staff_page
def read_all(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    """Mark read: the ticked orders' notifications, everything the filter shows, or (no choice given) all."""
    scope = request.POST.get("scope", "all")
    if scope == "selected":
        ids = [int(v) for v in request.POST.getlist("order") if v.isdigit() and len(v) < 19]
        changed = services.mark_read(user=request.user, work_order_ids=ids) if ids else 0
    elif scope == "filtered":
        f = selectors.InboxFilter.from_query(request.POST)
        changed = services.mark_read(user=request.user, notifications=selectors.filtered(request.user, f))
    else:
        changed = services.mark_read(user=request.user)
    if changed:
        messages.success(request, ngettext("%(count)d notification marked as read.",
                                           "%(count)d notifications marked as read.", changed) % {"count": changed})
    else:
        messages.info(request, gettext("Nothing there was unread."))
    back = urlencode({k: request.POST[k] for k in FILTER_FIELDS if request.POST.get(k)})
    return redirect(reverse("console:notifications") + (f"?{back}" if back else ""))


@require_POST
@login_required
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and open what it is about (a complaint's page, else its order's). Someone else's notification
    does not exist (404)."""
    try:
        notification = Notification.objects.visible_to(request.user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    services.mark_read(user=request.user, notification_id=notification.pk)
    complaint_id = (notification.data or {}).get("complaint_id")
    if notification.kind in notices.COMPLAINT_KINDS and complaint_id:
        return redirect("console:complaint", pk=complaint_id)
    if notification.work_order_id:
        return redirect("console:order", pk=notification.work_order_id)
    return redirect("console:notifications")


@require_http_methods(["GET", "POST"])
@staff_page
def preferences_page(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    """Where the signed-in staff member's notifications go (the console, e-mail) and their e-mails' language: their
    own choices only (no id in the address). htmx swaps the form with its result; without it, saved redirects."""
    saved, status = False, 200
    if request.method == "POST":
        form = StaffPreferencesForm(request.POST)
        if not form.is_valid():
            status = 422
        else:
            try:
                preferences.set_choices(principal=principal, changes=form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
                status = error.status
            else:
                if not request.htmx:
                    messages.success(request, gettext("Saved. Your notifications go this way from now on."))
                    return redirect("console:notification-preferences")
                saved = True
                form = StaffPreferencesForm(initial=preferences.staff_choices(request.user))
    else:
        form = StaffPreferencesForm(initial=preferences.staff_choices(request.user))
    response = render_page(request, PREFERENCES_PAGE, {"form": form, "saved": saved, "address": request.user.email},
                           partial=PREFERENCES_FORM, status=status)
    return refused(response, status) if status >= 400 else response
