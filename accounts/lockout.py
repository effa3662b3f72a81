"""The answer to a password sign-in while it is locked out (django-axes calls it: AXES_LOCKOUT_CALLABLE)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core.client_ip import client_ip

logger = logging.getLogger("aftersales.security")


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: dict | None = None
               ) -> HttpResponse:
    """The product's page, in the reader's language, saying when to try again (429).

    Every try during the lockout starts the wait again (AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT),
    so the wait is the whole lockout time from now.
    """
    until = timezone.localtime(timezone.now() + settings.AXES_COOLOFF_TIME)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    logger.warning("sign-in locked out: username=%r from %s on %s", str(username)[:150], client_ip(request),
                   request.path)
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return render(request, "registration/locked_out.html", {"lockout_minutes": minutes, "until": until},
                  status=429)
