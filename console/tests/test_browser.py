"""The staff console in a real browser (Debian's chromium) against a live server and a real database.

Screenshots land in test-artifacts/screenshots/ so a person can look at what the user sees.
"""

from __future__ import annotations

import re

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def world(transactional_db):
    return build_world()


def mark_document(page) -> None:
    """Set a flag on the window; it survives htmx swaps and dies with a full page load."""
    page.evaluate("window.__noReload = true")


def still_same_document(page) -> bool:
    return page.evaluate("window.__noReload === true")


def test_dispatcher_searches_filters_and_pages_without_reloading(browser, live_server, world):
    orders = [make_order(world, status=Status.NEW, symptom=f"Leak {i}") for i in range(27)]
    assigned = make_order(world, status=Status.ASSIGNED, customer=world.other_customer, product=world.other_product)
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    assert page.url.endswith("/console/")
    assert page.locator(".count").inner_text() == "28 orders"
    assert page.locator("table.orders tbody tr").count() == 25
    shot(page, "console-list-en")
    mark_document(page)

    page.click("a[rel=next]")
    page.wait_for_url(re.compile(r"page=2"))
    assert page.locator("table.orders tbody tr").count() == 3
    assert "Page 2 of 2" in page.locator(".pager-pos").inner_text()

    # Search by the other customer's serial: one row, typed, no submit button pressed.
    page.fill("#id_q", "SN-B-0001")
    page.wait_for_function("document.querySelectorAll('table.orders tbody tr').length === 1")
    assert page.locator("table.orders tbody tr td.cell-number a").inner_text() == assigned.number

    # Filters by status through a select: the change alone refreshes the list.
    page.fill("#id_q", "")
    page.wait_for_function("document.querySelector('.count').innerText.trim() === '28 orders'")
    page.select_option("#id_status", Status.ASSIGNED)
    page.wait_for_url(re.compile(r"status=assigned"))
    page.wait_for_function("document.querySelector('.count').innerText.trim() === '1 order'")
    assert still_same_document(page)

    # Dates out of order: a message beside the field, not a crash and not a list that lies.
    page.fill("#id_created_from", "2026-11-20")
    page.fill("#id_created_to", "2026-11-01")
    page.locator("#id_created_to").dispatch_event("change")
    page.wait_for_selector("#error-created_to:has-text('before the start date')")
    assert page.locator("#order-results .alert-error").is_visible()
    shot(page, "console-list-filter-error")
    assert still_same_document(page)
    assert len(orders) == 27


def test_dispatcher_assigns_and_dispatches_in_place_and_sees_the_timeline(browser, live_server, world):
    order = make_order(world, status=Status.NEW, symptom="水龙头不出水")
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/orders/{order.pk}/")
    assert page.locator("#order-status").get_attribute("data-status") == Status.NEW
    assert page.locator("text=水龙头不出水").is_visible()
    assert page.locator("text=SN-A-0001").first.is_visible()
    mark_document(page)

    form = page.locator("form[data-action=assign]")
    form.locator("select[name=outlet]").select_option(label="Outlet A")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#order-status[data-status=assigned]")
    # The order's steps, created and assigned; the customer's messages about them are lines of their own.
    assert page.locator("#order-timeline li.event:not(.event-message)").count() == 2
    assert page.locator("#order-timeline li.event-message").count() >= 1

    form = page.locator("form[data-action=dispatch]")
    form.locator("select[name=technician]").select_option(label="tech_a")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#order-status[data-status=dispatched]")
    timeline = page.locator("#order-timeline").inner_text()
    who = f"{world.dispatcher.get_full_name()} · Dispatcher"
    assert timeline.count(who) == 3 and "Technician: tech_a" in timeline
    assert still_same_document(page)
    shot(page, "console-detail-dispatched-en")

    fresh = WorkOrder.objects.get(pk=order.pk)
    assert (fresh.status, fresh.outlet_id, fresh.technician.name, fresh.version) == (
        Status.DISPATCHED, world.outlet_a.pk, "tech_a", 3)


def test_a_stale_page_is_refused_with_a_message_and_changes_nothing(browser, live_server, world):
    order = make_order(world, status=Status.NEW)
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/orders/{order.pk}/")
    # Someone else cancels the order while this page is open.
    make_cancel = WorkOrder.objects.get(pk=order.pk)
    from accounts.principal import principal_of
    from workorders import workflow

    workflow.transition(make_cancel, "cancel", actor=principal_of(world.admin), reason="Customer withdrew")

    form = page.locator("form[data-action=assign]")
    form.locator("select[name=outlet]").select_option(label="Outlet A")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#order-status[data-status=cancelled]")
    assert page.locator("#order-actions .alert-error").is_visible()
    shot(page, "console-detail-stale")
    fresh = WorkOrder.objects.get(pk=order.pk)
    assert (fresh.status, fresh.outlet_id, fresh.events.count()) == (Status.CANCELLED, None, 2)


def test_interface_follows_the_browser_language_and_the_switch(browser, live_server, world):
    make_order(world, status=Status.ASSIGNED)
    page = open_page(browser, live_server, locale="zh-CN")
    page.goto(page.base + "/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.locator("h1").inner_text() == "登录"
    shot(page, "login-zh")
    sign_in(page, "dispatcher")
    assert page.locator("h1").inner_text() == "工单"
    assert re.search(r"[\u4e00-\u9fff]", page.locator("table.orders thead").inner_text())
    shot(page, "console-list-zh")

    page.click("button.lang-btn[data-lang=en]")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Work orders"
    assert page.locator("html").get_attribute("lang") == "en"


def test_outlet_manager_sees_only_their_outlet_and_a_foreign_order_is_not_found(browser, live_server, world):
    mine = make_order(world, status=Status.ASSIGNED, outlet=world.outlet_a)
    theirs = make_order(world, status=Status.ASSIGNED, outlet=world.outlet_b, customer=world.other_customer,
                        product=world.other_product)
    page = open_page(browser, live_server)
    sign_in(page, "manager_a")
    numbers = page.locator("table.orders td.cell-number a").all_inner_texts()
    assert numbers == [mine.number]
    response = page.goto(f"{page.base}/console/orders/{theirs.pk}/")
    assert response.status == 404
    assert theirs.number not in page.content()


def test_console_on_a_phone_keeps_everything_reachable(browser, live_server, world):
    order = make_order(world, status=Status.ASSIGNED)
    page = open_page(browser, live_server, viewport={"width": 390, "height": 844})
    sign_in(page, "dispatcher")
    shot(page, "console-list-phone")
    # No sideways scrolling of the whole page on a narrow screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.click(f"text={order.number}")
    page.wait_for_selector("#order-detail")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert page.locator("form[data-action=dispatch] button[type=submit]").is_visible()
    shot(page, "console-detail-phone")


def test_chinese_names_read_family_first_in_the_top_bar_and_the_timeline(browser, live_server, world):
    world.dispatcher.first_name, world.dispatcher.last_name = "晓峰", "林"
    world.dispatcher.save()
    order = make_order(world, status=Status.DISPATCHED)
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/orders/{order.pk}/")
    assert page.locator(".who-name").inner_text() == "林晓峰"
    timeline = page.locator("#order-timeline").inner_text()
    assert "林晓峰 · 派单员" in timeline and "晓峰 林" not in timeline
    shot(page, "names-console-timeline-zh")
