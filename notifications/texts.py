"""The words of the messages a customer gets, per event kind, in the customer's language.

One sentence per kind, with the variables of its approved SMS template (settings.SMS_TEMPLATES): what our
log backends write and the timeline shows is the same text the gateway sends from its copy of the template.
Variables: ``brand``, ``number`` (the order), ``technician`` (with the honorific), ``slot`` (the booked window,
local time), ``eta`` ("at about 09:40", or "soon" when it cannot be told), ``link`` (the portal's page of the
order, the survey, or the customer's complaints), ``complaint`` (the complaint's number).

The variables come from the event's ``data``, which holds them as they were when it happened
(workorders/events.py): a message held back by quiet hours or sent on a retry names the technician and the
window of its event, not whoever has the job by then. The order is read only for what an older event lacks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.dates import window
from core.names import with_honorific
from notifications.messages import OUTCOME_WORDS

SENTENCES = {
    "order.created": _("We have received your service request %(number)s and will arrange a technician soon."),
    "order.booked": _("Your service visit %(number)s is booked for %(slot)s."),
    "order.moved": _("Your service visit %(number)s has been moved to %(slot)s."),
    "order.assigned": _("%(technician)s will take care of your service request %(number)s."),
    "order.en_route": _("%(technician)s is on the way to you and should arrive %(eta)s (%(number)s)."),
    "order.arrived": _("%(technician)s has arrived for your service request %(number)s."),
    "order.completed": _("Your service request %(number)s is complete. The service report: %(link)s"),
    "survey.sent": _("How did we do on %(number)s? Please tell us in one minute: %(link)s"),
    "order.urged": _("We have your reminder about %(number)s and have asked the dispatcher to hurry it along."),
    "complaint.opened": _("We have received your complaint %(complaint)s and will reply as soon as we can."),
    "complaint.resolved": _("Your complaint %(complaint)s has been resolved. Details: %(link)s"),
    # The arbiter decided the outlet's appeal of the first verdict: the final word, said as such.
    "complaint.arbitrated": _("Your complaint %(complaint)s has been reviewed on appeal: %(verdict)s. "
                              "Details: %(link)s"),
    # Service reminders (maintenance/reminders.py): the unit, what is due, when, and the one-tap link.
    "reminder.consumable": _("The %(part)s of your %(unit)s is due for replacement around %(due)s. "
                             "Book a visit in one tap: %(link)s"),
    "reminder.maintenance": _("Your %(unit)s is due for its %(plan)s visit around %(due)s. "
                              "Book it in one tap: %(link)s"),
    # Mail-in repair (logistics): the request (an order.created of a mail-in order: nobody is sent), the pickup,
    # the unit's arrival, the quote to answer, the way back.
    "mailin.created": _("We have received your mail-in repair request %(number)s and are booking a courier to "
                        "collect your unit."),
    "mailin.pickup_booked": _("Your mail-in repair %(number)s is booked. Courier pickup: %(slot)s (waybill "
                              "%(waybill)s). Track it: %(link)s"),
    "mailin.collected": _("The courier has collected your unit for repair %(number)s (waybill %(waybill)s). "
                          "Track it: %(link)s"),
    "mailin.received": _("Your unit for repair %(number)s has arrived at our repair centre and is being checked."),
    "mailin.quoted": _("The repair of your unit (%(number)s) costs %(amount)s yuan. Approve or decline in one "
                       "tap: %(link)s"),
    "mailin.shipped": _("Your unit for repair %(number)s is on its way back to you (waybill %(waybill)s). "
                        "Track it: %(link)s"),
}
REMINDER_KINDS = frozenset({"reminder.consumable", "reminder.maintenance"})
# The WeChat template's remark (its last line, under the details): what the customer can do next.
URGE_HINT = _("Waiting too long? Reply 催单 (urge) and we will hurry it along.")
COMPLAIN_HINT = _("Not happy with the service? Reply 投诉 and tell us what went wrong.")
DETAILS_HINT = _("Tap for the details.")
REMARKS = {kind: URGE_HINT for kind in ("order.created", "order.booked", "order.moved", "order.assigned",
                                        "order.en_route")}
REMARKS.update({kind: COMPLAIN_HINT for kind in ("order.completed", "survey.sent")})
REMINDER_HINT = _("Tap to book a visit. To stop reminders, change your message settings in the service portal.")
REMARKS.update({kind: REMINDER_HINT for kind in ("reminder.consumable", "reminder.maintenance")})
SUBJECT = _("%(brand)s: your service request %(number)s")
SUBJECT_COMPLAINT = _("%(brand)s: your complaint %(complaint)s")
SUBJECT_REMINDER = _("%(brand)s: service reminder for your %(unit)s")
# The kinds a customer is told of (the sink's kinds).
KINDS = frozenset(SENTENCES)


def message_kind(kind: str, data: dict[str, Any]) -> str:
    """The message an event makes: its own kind's, but a mail-in order's creation says a courier will come."""
    return "mailin.created" if kind == "order.created" and data.get("type") == "mail_in" else kind


@dataclass(frozen=True)
class Words:
    subject: str
    text: str
    params: dict[str, str]  # the template's variables, all strings (Aliyun takes strings only)
    brand: str = ""  # whose name an SMS is signed with


def _moment(value: Any) -> dt.datetime | None:
    when = value if isinstance(value, dt.datetime) else parse_datetime(str(value or ""))
    return timezone.localtime(when) if when else None


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def order_link(order) -> str:
    """The customer's own page of the order (workorders.events.customer_link: what an order's event carries)."""
    return _site(reverse("portal:order", kwargs={"brand": order.brand.code, "pk": order.pk}))


def complaints_link(brand_code: str) -> str:
    """The customer's list of their complaints, with each one's status and outcome."""
    return _site(reverse("portal:complaints", kwargs={"brand": brand_code}))


def slot_words(start: Any, end: Any) -> str:
    """The booked window as a message says it: "December 8, 09:00–11:00" / "12月8日 09:00–11:00", written by
    core.dates.window as the portal's timeline writes it."""
    start, end = _moment(start), _moment(end)
    if start is None:
        return gettext("a time we will confirm with you")
    return window(start, end)


