"""Every dispatch decision in the reader's language: a reason code and its parameters, said as a phrase."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from dispatch.candidates import Reason


def clock(seconds: int) -> str:
    """Seconds of the day as HH:MM (past midnight: the next day's time, marked +1)."""
    days, rest = divmod(int(seconds), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text if days <= 0 else f"{text} (+{days})"


def span(seconds: int) -> str:
    minutes = max(0, round(seconds / 60))
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
    if hours:
        return _("%(hours)d h") % {"hours": hours}
    return _("%(minutes)d min") % {"minutes": minutes}


def _day(value: dt.date) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def _km(value: float) -> str:
    return formats.number_format(value, 1)


PHRASES: dict[str, Any] = {
    # candidates
    "skill_ok": lambda p: _("skill ok"),
    "no_skill_needed": lambda p: _("no special skill needed"),
    "certificate_until": lambda p: _("certificate valid until %(day)s") % {"day": _day(p["day"])},
    "distance": lambda p: _("%(km)s km") % {"km": _km(p["km"])},
    "added_travel": lambda p: _("+%(minutes)d min travel") % {"minutes": p["minutes"]},
    "arrives": lambda p: _("arrives %(time)s") % {"time": clock(p["at"])},
    "sla_slack": lambda p: _("SLA slack %(span)s") % {"span": span(p["seconds"])},
    "sla_late": lambda p: _("SLA breached by %(span)s on arrival") % {"span": span(p["seconds"])},
    "load": lambda p: _("load %(load)d/%(capacity)d") % p,
    "in_house_for_complex": lambda p: _("in-house staff for a complex or high-value job"),
    "partner_for_complex": lambda p: _("partner outlet on a complex or high-value job (+%(minutes)d min)") % p,
    # outlets and technicians left out
    "outlet_not_authorised": lambda p: _("the outlet is not authorised for this product category"),
    "outlet_full": lambda p: _("the outlet is full that day (%(booked)d of %(capacity)d jobs)") % p,
    "partner_not_allowed": lambda p: _("complex and high-value jobs go to in-house staff only"),
    "no_skill": lambda p: _("lacks the skill %(skill)s") % {"skill": p["skill"]},
    "certificate_not_current": lambda p: _("no certificate for %(skill)s valid on %(day)s") % {
        "skill": p["skill"], "day": _day(p["day"])},
    "off_shift": lambda p: _("not on shift on %(day)s") % {"day": _day(p["day"])},
    "fully_booked": lambda p: _("fully booked (%(load)d/%(capacity)d jobs)") % p,
    "cannot_reach_window": lambda p: _("cannot arrive by %(time)s") % {"time": clock(p["until"])},
    "past_shift_end": lambda p: _("would finish after the shift ends (%(time)s)") % {"time": clock(p["end"])},
    "no_room_for_lunch": lambda p: _("no room left for the lunch break"),
    "not_this_outlet": lambda p: _("the order is with another outlet"),
    "technician_not_working": lambda p: _("its technician is not working that day"),
    "technician_day_kept": lambda p: _("its technician has accepted a job the plan cannot fit: their day stays "
                                       "as it is"),
    # notes on the job itself
    "window_passed": lambda p: _("the booked window has passed: as soon as possible"),
    "site_without_coordinates": lambda p: _("the site has no coordinates: travel is an allowance"),
    "no_region": lambda p: _("the site has no region: no outlet serves it"),
    "no_outlet_serves": lambda p: _("no active outlet serves this region"),
}

# What the optimiser says about a job it left out (the codes of dispatch.optimiser.reasons.REASONS, spelt out
# here so the board does not import the solvers; test_reasons checks they match), in the reader's language.
UNPLANNED = {
    "no_skilled_technician": gettext_lazy(
        "nobody in the plan holds the skill, the category's authorisation or a current certificate"),
    "over_capacity": gettext_lazy("more than any technician can carry"),
    "outside_shifts": gettext_lazy("no qualified technician can reach it in its window and be back "
                                                   "before the shift ends"),
    "no_room": gettext_lazy("it fits a day on its own, but not beside jobs of higher priority or "
                                            "less travel"),
}


def say(reason: Reason) -> str:
    phrase = PHRASES.get(reason.code)
    return phrase(reason.params) if phrase else reason.code


def say_all(reasons) -> str:
    return pgettext("list separator", ", ").join(say(r) for r in reasons)
