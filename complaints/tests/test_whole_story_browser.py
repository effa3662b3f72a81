"""Issue 15's whole story with ONE order, in Debian's chromium against the live server, in Chinese: the customer (on a
phone) gets the messages of one repair from the real outbox worker through the loopback SMS, WeChat and SMTP
stand-ins, rates it 2★ "not solved" through the survey link of their SMS (no password); the callback desk (desktop)
reopens it as rework to another outlet; the customer complains about it; the complaint escalates after its SLA
(the ladder's watch run with a later ``now``); the brand's desk resolves it upheld with compensation; the outlet
manager appeals once (a second appeal is refused); the arbiter decides; the customer sees the final status.

Each step asserts on what the person sees and on the database. Screenshots: test-artifacts/screenshots/story-*.png.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from accounts.principal import principal_of
from complaints.choices import ComplaintStatus, LadderLevel
from complaints.models import Complaint
from complaints.tasks import watch_ladder
from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from core.dates import hours, window
from core.models import Delivery, DeliveryStatus
from core.tasks import deliver_outbox
from dispatch.selectors import offer_slots
from feedback.choices import CallbackReason, CallbackStatus, Decision
from feedback.models import Callback, Rating, Survey, SurveyPolicy
from notifications import customer_messages
from notifications.models import CustomerMessage, Notification
from notifications.tasks import send_due_customer_messages
from notifications.tests.messaging import start_providers, stop_providers
from workorders import intake, services, workflow
from workorders.choices import Channel, Status, WorkOrderType
from workorders.models import WorkOrder
from workorders.tests.intake_setup import prepare_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHANNELS = {"sms", "wechat", "email"}
REPAIR_KINDS = ["order.created", "order.booked", "order.assigned", "order.en_route", "order.arrived",
                "order.completed", "survey.sent"]


@pytest.fixture
def story(transactional_db, settings, live_server):
    cache.clear()  # another test's WeChat access token must not be used
    world = prepare_intake(build_world())
    # People and places with Chinese names (family name first), as the pages will show them.
    for org, name in ((world.outlet_a, "西湖服务网点"), (world.outlet_b, "滨江服务网点")):
        org.name = name
        org.save(update_fields=["name"])
    for tech, name in ((world.tech_a, "李建军"), (world.tech_b, "赵强")):
        tech.name = name
        tech.save(update_fields=["name"])
    world.customer.name = "王芳"
    world.customer.save(update_fields=["name"])
    staff = ((world.hotline, "陈", "静"), (world.dispatcher, "周", "敏"), (world.manager_a, "孙", "立伟"),
             (world.admin, "吴", "海"))
    for user, family, given in ((world.customer.user, "王", "芳"), *staff):
        user.last_name, user.first_name = family, given
        user.save(update_fields=["last_name", "first_name"])
    world.model.name = "RO-500 反渗透净水器"
    world.model.save(update_fields=["name"])
    # Only the answers put this order on the desk (no sampling), so the review is the survey's doing.
    SurveyPolicy.objects.create(brand=world.brand, sample_percent=0, sample_premium=False)
    settings.SITE_URL = live_server.url  # the links in the messages open this server
    providers = start_providers(settings, world)
    yield world, providers
    stop_providers(providers)


def customer_phone(browser, live_server, user=None):
    """The customer's phone: signed in to the portal (its own sign-in is tested elsewhere), or not at all."""
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    if user is not None:
        client = Client()
        client.force_login(user)
        page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "url": live_server.url,
                                   "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value}])
    return page


def staff_desktop(browser, live_server, username):
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, username)
    return page


