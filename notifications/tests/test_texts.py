"""The messages of one whole repair, as the customer reads them, in Chinese and in English (a snapshot)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from notifications.texts import KINDS, words

SHANGHAI = ZoneInfo("Asia/Shanghai")
ORDER = SimpleNamespace(
    pk=42, number="WO-202612-000042", brand=SimpleNamespace(name="Acme 净水", code="acme"),
    technician=SimpleNamespace(name="李建军"), slot_start=dt.datetime(2026, 12, 8, 9, 0, tzinfo=SHANGHAI),
    slot_end=dt.datetime(2026, 12, 8, 11, 0, tzinfo=SHANGHAI))
REPAIR = [
    ("order.created", {}),
    ("order.booked", {}),
    ("order.assigned", {}),
    ("order.urged", {}),
    ("order.en_route", {"eta": "2026-12-08T01:40:00+00:00"}),
    ("order.arrived", {}),
    ("order.completed", {}),
    ("survey.sent", {"url": "http://127.0.0.1:8000/portal/acme/survey/Zx8k2/"}),
    ("complaint.opened", {"complaint_number": "CP-0007"}),
    ("complaint.resolved", {"complaint_number": "CP-0007"}),
]
LINK = "http://127.0.0.1:8000/portal/acme/orders/42/"
SNAPSHOT = {
    "zh-hans": [
        "我们已收到您的服务单 WO-202612-000042，将尽快为您安排技师。",
        "您的服务单 WO-202612-000042 已预约上门时间：12-08 09:00–11:00。",
        "李建军师傅将为您处理服务单 WO-202612-000042。",
        "已收到您对服务单 WO-202612-000042 的催单，我们已请调度尽快处理。",
        "李建军师傅已出发，预计 09:40 左右到达（服务单 WO-202612-000042）。",
        "李建军师傅已到达，为您处理服务单 WO-202612-000042。",
        f"您的服务单 WO-202612-000042 已完成，服务报告：{LINK}",
        "服务单 WO-202612-000042 的服务您满意吗？花一分钟告诉我们：http://127.0.0.1:8000/portal/acme/survey/Zx8k2/",
        "我们已收到您的投诉 CP-0007，将尽快给您答复。",
        f"您的投诉 CP-0007 已处理完毕，详情：{LINK}",
    ],
    "en": [
        "We have received your service request WO-202612-000042 and will arrange a technician soon.",
        "Your service visit WO-202612-000042 is booked for 12-08 09:00–11:00.",
        "Technician 李建军 will take care of your service request WO-202612-000042.",
        "We have your reminder about WO-202612-000042 and have asked the dispatcher to hurry it along.",
        "Technician 李建军 is on the way and expects to arrive at about 09:40 (WO-202612-000042).",
        "Technician 李建军 has arrived for your service request WO-202612-000042.",
        f"Your service request WO-202612-000042 is complete. The service report: {LINK}",
        "How did we do on WO-202612-000042? Please tell us in one minute: "
        "http://127.0.0.1:8000/portal/acme/survey/Zx8k2/",
        "We have received your complaint CP-0007 and will reply as soon as we can.",
        f"Your complaint CP-0007 has been resolved. Details: {LINK}",
    ],
}


def test_every_kind_the_customer_is_told_of_is_in_the_repair():
    assert {kind for kind, _ in REPAIR} == KINDS


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_messages_of_one_repair_read_well(language, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    texts = [words(kind, language=language, order=ORDER, data=data).text for kind, data in REPAIR]
    out = Path(settings.BASE_DIR) / "test-artifacts" / f"customer-messages-{language}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert texts == SNAPSHOT[language]


def test_the_sms_variables_are_the_sentences_own():
    said = words("order.en_route", language="en", order=ORDER, data={"eta": "2026-12-08T01:40:00+00:00"})
    assert said.params == {"technician": "Technician 李建军", "eta": "09:40", "number": "WO-202612-000042"}
    assert said.subject == "Acme 净水: your service request WO-202612-000042"
