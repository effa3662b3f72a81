"""What every page of the technician app needs: the words its script says, and the page for a non-technician."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.principal import Principal
from core import pages
from field.texts import script_texts


def shell() -> dict:
    """What the field app's base template expects (its script's words)."""
    return {"texts_json": json.dumps(script_texts(), ensure_ascii=False)}


def not_technician(request: HttpRequest, principal: Principal | None) -> HttpResponse:
    return render(request, "field/not_technician.html", {**shell(), "seat": principal}, status=403)


def technician_page(view: pages.View | None = None, **kwargs: Any) -> Any:
    """A page of the technician app (core.pages.technician_page), refused with the app's own page."""
    return pages.technician_page(view, refuse=not_technician, **kwargs)