def fits_its_window(page) -> bool:
    """No sideways scrolling: the page is as wide as its window (a phone's, or a desk's)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def complaint_step(page, action: str, fields: dict[str, str], *, checks=(), selects=None) -> None:
    form = page.locator(f"form.action-form[data-action={action}]")
    for name, value in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    for value in checks:
        form.locator(f"input[name=remedies][value={value}]").check()
    form.locator("button[type=submit]").click()


def told_once_per_channel(order, kinds: list[str]) -> None:
    """Each event the customer is told of: exactly one message on each channel, sent; no other event told."""
    send_what_quiet_hours_held()
    outbox_drained()
    rows = CustomerMessage.objects.filter(work_order=order)
    per_event = Counter(rows.values_list("event_id", "channel"))
    assert set(per_event.values()) == {1}
    events = list(rows.order_by("event_id").values_list("event_id", "kind").distinct())
    assert [kind for _, kind in events] == kinds
    for event_id, _ in events:
        assert set(rows.filter(event_id=event_id).values_list("channel", flat=True)) == CHANNELS
    assert set(rows.values_list("status", flat=True)) == {"sent"}


def send_what_quiet_hours_held() -> None:
    """Run at night, the SMS of all but "on the way" waits for 08:00: the periodic job sends them then."""
    morning = customer_messages.quiet_until(timezone.now())
    if morning is not None:
        customer_messages.send_due(now=morning + dt.timedelta(minutes=1))
    assert send_due_customer_messages.call() == 0


def outbox_drained() -> None:
    """The outbox worker delivered every event to every sink already (promptly, after each commit)."""
    assert deliver_outbox.call() == 0
    assert not Delivery.objects.exclude(status=DeliveryStatus.DELIVERED).exists()


def test_one_repair_from_its_messages_to_the_arbiters_decision(browser, live_server, story):
    world, providers = story
    hotline, dispatcher = principal_of(world.hotline), principal_of(world.dispatcher)
    technician = principal_of(world.tech_a.user)

    # 1. The hotline takes the call and books a visit; outlet A's 李建军 goes, arrives and completes the repair.
    order = services.create_work_order(
        actor=hotline, customer=world.customer, product=world.product, type=WorkOrderType.REPAIR,
        channel=Channel.HOTLINE, symptom="净水器出水有异味")
    offer = next(o for o in offer_slots(product=world.product, service_type="repair")
                 if o.outlet_id == world.outlet_a.pk)
    order = intake.reschedule(order=order, actor=hotline, slot=(offer.start, offer.end))
    assert (order.status, order.outlet_id) == (Status.ASSIGNED, world.outlet_a.pk)
    order = workflow.transition(order, "dispatch", actor=dispatcher, technician=world.tech_a)
    for step in ("accept", "depart", "arrive", "complete"):
        order = workflow.transition(order, step, actor=technician)

    assert WorkOrder.objects.get(pk=order.pk).status == Status.COMPLETED
    told_once_per_channel(order, REPAIR_KINDS)
    # What reached the customer's phone, WeChat and mailbox: each message once, through the providers' APIs.
    assert len(providers.sms.sent) == len(providers.wechat.sent) == len(providers.smtp.messages) == 7
    survey = Survey.objects.get(work_order=order)
    links = [json.loads(sms["TemplateParam"]).get("link", "") for sms in providers.sms.sent]
    survey_links = [link for link in links if "/survey/" in link]
    assert len(survey_links) == 1 and survey_links[0].startswith(f"{live_server.url}/portal/acme/survey/")
    sms_link = survey_links[0]

    phone = customer_phone(browser, live_server, world.customer.user)
    phone.goto(f"{phone.base}/portal/acme/orders/{order.pk}/")
    assert phone.inner_text("#order-status") == "完成"
    told = phone.locator("#messages")
    assert told.locator("li").count() == 7  # one line per thing told, newest first, with its channels
    assert told.locator("[data-status=sent]").count() == 7 * 3
    with translation.override("zh-hans"):
        booked_for = window(offer.start, offer.end)  # "12月8日 09:00–11:00": the page and the message alike
    assert f"已预约上门：{booked_for}" in phone.inner_text("#events")
    text = told.inner_text()
    for said in (f"您的服务单 {order.number} 已预约上门时间：{booked_for}。",
                 f"李建军师傅将为您处理服务单 {order.number}", "李建军师傅已出发，预计",
                 f"李建军师傅已到达，为您处理服务单 {order.number}",
                 f"您的服务单 {order.number} 已完成", f"服务单 {order.number} 的服务您满意吗？"):
        assert said in text, said
    assert fits_its_window(phone)
    told.scroll_into_view_if_needed()
    shot(phone, "story-01-portal-messages-zh")

    # The console's timeline of the order reads the hotline's first window as a booking too, not "— → window".
    desk = staff_desktop(browser, live_server, "hotline")
    desk.goto(f"{desk.base}/console/orders/{order.pk}/")
    booked = desk.locator("li.event[data-action=rescheduled]")
    assert booked.locator("strong").inner_text() == "已预约上门"
    slot = timezone.localtime(offer.start)
    assert booked.locator("[data-window]").inner_text() == f"{slot:%Y-%m-%d} {hours(offer.start, offer.end)}"
    assert fits_its_window(desk)  # the messages' long links wrap inside the timeline, the page stays its width
    booked.scroll_into_view_if_needed()
    shot(desk, "story-01b-console-order-booked-zh")

    # 2. The link of the SMS opens the survey without a password: 2 stars, not solved.
    link_phone = customer_phone(browser, live_server)
    link_phone.goto(sms_link)
    assert link_phone.locator("h1").first.inner_text() == "这次服务怎么样？"
    link_phone.click("label[for=overall-2]")
    link_phone.click("label[for=solved-no]")
    link_phone.fill("#comment", "换完滤芯还是有异味")
    assert fits_its_window(link_phone)
    shot(link_phone, "story-02-survey-2-stars-not-solved-zh")
    link_phone.click("#survey-form button[type=submit]")
    link_phone.wait_for_selector("#survey-thanks")
    assert "客服会尽快给您打电话" in link_phone.inner_text("#survey-thanks")
    shot(link_phone, "story-03-survey-thanks-zh")
    link_phone.context.close()

    survey.refresh_from_db()
    assert (survey.overall, survey.solved, survey.answered_via) == (2, False, "link")
    assert Rating.objects.get(work_order=order).score == 2
    callback = Callback.objects.get(work_order=order)
    assert (callback.status, callback.reason) == (CallbackStatus.REVIEW, CallbackReason.NOT_SOLVED)

    # 3. The callback desk finds it in review and reopens it as rework to outlet B.
    desk.goto(f"{desk.base}/console/callbacks/?status=review")
    card = desk.locator(f"[data-callback='{callback.pk}']")
    assert card.locator("[data-solved]").get_attribute("data-solved") == "no"
    assert card.locator("[data-overall]").get_attribute("data-overall") == "2"
    assert "换完滤芯还是有异味" in card.inner_text()
    form = card.locator("form.decision-form")
    form.locator("select[name=decision]").select_option(Decision.REWORK)
    form.locator("select[name=outlet]").select_option(label="滨江服务网点")
    form.locator("input[name=reason]").fill("换滤芯后仍有异味，改派滨江网点复查")
    shot(desk, "story-04-callback-desk-review-zh")
    form.locator("button[type=submit]").click()
    desk.wait_for_selector("#callback-done")
    rework = WorkOrder.objects.get(rework_of=order)
    # Two sentences, joined as Chinese joins them: no space after the full stop.
    assert desk.inner_text("#callback-done") == (
        f"{order.number} 的回访：完成。返修工单 {rework.number} 已交给滨江服务网点。")
    shot(desk, "story-05-callback-desk-reworked-zh")

    assert (rework.status, rework.outlet_id, rework.is_rework) == (Status.ASSIGNED, world.outlet_b.pk, True)
    assert WorkOrder.objects.get(pk=order.pk).status == Status.CLOSED
    callback.refresh_from_db()
    assert (callback.status, callback.decision, callback.rework_order_id) == (
        CallbackStatus.DONE, Decision.REWORK, rework.pk)
    told_once_per_channel(rework, ["order.created"])  # the rework is a service request of its own

    # 4. The customer complains about the original order from its page.
    phone.goto(f"{phone.base}/portal/acme/orders/{order.pk}/")
    phone.click("#complain-link a >> nth=0")
    phone.wait_for_selector("#complain")
    phone.select_option("select[name=category]", "quality")
    phone.fill("textarea[name=description]", "李师傅换完滤芯后水还是有异味，白跑一趟还耽误了三天")
    phone.click("#complain button[type=submit]")
    phone.wait_for_selector("#my-complaints")
    complaint = Complaint.objects.get()
    card = phone.locator(f"[data-complaint='{complaint.pk}']")
    assert complaint.number in card.inner_text() and "已受理" in card.inner_text()
    assert order.number in card.inner_text()
    assert fits_its_window(phone)
    shot(phone, "story-06-portal-my-complaints-zh")
    assert (complaint.status, complaint.work_order_id, complaint.outlet_id, complaint.channel) == (
        ComplaintStatus.RECEIVED, order.pk, world.outlet_a.pk, "portal")

    # 5. Nobody acknowledged it in time: the ladder's watch, run later, moves it to outlet A's manager, once.
    later = complaint.acknowledge_due + dt.timedelta(minutes=5)
    assert watch_ladder.call(now=later.isoformat()) == {"escalated": 1}
    assert watch_ladder.call(now=later.isoformat()) == {"escalated": 0}
    outbox_drained()  # the escalation's notice went out promptly, after the watch's commit
    notices = Notification.objects.filter(kind="complaint_escalated")
    assert list(notices.values_list("recipient", flat=True)) == [world.manager_a.pk]  # once, to that rung
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalation_level) == (ComplaintStatus.ESCALATED, LadderLevel.OUTLET)

    manager = staff_desktop(browser, live_server, "manager_a")
    manager.goto(f"{manager.base}/console/notifications/")
    assert complaint.number in manager.inner_text("main")
    manager.goto(f"{manager.base}/console/complaints/")
    row = manager.locator(f"tr[data-complaint='{complaint.pk}']")
    assert "已升级" in row.inner_text() and "网点经理" in row.inner_text()
    shot(manager, "story-07-outlet-desk-escalated-zh")

    # 6. The brand's desk resolves it upheld: an apology and ¥80.00, the technician responsible.
    brand_desk = staff_desktop(browser, live_server, "dispatcher")
    brand_desk.goto(f"{brand_desk.base}/console/complaints/{complaint.pk}/")
    complaint_step(brand_desk, "resolve", {"note": "回访照片确认接头未拧紧，滤芯安装不到位。", "compensation": "80.00"},
                   checks=("apology", "compensation"), selects={"outcome": "upheld", "responsible": "technician"})
    brand_desk.wait_for_selector("#complaint-status:has-text('已解决')")
    assert "¥80.00" in brand_desk.inner_text("#complaint-verdict")
    assert brand_desk.inner_text("#complaint-remedies") == "道歉、赔偿"
    shot(brand_desk, "story-08-brand-desk-resolved-upheld-zh")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.compensation) == (
        ComplaintStatus.RESOLVED, "upheld", Decimal("80.00"))

    # 7. Outlet A's manager appeals once, with a statement; the appeal sent again from a stale tab is refused.
    manager.goto(f"{manager.base}/console/complaints/{complaint.pk}/")
    stale_tab = manager.context.new_page()
    stale_tab.goto(f"{manager.base}/console/complaints/{complaint.pk}/")
    complaint_step(manager, "appeal", {"note": "客户在上门后自行挪动过滤芯外壳，见完工照片。"})
    manager.wait_for_selector("#complaint-status:has-text('申诉中')")
    assert manager.locator("form.action-form[data-action=appeal]").count() == 0
    complaint_step(stale_tab, "appeal", {"note": "再次申诉"})
    stale_tab.wait_for_selector("#complaint-actions .alert-error")
    refusal = stale_tab.inner_text("#complaint-actions .alert-error")
    assert refusal == "该结论已申诉过一次。"  # 409, beside the form; nothing changed
    shot(stale_tab, "story-09-second-appeal-refused-zh")
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.APPEALED
    assert list(complaint.events.filter(action="appeal").values_list("note", flat=True)) == [
        "客户在上门后自行挪动过滤芯外壳，见完工照片。"]

    # 8. The arbiter (the brand admin) decides: partly upheld; both sides' statements stay on the page.
    arbiter = staff_desktop(browser, live_server, "admin")
    arbiter.goto(f"{arbiter.base}/console/complaints/{complaint.pk}/")
    complaint_step(arbiter, "arbitrate", {"note": "双方均有责任：部分成立。"}, selects={"outcome": "partly"})
    arbiter.wait_for_selector("#complaint-status:has-text('已仲裁')")
    verdict = arbiter.inner_text("#complaint-verdict")
    assert "接头未拧紧" in verdict and "自行挪动" in verdict and "双方均有责任" in verdict
    shot(arbiter, "story-10-arbitrated-zh")
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.appealed_outcome) == (
        ComplaintStatus.ARBITRATED, "partly", "upheld")
    assert list(complaint.events.order_by("pk").values_list("action", flat=True)) == [
        "open", "escalate", "resolve", "appeal", "arbitrate"]

    phone.goto(f"{phone.base}/portal/acme/complaints/")
    card = phone.locator(f"[data-complaint='{complaint.pk}']")
    assert "已仲裁" in card.inner_text() and "接头未拧紧" in card.inner_text()
    assert fits_its_window(phone)
    shot(phone, "story-11-portal-complaint-final-zh")

    # The whole story told the customer each step once per channel (the verdict, and the arbiter's final one in its
    # own words and SMS template), never of the ladder or the appeal; and the ladder's one rung once.
    told_once_per_channel(order, [*REPAIR_KINDS, "complaint.opened", "complaint.resolved", "complaint.arbitrated"])
    assert len(providers.sms.sent) == len(providers.wechat.sent) == len(providers.smtp.messages) == 7 + 1 + 3
    verdicts = CustomerMessage.objects.filter(work_order=order, channel="sms", kind__startswith="complaint.res")
    arbitrated = CustomerMessage.objects.get(work_order=order, channel="sms", kind="complaint.arbitrated")
    assert arbitrated.template != verdicts.get().template
    assert [sms["TemplateCode"] for sms in providers.sms.sent[-2:]] == [verdicts.get().template, arbitrated.template]
    phone.goto(f"{phone.base}/portal/acme/orders/{order.pk}/")
    told = phone.inner_text("#messages")
    assert told.count(f"您的投诉 {complaint.number} 已处理完毕") == 1
    assert told.count(f"您的投诉 {complaint.number} 经复核，最终结论为部分成立") == 1
    phone.locator("#messages li").first.scroll_into_view_if_needed()
    shot(phone, "story-12-portal-messages-final-verdict-zh")
    assert notices.count() == 1
    for page in (phone, desk, manager, brand_desk, arbiter):
        page.context.close()
