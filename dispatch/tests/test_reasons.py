"""Every reason can be said in both languages, and the optimiser's reasons all have words."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from dispatch import reasons
from dispatch.candidates import Reason
from dispatch.optimiser.reasons import REASONS

SAMPLE = {"day": dt.date(2026, 12, 9), "km": 6.2, "minutes": 14, "at": 14 * 3600 + 20 * 60, "seconds": 11400,
          "load": 5, "capacity": 7, "booked": 40, "skill": "RO", "until": 11 * 3600, "end": 17 * 3600 + 1800}


def test_the_optimisers_reasons_all_have_words():
    assert set(reasons.UNPLANNED) == set(REASONS)


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_phrase_is_said_with_its_parameters(language):
    with translation.override(language):
        for code in reasons.PHRASES:
            text = reasons.say(Reason(code, SAMPLE))
            assert text and "%(" not in text and ("_" not in code or code not in text), code
        line = reasons.say_all([Reason("skill_ok"), Reason("distance", SAMPLE), Reason("arrives", SAMPLE),
                                Reason("sla_slack", SAMPLE), Reason("load", SAMPLE)])
    expected = {"en": "skill ok, 6.2 km, arrives 14:20, SLA slack 3 h 10 min, load 5/7",
                "zh-hans": "技能符合，6.2 公里，14:20 到达，距 SLA 时限还有 3 小时 10 分钟，负荷 5/7"}
    assert line == expected[language]


def test_clock_and_span():
    assert reasons.clock(0) == "00:00" and reasons.clock(86400 + 3600) == "01:00 (+1)"
    with translation.override("en"):
        assert [reasons.span(s) for s in (0, 59 * 60, 3600, 3660)] == ["0 min", "59 min", "1 h", "1 h 1 min"]
