"""The console's notifications page: thin over notifications.selectors and services (STYLE.md §2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from console.access import staff_required
from notifications import selectors, services
from notifications.models import Notification


@require_GET
@staff_required
def inbox(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    items = list(selectors.recent(request.user))
    return render(request, "notifications/inbox.html", {
        "notifications": items, "unread": sum(1 for n in items if n.read_at is None),
    })


@require_POST
@staff_required
def read_all(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    services.mark_read(user=request.user)
    return redirect("notifications:inbox")


@require_POST
@login_required
def read_one(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and open what it is about. Someone else's notification does not exist (404)."""
    try:
        notification = Notification.objects.visible_to(request.user).get(pk=pk)
    except Notification.DoesNotExist:
        raise Http404 from None
    services.mark_read(user=request.user, notification_id=notification.pk)
    if notification.work_order_id:
        return redirect("console:order", pk=notification.work_order_id)
    return redirect("notifications:inbox")
