"""When a contract's visits fall: plain date arithmetic, no ORM (STYLE.md: pure algorithms in plain modules).

A contract of ``visits_per_year`` over a term gets ``visits_per_year × whole months / 12`` visits (at least
one), each in a target week named by its Monday. The weeks are the Mondays inside the term; the visits take
the middle week of equal shares of them, so they are evenly spread and the first is not on the first day
(the unit was usually just serviced when the contract was signed) nor the last on the last.
"""

from __future__ import annotations

import datetime as dt

from core.dates import add_months

WEEK = dt.timedelta(days=7)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def whole_months(starts_on: dt.date, ends_on: dt.date) -> int:
    """Whole calendar months from ``starts_on`` to the day after ``ends_on`` (the term's end is inclusive), as
    add_months counts them: 1 January to 31 December is 12, 15 March to 14 March next year is 12, 15 March to
    13 March is 11, 30 January to 28 February (2027) is 1."""
    after = ends_on + dt.timedelta(days=1)
    months = (after.year - starts_on.year) * 12 + after.month - starts_on.month
    if months > 0 and add_months(starts_on, months) > after:
        months -= 1
    return max(0, months)


def term_end(starts_on: dt.date, term_months: int) -> dt.date:
    """The last day of a term of ``term_months`` starting on ``starts_on`` (inclusive)."""
    return add_months(starts_on, term_months) - dt.timedelta(days=1)


def visit_count(starts_on: dt.date, ends_on: dt.date, visits_per_year: int) -> int:
    """``visits_per_year × years`` for the whole months of the term, at least one."""
    return max(1, visits_per_year * whole_months(starts_on, ends_on) // 12)


def mondays_in(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    first = monday_of(starts_on)
    if first < starts_on:
        first += WEEK
    weeks = []
    while first <= ends_on:
        weeks.append(first)
        first += WEEK
    return weeks


def target_weeks(starts_on: dt.date, ends_on: dt.date, visits_per_year: int) -> list[dt.date]:
    """The target weeks (Mondays inside the term, ascending) of the term's visits; several visits share a week
    only when the term has fewer Mondays than visits. Empty when the term holds no Monday."""
    weeks = mondays_in(starts_on, ends_on)
    if not weeks:
        return []
    count = visit_count(starts_on, ends_on, visits_per_year)
    return [weeks[(2 * i + 1) * len(weeks) // (2 * count)] for i in range(count)]
