"""The unassigned queue says enough to dispatch from (issue 13, item 6): customer, district, product and service
type on each card, a filter, and an override for a technician the ranking leaves out, with the reason recorded
on the order's timeline. Screenshots: test-artifacts/screenshots/dispatch-queue-*.png.
"""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from customers.models import Site
from dispatch.tests.scene import dispatch_scene, east, order_at
from workorders.choices import Status

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_queue_cards_filter_and_an_override_recorded_on_the_timeline(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = dispatch_scene(build_world())
    repair = order_at(w, east(2), slot=(9, 11))
    Site.objects.filter(pk=repair.site_id).update(address="浙江省杭州市西湖区文三路 90 号")
    install = order_at(w, east(3), slot=(13, 15), type="install", customer=w.other_customer)
    Site.objects.filter(pk=install.site_id).update(address="浙江省杭州市滨江区江南大道 1 号")
    w.tech_a2.skills.clear()
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/dispatch/?date={w.day}&region={w.region.pk}")
    card = page.locator(f"#board .dqueue-item[data-order='{repair.pk}']")
    card.wait_for()
    assert card.locator("[data-field=customer]").inner_text().startswith(w.customer.name)
    assert card.locator("[data-field=district]").inner_text() == "西湖区"
    assert card.locator("[data-field=type]").inner_text() == "维修"
    assert card.locator("[data-field=product]").inner_text() == w.model.name
    shot(page, "dispatch-queue-1-cards-zh")

    # The filter: installs only; the address says so, a refresh keeps it.
    page.select_option("#id_type", "install")
    page.wait_for_function("location.search.includes('type=install')")
    page.wait_for_selector(f"#board .dqueue-item[data-order='{repair.pk}']", state="detached")
    assert page.locator("#board .dqueue-item").count() == 1
    page.reload()
    assert page.locator("#board .dqueue-item").count() == 1 and page.input_value("#id_type") == "install"
    page.select_option("#id_type", "")
    page.wait_for_selector(f"#board .dqueue-item[data-order='{repair.pk}']")

    # The override: tech_a2 lacks the skill; the dispatcher gives the job to them anyway, saying why.
    card.locator(".dqueue-pick").click()
    panel = page.locator("#dispatch-panel.dcands")
    panel.wait_for()
    panel.locator(".dexcluded summary").click()
    excluded = panel.locator(f".dexcluded li[data-technician='{w.tech_a2.pk}']")
    excluded.locator("input[name=override_reason]").fill("客户指定该师傅")
    shot(page, "dispatch-queue-2-override")
    excluded.locator(".doverride-go").click()
    page.wait_for_selector("#board-message")
    repair.refresh_from_db()
    assert (repair.status, repair.technician_id) == (Status.DISPATCHED, w.tech_a2.pk)
    assert page.locator(f"#board .dlane[data-technician='{w.tech_a2.pk}'] .djob[data-order='{repair.pk}']").count()
    page.goto(f"{page.base}/console/orders/{repair.pk}/")
    assert "客户指定该师傅" in page.inner_text("body") and "技能" in page.inner_text("body")
    shot(page, "dispatch-queue-3-timeline")
