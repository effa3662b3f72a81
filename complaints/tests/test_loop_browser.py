"""The complaints loop in Debian's chromium against a live server: the customer complains from the order's page
on a phone (Chinese); the complaint runs past its acknowledge clock and the ladder's watch (run with a later
``now``) escalates it to the outlet's manager, who finds it on the desk; the brand's desk resolves it upheld with
compensation; the outlet manager appeals once with a statement; the arbiter decides; the customer sees the status.
Screenshots in test-artifacts/screenshots/complaints-*.png."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from complaints.choices import ComplaintStatus, LadderLevel
from complaints.models import Complaint
from complaints.tasks import watch_ladder
from conftest import build_world
from core import outbox
from core.browser import PHONE, open_page, shot, sign_in
from notifications.models import Notification
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(transactional_db):
    world = build_world()
    return world, make_order(world, status=Status.COMPLETED, symptom="净水器漏水")


def customer_phone(browser, live_server, user):
    client = Client()
    client.force_login(user)
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])
    return page


def desk_as(browser, live_server, username):
    page = open_page(browser, live_server)
    sign_in(page, username)
    return page


def step(page, action: str, fields: dict[str, str], *, checks=(), selects=None) -> None:
    form = page.locator(f"form.action-form[data-action={action}]")
    for name, value in (selects or {}).items():
        form.locator(f"select[name={name}]").select_option(value)
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    for value in checks:
        form.locator(f"input[name=remedies][value={value}]").check()
    form.locator("button[type=submit]").click()


def test_complained_escalated_resolved_upheld_appealed_and_arbitrated(browser, live_server, scene):
    world, order = scene
    # The customer complains from the order's page
    phone = customer_phone(browser, live_server, world.customer.user)
    phone.goto(f"{phone.base}/portal/acme/orders/{order.pk}/")
    phone.click("#complain-link a >> nth=0")
    phone.wait_for_selector("#complain")
    phone.select_option("select[name=category]", "quality")
    phone.fill("textarea[name=description]", "换完滤芯第二天接头又漏水，地板泡坏了")
    shot(phone, "complaints-1-portal-form-zh")
    phone.click("#complain button[type=submit]")
    phone.wait_for_selector("#my-complaints")
    complaint = Complaint.objects.get()
    card = phone.locator(f"[data-complaint='{complaint.pk}']")
    assert complaint.number in card.inner_text() and "已受理" in card.inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(phone, "complaints-2-portal-received-zh")

    # Nobody acknowledged it in time: the ladder's watch, run later, moves it to the outlet's manager, once
    later = complaint.acknowledge_due + dt.timedelta(minutes=5)
    assert watch_ladder.call(now=later.isoformat()) == {"escalated": 1}
    assert watch_ladder.call(now=later.isoformat()) == {"escalated": 0}
    outbox.deliver_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))
    assert list(Notification.objects.filter(kind="complaint_escalated").values_list("recipient", flat=True)) == [
        world.manager_a.pk]
    complaint.refresh_from_db()
    assert (complaint.status, complaint.escalation_level) == (ComplaintStatus.ESCALATED, LadderLevel.OUTLET)

    manager = desk_as(browser, live_server, "manager_a")
    manager.goto(manager.base + "/console/notifications/")
    assert complaint.number in manager.content()
    manager.goto(manager.base + "/console/complaints/")
    row = manager.locator(f"tr[data-complaint='{complaint.pk}']")
    assert "Escalated" in row.inner_text() and "Outlet manager" in row.inner_text()
    shot(manager, "complaints-3-desk-escalated-en")

    # The brand's desk resolves it upheld, with an apology and compensation, the technician responsible
    desk = desk_as(browser, live_server, "dispatcher")
    desk.goto(f"{desk.base}/console/complaints/{complaint.pk}/")
    step(desk, "resolve", {"note": "Confirmed by the visit photos: the joint was not tightened.",
                           "compensation": "80.00"},
         checks=("apology", "compensation"), selects={"outcome": "upheld", "responsible": "technician"})
    desk.wait_for_selector("#complaint-status:has-text('Resolved')")
    assert "¥80.00" in desk.inner_text("#complaint-verdict")
    shot(desk, "complaints-4-resolved-upheld-en")

    # The outlet manager appeals once, with a statement
    manager.goto(f"{manager.base}/console/complaints/{complaint.pk}/")
    step(manager, "appeal", {"note": "The customer moved the filter housing after the visit; see the photos."})
    manager.wait_for_selector("#complaint-status:has-text('Appealed')")
    assert manager.locator("form.action-form[data-action=appeal]").count() == 0
    shot(manager, "complaints-5-appealed-en")

    # The arbiter (the brand admin) decides: partly upheld; both statements stay on the page
    arbiter = desk_as(browser, live_server, "admin")
    arbiter.goto(f"{arbiter.base}/console/complaints/{complaint.pk}/")
    step(arbiter, "arbitrate", {"note": "Both share the fault: partly upheld."}, selects={"outcome": "partly"})
    arbiter.wait_for_selector("#complaint-status:has-text('Arbitrated')")
    verdict = arbiter.inner_text("#complaint-verdict")
    assert "joint was not tightened" in verdict and "moved the filter housing" in verdict
    assert "Both share the fault" in verdict and "Partly upheld" in verdict
    shot(arbiter, "complaints-6-arbitrated-en")

    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome, complaint.appealed_outcome) == ("arbitrated", "partly", "upheld")
    assert list(complaint.events.order_by("pk").values_list("action", flat=True)) == [
        "open", "escalate", "resolve", "appeal", "arbitrate"]

    # The customer sees where it stands
    phone.goto(f"{phone.base}/portal/acme/complaints/")
    card = phone.locator(f"[data-complaint='{complaint.pk}']")
    assert "已仲裁" in card.inner_text() and "joint was not tightened" in card.inner_text()
    shot(phone, "complaints-7-portal-arbitrated-zh")
    for page in (phone, manager, desk, arbiter):
        page.context.close()