def eta_words(eta: Any) -> str:
    """When the technician should arrive, to follow "should arrive": "at about 09:40", or "soon"."""
    when = _moment(eta)
    if when is None:
        return gettext("soon")
    return gettext("at about %(time)s") % {"time": f"{when:%H:%M}"}


def _told(data: dict[str, Any], order, key: str, from_order) -> Any:
    """The event's own value of ``key``; the order's only when the event (an older one) does not carry it."""
    if key in data:
        return data[key]
    return from_order(order) if order is not None else None


def variables(kind: str, *, order, data: dict[str, Any], brand=None) -> dict[str, str]:
    """Every variable the kind's sentence names, as strings (made inside the reader's language), from the event's
    ``data``; ``order`` (and ``brand``, when there is no order) only for what the event does not say."""
    brand = brand if brand is not None else getattr(order, "brand", None)
    values: dict[str, str] = {"brand": str(data.get("brand") or (brand.name if brand else ""))}
    complaint = kind.startswith("complaint.")
    # A complaint's event names the complaint; the order it is about is the order's own number.
    number = data.get("order_number") if complaint else data.get("number")
    values["number"] = str(number or (order.number if order is not None else ""))
    technician = _told(data, order, "technician", lambda o: getattr(o.technician, "name", ""))
    # Capitalised: the technician opens every sentence that names them ("Technician 李建军 has arrived ...").
    values["technician"] = with_honorific(technician or "") or gettext("Our technician")
    if "slot_start" in data:
        values["slot"] = slot_words(data.get("slot_start"), data.get("slot_end"))
    else:
        values["slot"] = slot_words(getattr(order, "slot_start", None), getattr(order, "slot_end", None))
    values["eta"] = eta_words(data.get("eta"))
    link = data.get("url") or data.get("link")
    if not link and complaint:
        link = complaints_link(brand.code) if brand else None
    elif not link and order is not None:
        link = order_link(order)
    values["link"] = str(link or settings.SITE_URL)
    values["complaint"] = str(data.get("complaint_number") or data.get("number") or "")
    # The verdict in words, as the staff's notice of it says it (notifications/messages.py).
    values["verdict"] = str(OUTCOME_WORDS.get(str(data.get("outcome") or ""), ""))
    if kind in REMINDER_KINDS:
        values.update(reminder_variables(data))
    values["waybill"] = str(data.get("waybill") or "")
    values["amount"] = str(data.get("amount") or "")
    return values


def reminder_variables(data: dict[str, Any]) -> dict[str, str]:
    """A reminder's unit, part (in the reader's language when the part has an English name), plan and due day
    ("December 20" / "12月20日"), from the event's data (maintenance/reminders.py writes them)."""
    english = translation.get_language() == "en"
    due = dt.date.fromisoformat(str(data["due_on"])[:10]) if data.get("due_on") else None
    return {"unit": str(data.get("unit") or ""),
            "part": str((data.get("part_en") if english else "") or data.get("part") or ""),
            "plan": str(data.get("plan") or ""),
            "due": date_format(due, "MONTH_DAY_FORMAT") if due else ""}


def words(kind: str, *, language: str, order, data: dict[str, Any], brand=None) -> Words:
    with translation.override(language):
        values = variables(kind, order=order, data=data, brand=brand)
        sentence = str(SENTENCES[kind])
        text = sentence % values
        subject = str(SUBJECT_COMPLAINT if kind.startswith("complaint.")
                      else SUBJECT_REMINDER if kind in REMINDER_KINDS else SUBJECT) % values
    used = {name: values[name] for name in values if f"%({name})s" in sentence}
    return Words(subject=subject, text=text, params=used, brand=values["brand"])


def remark(kind: str, *, language: str) -> str:
    """The last line of a message that has room for one (WeChat's remark), in ``language``: how to urge an order
    still on its way, how to complain about one done, else where the details are."""
    with translation.override(language):
        return str(REMARKS.get(kind, DETAILS_HINT))
