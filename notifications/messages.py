"""The words of a notification, made when it is shown so that each reader reads their own language."""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from workorders.choices import SLA_ALERT_TITLES

# What the inbox filters by: an SLA alert by its clock and state; other kinds by their kind, a complaint's
# notices (received, escalated to you, decided) under one topic.
TOPICS = {
    "onsite_breached": _("On-site deadline missed"),
    "response_breached": _("Response deadline missed"),
    "onsite_at_risk": _("On-site deadline at risk"),
    "response_at_risk": _("Response deadline at risk"),
    "urge": _("Urged by the customer"),
    "complaint": _("Complaints"),
    "hop_late": _("Mail-in step late"),
}
COMPLAINT_OPENED = "complaint_opened"  # notifications/complaint_notices.py writes these three
COMPLAINT_ESCALATED = "complaint_escalated"
COMPLAINT_RESOLVED = "complaint_resolved"
COMPLAINT_KINDS = (COMPLAINT_OPENED, COMPLAINT_ESCALATED, COMPLAINT_RESOLVED)
_KIND_TOPICS = {"urge": ("urge",), "complaint": COMPLAINT_KINDS, "hop_late": ("hop_late",)}
# A mail-in unit late in its hop (logistics/watch.py): the hop's name, which logistics registers at start-up.
STEP_LABELS: dict[str, object] = {}
HOP_LATE_SENTENCE = _("The unit has been at “%(hop)s” since %(since)s; it should have moved on by %(due)s.")
_SLA_TOPICS = {code: tuple(code.split("_", 1)) for code in TOPICS if code not in _KIND_TOPICS}  # (clock, state)

# What happened, in a sentence: the title says which clock; this says what it means and by when.
SENTENCES = {
    ("response", "at_risk"): _("Nobody has accepted it yet; it must be accepted by %(due)s."),
    ("response", "breached"): _("Nobody accepted it by the response deadline, %(due)s."),
    ("onsite", "at_risk"): _("A technician must be on site by %(due)s."),
    ("onsite", "breached"): _("No technician was on site by the deadline, %(due)s."),
}


# An urge (workorders/urges.py): which one of the order's, and whether it opened a complaint.
URGE_SENTENCE = _("The customer urged this late order (urge %(seq)s). Please call them and say when we will be there.")
URGE_ESCALATED = _("This is urge %(seq)s: a complaint about the late visit has been opened.")
COMPLAINT_TITLES = {
    COMPLAINT_OPENED: _("Complaint received"),
    COMPLAINT_ESCALATED: _("Complaint escalated to you"),
    COMPLAINT_RESOLVED: _("Complaint decided"),
}
COMPLAINT_OPENED_SENTENCE = _("Complaint %(number)s was received about your service; acknowledge it by %(due)s.")
COMPLAINT_SENTENCE = _("Complaint %(number)s ran past its deadline and was escalated to you (rung %(level)s of 3).")
COMPLAINT_RESOLVED_SENTENCE = _("Complaint %(number)s was resolved: %(outcome)s.")
COMPLAINT_ARBITRATED_SENTENCE = _("The appeal of complaint %(number)s was decided: %(outcome)s.")
# The verdict in the sentence (complaints.choices.Outcome, which this layer may not import).
OUTCOME_WORDS = {"upheld": _("upheld"), "partly": _("partly upheld"), "not_upheld": _("not upheld")}


def topic_q(code: str) -> Q:
    if code in _KIND_TOPICS:
        return Q(kind__in=_KIND_TOPICS[code])
    clock, state = _SLA_TOPICS[code]
    return Q(kind="sla", data__clock=clock, data__state=state)


def title(notification) -> str:
    data = notification.data or {}
    if notification.kind == "sla":
        return str(SLA_ALERT_TITLES.get((data.get("clock"), data.get("state")), _("Service level")))
    if notification.kind in ("urge", "hop_late"):
        return str(TOPICS[notification.kind])
    if notification.kind in COMPLAINT_TITLES:
        return str(COMPLAINT_TITLES[notification.kind])
    return str(data.get("title") or notification.kind)


def sentence(notification) -> str:
    """What happened, in words: the notification's own text, or for an SLA alert what the deadline means."""
    data = notification.data or {}
    if notification.kind == "urge":
        template = URGE_ESCALATED if data.get("escalated") else URGE_SENTENCE
        return str(template) % {"seq": data.get("seq", "")}
    if notification.kind in COMPLAINT_KINDS:
        return _complaint_sentence(notification.kind, data)
    if notification.kind == "hop_late":
        hop = data.get("hop", "")
        return str(HOP_LATE_SENTENCE) % {"hop": str(STEP_LABELS.get(hop, hop)), "since": _local(data.get("since")),
                                         "due": _local(data.get("due"))}
    if notification.kind != "sla":
        return str(data.get("text") or "")
    template = SENTENCES.get((data.get("clock"), data.get("state")))
    due = parse_datetime(data["due"]) if data.get("due") else None
    if template is None or due is None:
        return ""
    return str(template) % {"due": f"{timezone.localtime(due):%m-%d %H:%M}"}


def _local(value) -> str:
    when = parse_datetime(value) if value else None
    return f"{timezone.localtime(when):%m-%d %H:%M}" if when else ""


def _complaint_sentence(kind: str, data: dict) -> str:
    number = data.get("number", "")
    if kind == COMPLAINT_OPENED:
        return str(COMPLAINT_OPENED_SENTENCE) % {"number": number, "due": _local(data.get("acknowledge_due"))}
    if kind == COMPLAINT_ESCALATED:
        return str(COMPLAINT_SENTENCE) % {"number": number, "level": data.get("level", "")}
    template = COMPLAINT_ARBITRATED_SENTENCE if data.get("final") else COMPLAINT_RESOLVED_SENTENCE
    return str(template) % {"number": number, "outcome": str(OUTCOME_WORDS.get(data.get("outcome"), ""))}
