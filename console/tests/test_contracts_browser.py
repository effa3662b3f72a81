"""Contracts that generate work, in a browser (issue 16): the brand signs an enterprise 维保合同 over units on two
sites; the order-ahead job opens their visits' orders with the target week as the window; the dispatcher's day
plan for that week's Monday, applied, places them inside the shift and the window with the plan's standard
minutes; the customer's portal page on a phone shows the visits done, due and overdue (Chinese and English).
Screenshots: test-artifacts/screenshots/contracts-*.png.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from core.dates import brand_tz
from customers.choices import CustomerKind
from customers.tests.factories import InstalledProductFactory, SiteFactory
from dispatch.models import Visit
from dispatch.tests.scene import CENTRE, dispatch_scene, east
from maintenance.choices import ContractKind, SoldVia, Tier, VisitStatus
from maintenance.contracts import create_contract
from maintenance.models import Contract, ContractVisit
from maintenance.tests.factories import PlanFactory
from maintenance.visitplan import WEEK, monday_of
from maintenance.visits import order_due_visits
from workorders.choices import Channel, Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate(timezone.now(), brand_tz())
NEXT_MONDAY = monday_of(TODAY) + WEEK


def test_an_enterprise_contract_becomes_orders_the_day_plan_schedules_in_their_week(browser, live_server, settings,
                                                                                   tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = dispatch_scene(build_world(), day=NEXT_MONDAY)
    w.customer.kind = CustomerKind.ENTERPRISE
    w.customer.name = "杭州金茂酒店"
    w.customer.save()
    sites = [SiteFactory(customer=w.customer, name=name, region=w.region, latitude=f"{lat:.6f}",
                         longitude=f"{lon:.6f}") for name, (lat, lon) in (("西湖店", east(2)), ("滨江店", east(4)))]
    units = [InstalledProductFactory(customer=w.customer, product_model=w.model, site=s, serial=f"HVAC-{i}")
             for i, s in enumerate(sites, start=1)]
    # Monthly visits: a term starting last Monday has its first visits in the week of next Monday.
    plan = PlanFactory(category=w.category, tier=Tier.FULL, name="全面维保", visits_per_year=12,
                       standard_minutes=75, priority_response=True)

    page = open_page(browser, live_server)
    sign_in(page, "admin")
    page.goto(f"{page.base}/console/contracts/new/?q={w.customer.phone[-8:]}")
    page.click(f"[data-customer='{w.customer.pk}']")
    page.select_option("#id_plan", str(plan.pk))
    for unit in units:
        page.check(f"input[name=products][value='{unit.pk}']")
    page.select_option("#id_kind", "enterprise")
    page.fill("#id_starts_on", (monday_of(TODAY) - WEEK).isoformat())
    page.fill("#id_price", "24000")
    page.fill("#id_number", "WB-2026-001")
    shot(page, "contracts-1-new-enterprise-contract")
    page.click("#sign-contract")
    page.wait_for_selector("#contract-visits")
    contract = Contract.objects.get(number="WB-2026-001")
    assert contract.units.count() == 2 and contract.visits.count() == 24
    first_week = [v for v in contract.visits.order_by("pk") if v.target_week == NEXT_MONDAY]
    assert len(first_week) == 2
    shot(page, "contracts-2-contract-page")

    # The periodic job: the visits of next week become maintenance orders, their window the target week.
    assert order_due_visits(today=TODAY) == {"opened": 2, "taken": 0, "failed": 0}
    orders = [ContractVisit.objects.get(pk=v.pk).work_order for v in first_week]
    assert {(o.type, o.channel, o.priority, o.status) for o in orders} == {("maintenance", Channel.CONTRACT, "high",
                                                                            Status.NEW)}

    # The dispatcher plans next Monday; the applied plan places both visits that day, inside shift and window.
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/dispatch/?date={NEXT_MONDAY}&region={w.region.pk}")
    page.wait_for_selector("#board")
    page.click("#optimise")
    page.locator("#dispatch-panel.dplan").wait_for(timeout=30_000)
    page.click("#apply-plan")
    page.wait_for_selector("#board-message")
    shot(page, "contracts-3-day-plan-applied")
    tz = brand_tz()
    for order in orders:
        visit = Visit.objects.get(work_order=order)
        start, end = visit.planned_start.astimezone(tz), visit.planned_end.astimezone(tz)
        assert visit.day == NEXT_MONDAY and start.date() == NEXT_MONDAY
        assert dt.time(9, 0) <= start.time() and end.time() <= dt.time(17, 30)  # the window opens 09:00; shift
        assert end - start == dt.timedelta(minutes=75)  # the plan's standard minutes, not the model's 40
        order.refresh_from_db()
        assert order.status == Status.DISPATCHED and order.technician_id is not None

    # The brand's contract page shows each visit's order.
    sign_in(page, "admin")
    page.goto(f"{page.base}/console/contracts/{contract.pk}/")
    for order in orders:
        assert order.number in page.inner_text("#contract-visits")
    shot(page, "contracts-4-contract-with-orders")


def _household_with_history(w) -> Contract:
    w.brand.phone = "400-820-8820"
    w.brand.save()
    plan = PlanFactory(category=w.category, tier=Tier.BASIC, name="净水器基础保养", visits_per_year=12,
                       hotline_emergency=True)
    contract = create_contract(customer=w.customer, plan=plan, products=[w.product],
                               starts_on=monday_of(TODAY) - 10 * WEEK, kind=ContractKind.HOUSEHOLD,
                               sold_via=SoldVia.PORTAL, price=Decimal("199"))
    past = list(contract.visits.filter(target_week__lte=TODAY - WEEK).order_by("target_week"))
    for visit in past[:-1]:
        ContractVisit.objects.filter(pk=visit.pk).update(status=VisitStatus.DONE,
                                                         done_on=visit.target_week + dt.timedelta(days=1))
    order_due_visits(today=TODAY)
    return contract


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_the_customer_sees_visits_done_due_and_overdue_on_the_phone(browser, live_server, locale):
    w = build_world()
    w.product.site.latitude, w.product.site.longitude = CENTRE
    w.product.site.region = w.region
    w.product.site.save()
    contract = _household_with_history(w)
    page = open_page(browser, live_server, locale=locale, viewport=PHONE, has_touch=True, is_mobile=True)
    # The language as the switch in the header would set it: the browser's own is not always what the page reads.
    page.context.add_cookies([{"name": "django_language", "value": "zh-hans" if locale == "zh-CN" else "en",
                               "url": live_server.url}])
    sign_in(page, "customer")
    page.goto(f"{page.base}/portal/{w.brand.code}/contracts/")
    card = page.locator(f"[data-contract='{contract.pk}']")
    card.wait_for()
    states = [v.get_attribute("data-state") for v in card.locator("[data-visit]").all()]
    assert states[:3] == ["done", "overdue", "due"] and set(states[3:]) == {"planned"}
    counts = card.locator(".visit-counts")
    assert int(counts.get_attribute("data-done")) == states.count("done")
    assert int(counts.get_attribute("data-overdue")) == states.count("overdue")
    assert card.locator("a[href='tel:400-820-8820']").count() == 1
    text = card.inner_text()
    if locale == "zh-CN":
        assert "净水器基础保养" in text and "已逾期" in text and "应急服务" in text
    else:
        assert "overdue" in text and "Emergency service" in text
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    shot(page, f"contracts-5-portal-{locale}")
