"""The words of the messages a customer gets, per event kind, in the customer's language.

One sentence per kind, with the variables of its approved SMS template (settings.SMS_TEMPLATES): what our
log backends write and the timeline shows is the same text the gateway sends from its copy of the template.
Variables: ``brand``, ``number`` (the order), ``technician`` (with the honorific), ``slot`` / ``eta`` (local
time), ``link`` (the portal's page of the order, or the survey), ``complaint`` (the complaint's number).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.names import with_honorific

SENTENCES = {
    "order.created": _("We have received your service request %(number)s and will arrange a technician soon."),
    "order.booked": _("Your service visit %(number)s is booked for %(slot)s."),
    "order.assigned": _("%(technician)s will take care of your service request %(number)s."),
    "order.en_route": _("%(technician)s is on the way and expects to arrive at about %(eta)s (%(number)s)."),
    "order.arrived": _("%(technician)s has arrived for your service request %(number)s."),
    "order.completed": _("Your service request %(number)s is complete. The service report: %(link)s"),
    "survey.sent": _("How did we do on %(number)s? Please tell us in one minute: %(link)s"),
    "order.urged": _("We have your reminder about %(number)s and have asked the dispatcher to hurry it along."),
    "complaint.opened": _("We have received your complaint %(complaint)s and will reply as soon as we can."),
    "complaint.resolved": _("Your complaint %(complaint)s has been resolved. Details: %(link)s"),
}
SUBJECT = _("%(brand)s: your service request %(number)s")
SUBJECT_COMPLAINT = _("%(brand)s: your complaint %(complaint)s")
# The kinds a customer is told of (the sink's kinds).
KINDS = frozenset(SENTENCES)


@dataclass(frozen=True)
class Words:
    subject: str
    text: str
    params: dict[str, str]  # the template's variables, all strings (Aliyun takes strings only)


def _local(value: Any, fmt: str) -> str:
    when = value if isinstance(value, dt.datetime) else parse_datetime(str(value or ""))
    return f"{timezone.localtime(when):{fmt}}" if when else ""


def order_link(order) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:order", kwargs={"brand": order.brand.code,
                                                                              "pk": order.pk})


def variables(kind: str, *, order, data: dict[str, Any]) -> dict[str, str]:
    """Every variable the kind's sentence names, as strings (made inside the reader's language)."""
    values: dict[str, str] = {"brand": order.brand.name if order else str(data.get("brand", ""))}
    if order is not None:
        values["number"] = order.number
        technician = getattr(order, "technician", None)
        values["technician"] = with_honorific(technician.name) if technician else gettext("our technician")
        if order.slot_start:
            end = f"–{_local(order.slot_end, '%H:%M')}" if order.slot_end else ""
            values["slot"] = _local(order.slot_start, "%m-%d %H:%M") + end
        else:
            values["slot"] = gettext("a time we will confirm with you")
        values["link"] = order_link(order)
    values["eta"] = _local(data.get("eta"), "%H:%M") or gettext("soon")
    if data.get("url") or data.get("link"):
        values["link"] = str(data.get("url") or data.get("link"))
    values["complaint"] = str(data.get("complaint_number") or data.get("number") or "")
    values.setdefault("number", str(data.get("order_number") or ""))
    values.setdefault("link", settings.SITE_URL)
    return values


def words(kind: str, *, language: str, order, data: dict[str, Any]) -> Words:
    with translation.override(language):
        values = variables(kind, order=order, data=data)
        sentence = str(SENTENCES[kind])
        text = sentence % values
        subject = str(SUBJECT_COMPLAINT if kind.startswith("complaint.") else SUBJECT) % values
    used = {name: values[name] for name in values if f"%({name})s" in sentence}
    return Words(subject=subject, text=text, params=used)
