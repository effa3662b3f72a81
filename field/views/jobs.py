"""The technician app's pages (mobile web): my jobs, one job, and the service worker that keeps them offline.

Thin over field.selectors; every change goes through the API (field/api.py), which the page's script
calls from its offline queue. Another technician's job, or any job for someone who is not a technician,
does not exist here (404).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from accounts.principal import Principal
from field import selectors
from field.views.common import shell, technician_page
from workorders import selectors as order_selectors
from workorders.models import WorkOrder

STATIC = Path(__file__).resolve().parent.parent / "static" / "field"
SHELL_ASSETS = ("field/field.css", "field/field.js", "field/outbox.js")


@cache
def asset_version() -> str:
    """Changes whenever the worker or the shell's files change, so phones pick up a new version."""
    digest = hashlib.sha256()
    for name in ("sw.js", "field.css", "field.js", "outbox.js"):
        digest.update((STATIC / name).read_bytes())
    return digest.hexdigest()[:12]


def _common(request: HttpRequest) -> dict:
    return {**shell(), "version": asset_version()}


@require_GET
@never_cache
@technician_page
def jobs(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    day = selectors.my_jobs(request.user)
    return render(request, "field/jobs.html", {**_common(request), "day": day, "today": timezone.localdate()})


@require_GET
@never_cache
@technician_page(fetch=selectors.get_job, as_name="order")  # another's job, or anyone's for a non-technician: 404
def job(request: HttpRequest, *, principal: Principal, order: WorkOrder) -> HttpResponse:
    state = selectors.job_state(request.user, order)
    job = selectors.job_card(order)
    return render(request, "field/job.html", {
        **_common(request), "job": job, "order": order,
        "state_json": json.dumps(state, ensure_ascii=False, default=str),
        "warranty": order_selectors.warranty_verdict(order),
    })


@require_GET
@never_cache
def service_worker(request: HttpRequest) -> HttpResponse:
    """Served from /field/ so that it may control every page of the app (a worker's scope is its folder)."""
    source = (STATIC / "sw.js").read_text(encoding="utf-8")
    config = {"version": asset_version(), "shell": [static(name) for name in SHELL_ASSETS],
              "home": "/field/", "debug": settings.DEBUG,
              # Where the API serves the jobs and the attachment files, from its URLs rather than spelled again.
              "jobs": reverse("api:list_jobs"),
              "attachments": reverse("api:attachment-file", kwargs={"attachment_id": 0}).removesuffix("0")}
    body = f"const CONFIG = {json.dumps(config)};\n{source}"
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/field/"
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    body = {"name": gettext("Aftersales technician"), "short_name": gettext("My jobs"), "start_url": "/field/",
            "scope": "/field/", "display": "standalone", "background_color": "#ffffff", "theme_color": "#0b3d91"}
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")
