"""The messages of one whole repair, as the customer reads them, in Chinese and in English (a snapshot)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from notifications.texts import KINDS, remark, words

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The order as it is when the messages are written: another technician and another window by now, so every
# message that names them must take its event's (workorders/events.py), never these.
ORDER = SimpleNamespace(
    pk=42, number="WO-202612-000042", brand=SimpleNamespace(name="Acme 净水", code="acme"),
    technician=SimpleNamespace(name="王强"), slot_start=dt.datetime(2026, 12, 9, 14, 0, tzinfo=SHANGHAI),
    slot_end=dt.datetime(2026, 12, 9, 16, 0, tzinfo=SHANGHAI))
LINK = "http://127.0.0.1:8000/portal/acme/orders/42/"
WINDOW = {"slot_start": "2026-12-08T01:00:00+00:00", "slot_end": "2026-12-08T03:00:00+00:00"}
STEP = {"number": ORDER.number, **WINDOW, "link": LINK}  # what every lifecycle step's event carries
COMPLAINT = {"complaint_id": 7, "complaint_number": "CP-0007", "customer_id": 3}
# Each kind with the data its event carries (workorders/events.py, feedback/surveys.py, workorders/urges.py,
# complaints/events.py).
REPAIR = [
    ("order.created", {"number": ORDER.number, "type": "repair", "channel": "portal", "priority": "normal",
                       **WINDOW}),
    ("order.booked", {**STEP, "previous": None, "actor_role": "customer"}),
    ("order.assigned", {**STEP, "technician": "李建军"}),
    ("order.urged", {"number": ORDER.number, "seq": 1, "channel": "portal", "escalated": False}),
    ("order.en_route", {**STEP, "technician": "李建军", "eta": "2026-12-08T01:40:00+00:00"}),
    ("order.arrived", {**STEP, "technician": "李建军"}),
    ("order.completed", {**STEP, "technician": "李建军"}),
    ("survey.sent", {"link": "http://127.0.0.1:8000/portal/acme/survey/Zx8k2/", "expires_at": "2026-12-15"}),
    ("complaint.opened", {**COMPLAINT, "category": "late", "severity": "high"}),
    ("complaint.resolved", {**COMPLAINT, "outcome": "upheld"}),
    ("complaint.arbitrated", {**COMPLAINT, "outcome": "partly", "appealed_outcome": "upheld"}),
    # The next visit, moved by the desk into January: a month and day without a leading zero (1月8日).
    ("order.moved", {**STEP, "slot_start": "2027-01-08T01:00:00+00:00", "slot_end": "2027-01-08T03:00:00+00:00",
                     "previous": list(WINDOW.values()), "actor_role": "dispatcher"}),
    # Service reminders (maintenance/reminders.py writes their data): the unit, the part or plan, the day, the link.
    ("reminder.consumable", {"customer_id": 1, "unit": "净水器 RO-500", "part": "PP棉滤芯",
                             "part_en": "PP cotton filter", "due_on": "2026-12-20",
                             "link": "http://127.0.0.1:8000/portal/acme/r/Tk12/"}),
    ("reminder.maintenance", {"customer_id": 1, "unit": "净水器 RO-500", "plan": "标准保养", "due_on": "2027-01-08",
                              "link": "http://127.0.0.1:8000/portal/acme/r/Tk13/"}),
    # Mail-in repair (logistics: booking.py, workflow.py, bench.py write their data).
    ("mailin.pickup_booked", {"number": ORDER.number, "waybill": "SF1000000000001", "customer_id": 1, **WINDOW}),
    ("mailin.collected", {"number": ORDER.number, "hop": "collected", "waybill": "SF1000000000001",
                          "customer_id": 1}),
    ("mailin.received", {"number": ORDER.number, "hop": "received", "customer_id": 1}),
    ("mailin.quoted", {"number": ORDER.number, "hop": "quoted", "amount": "350.00", "customer_id": 1,
                       "url": "http://127.0.0.1:8000/portal/acme/quote/Qt7/"}),
    ("mailin.shipped", {"number": ORDER.number, "hop": "shipped", "waybill": "SF2000000000002", "customer_id": 1}),
    ("mailin.created", {"number": ORDER.number, "type": "mail_in", "channel": "portal", "priority": "normal",
                        **WINDOW}),
]
COMPLAINTS = "http://127.0.0.1:8000/portal/acme/complaints/"
SNAPSHOT = {
    "zh-hans": [
        "我们已收到您的服务单 WO-202612-000042，将尽快为您安排技师。",
        "您的服务单 WO-202612-000042 已预约上门时间：12月8日 09:00–11:00。",
        "李建军师傅将为您处理服务单 WO-202612-000042。",
        "已收到您对服务单 WO-202612-000042 的催单，我们已请调度尽快处理。",
        "李建军师傅已出发，预计09:40左右到达（服务单 WO-202612-000042）。",
        "李建军师傅已到达，为您处理服务单 WO-202612-000042。",
        f"您的服务单 WO-202612-000042 已完成，服务报告：{LINK}",
        "服务单 WO-202612-000042 的服务您满意吗？花一分钟告诉我们：http://127.0.0.1:8000/portal/acme/survey/Zx8k2/",
        "我们已收到您的投诉 CP-0007，将尽快给您答复。",
        f"您的投诉 CP-0007 已处理完毕，详情：{COMPLAINTS}",
        f"您的投诉 CP-0007 经复核，最终结论为部分成立，详情：{COMPLAINTS}",
        "您的服务单 WO-202612-000042 上门时间已改到：1月8日 09:00–11:00。",
        "您的净水器 RO-500的PP棉滤芯约在12月20日到期需要更换。一键预约上门：http://127.0.0.1:8000/portal/acme/r/Tk12/",
        "您的净水器 RO-500约在1月8日需要进行保养（标准保养）。一键预约：http://127.0.0.1:8000/portal/acme/r/Tk13/",
        f"您的寄修服务单 WO-202612-000042 已预约。快递上门取件时间：12月8日 09:00–11:00（运单号 SF1000000000001）。"
        f"查看进度：{LINK}",
        f"快递员已取走您的寄修产品（服务单 WO-202612-000042，运单号 SF1000000000001）。查看进度：{LINK}",
        "您的寄修产品（服务单 WO-202612-000042）已到达维修中心，正在检测。",
        "您的产品（服务单 WO-202612-000042）维修费用为 350.00 元。一键确认或拒绝："
        "http://127.0.0.1:8000/portal/acme/quote/Qt7/",
        f"您的寄修产品（服务单 WO-202612-000042）已寄回（运单号 SF2000000000002）。查看进度：{LINK}",
        "我们已收到您的寄修申请 WO-202612-000042，正在为您预约快递上门取件。",
    ],
    "en": [
        "We have received your service request WO-202612-000042 and will arrange a technician soon.",
        "Your service visit WO-202612-000042 is booked for December 8, 09:00–11:00.",
        "Technician 李建军 will take care of your service request WO-202612-000042.",
        "We have your reminder about WO-202612-000042 and have asked the dispatcher to hurry it along.",
        "Technician 李建军 is on the way to you and should arrive at about 09:40 (WO-202612-000042).",
        "Technician 李建军 has arrived for your service request WO-202612-000042.",
        f"Your service request WO-202612-000042 is complete. The service report: {LINK}",
        "How did we do on WO-202612-000042? Please tell us in one minute: "
        "http://127.0.0.1:8000/portal/acme/survey/Zx8k2/",
        "We have received your complaint CP-0007 and will reply as soon as we can.",
        f"Your complaint CP-0007 has been resolved. Details: {COMPLAINTS}",
        f"Your complaint CP-0007 has been reviewed on appeal: partly upheld. Details: {COMPLAINTS}",
        "Your service visit WO-202612-000042 has been moved to January 8, 09:00–11:00.",
        "The PP cotton filter of your 净水器 RO-500 is due for replacement around December 20. Book a visit in one "
        "tap: http://127.0.0.1:8000/portal/acme/r/Tk12/",
        "Your 净水器 RO-500 is due for its 标准保养 visit around January 8. Book it in one tap: "
        "http://127.0.0.1:8000/portal/acme/r/Tk13/",
        "Your mail-in repair WO-202612-000042 is booked. Courier pickup: December 8, 09:00–11:00 (waybill "
        f"SF1000000000001). Track it: {LINK}",
        f"The courier has collected your unit for repair WO-202612-000042 (waybill SF1000000000001). Track it: {LINK}",
        "Your unit for repair WO-202612-000042 has arrived at our repair centre and is being checked.",
        "The repair of your unit (WO-202612-000042) costs 350.00 yuan. Approve or decline in one tap: "
        "http://127.0.0.1:8000/portal/acme/quote/Qt7/",
        "Your unit for repair WO-202612-000042 is on its way back to you (waybill SF2000000000002). Track it: "
        f"{LINK}",
        "We have received your mail-in repair request WO-202612-000042 and are booking a courier to collect your "
        "unit.",
    ],
}


def test_every_kind_the_customer_is_told_of_is_in_the_repair():
    assert len(REPAIR) == len(KINDS) and {kind for kind, _ in REPAIR} == KINDS


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_messages_of_one_repair_read_well(language, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    texts = [words(kind, language=language, order=ORDER, data=data).text for kind, data in REPAIR]
    out = Path(settings.BASE_DIR) / "test-artifacts" / f"customer-messages-{language}.txt"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert texts == SNAPSHOT[language]


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-hans", ["我们的技师将为您处理服务单 WO-202612-000042。",
                 "我们的技师已出发，预计稍后到达（服务单 WO-202612-000042）。",
                 "您的服务单 WO-202612-000042 已预约上门时间：待与您确认的时间。"]),
    ("en", ["Our technician will take care of your service request WO-202612-000042.",
            "Our technician is on the way to you and should arrive soon (WO-202612-000042).",
            "Your service visit WO-202612-000042 is booked for a time we will confirm with you."]),
])
def test_what_the_event_could_not_tell_still_reads_as_a_sentence(language, expected):
    # No technician named at the event, no ETA (no coordinates), no window booked
    said = [words("order.assigned", language=language, order=ORDER, data={**STEP, "technician": ""}),
            words("order.en_route", language=language, order=ORDER, data={**STEP, "technician": "", "eta": None}),
            words("order.booked", language=language, order=ORDER,
                  data={**STEP, "slot_start": None, "slot_end": None})]
    assert [w.text for w in said] == expected


def test_an_older_event_without_the_window_or_the_link_takes_them_from_the_order(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    booked = words("order.booked", language="en", order=ORDER, data={"number": ORDER.number})
    completed = words("order.completed", language="en", order=ORDER, data={"number": ORDER.number})
    assigned = words("order.assigned", language="en", order=ORDER, data={"number": ORDER.number})
    assert booked.text == "Your service visit WO-202612-000042 is booked for December 9, 14:00–16:00."
    assert completed.params["link"] == LINK
    assert assigned.text == "Technician 王强 will take care of your service request WO-202612-000042."


def test_the_sms_variables_are_the_sentences_own():
    said = words("order.en_route", language="en", order=ORDER,
                 data={**STEP, "technician": "李建军", "eta": "2026-12-08T01:40:00+00:00"})
    assert said.params == {"technician": "Technician 李建军", "eta": "at about 09:40", "number": "WO-202612-000042"}
    assert said.subject == "Acme 净水: your service request WO-202612-000042"
    assert said.brand == "Acme 净水"


@pytest.mark.parametrize(("language", "expected"), [
    ("zh-hans", ["还在等？回复“催单”，我们会尽快催促处理。", "对服务不满意？回复“投诉”并告诉我们哪里没做好。",
                 "点击查看详情。"]),
    ("en", ["Waiting too long? Reply 催单 (urge) and we will hurry it along.",
            "Not happy with the service? Reply 投诉 and tell us what went wrong.", "Tap for the details."]),
])
def test_the_remark_says_what_the_customer_can_do_next(language, expected):
    # An order on its way can be urged; a finished one complained about; the rest point to their details
    assert [remark(kind, language=language) for kind in ("order.moved", "order.completed", "complaint.opened")] == (
        expected)
    assert {remark(kind, language=language) for kind in ("order.created", "order.booked", "order.assigned",
                                                          "order.en_route")} == {expected[0]}


def test_the_arbiters_decision_is_its_own_message_with_its_own_template(settings):
    # The first verdict and the arbiter's final one read differently, and each has its own approved SMS template.
    settings.SITE_URL = "http://127.0.0.1:8000"
    first = words("complaint.resolved", language="zh-hans", order=ORDER, data={**COMPLAINT, "outcome": "upheld"})
    final = words("complaint.arbitrated", language="zh-hans", order=ORDER, data={**COMPLAINT, "outcome": "not_upheld"})
    assert final.text != first.text and "最终结论为不成立" in final.text
    assert final.params == {"complaint": "CP-0007", "verdict": "不成立", "link": COMPLAINTS}
    codes = settings.SMS_TEMPLATES
    assert codes["complaint.arbitrated"]["zh-hans"] not in {codes["complaint.resolved"]["zh-hans"], ""}
