"""An installation on the technician's phone (issue 13, item 9): the serial is scanned or typed, a wrong one is
caught before anything is sent, and the completed job shows the unit in service with its warranty start.

Screenshots go to test-artifacts/screenshots/field-install-*.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from core.dates import add_months
from customers.choices import ProductStatus
from customers.tests.factories import InstalledProductFactory
from field.tests.setup import dispatched_job, prepare_field
from field.tests.test_browser import NEAR_SITE, sign, wait_synced
from workorders.choices import Status, WorkOrderType

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def w(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_field(build_world())
    w.model.serial_pattern = r"AQRO\d{6}"
    w.model.save()
    w.unit = InstalledProductFactory(customer=w.customer, brand=w.brand, product_model=w.model, serial="AQRO000042",
                                     status=ProductStatus.SOLD, install_date=None,
                                     purchase_date=timezone.localdate() - dt.timedelta(days=3))
    w.job = dispatched_job(w, product=w.unit, type=WorkOrderType.INSTALL, reported_symptom=None)
    return w


def test_an_installer_completes_the_job_with_the_units_serial(w, browser, live_server):
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True,
                     geolocation=NEAR_SITE, permissions=["geolocation"])
    sign_in(page, "tech_a")
    page.goto(f"{page.base}/field/jobs/{w.job.pk}/")
    for step in ("accept", "depart", "arrive"):
        page.click(f"[data-action={step}]")
        wait_synced(page)
    page.wait_for_selector("#work:not([hidden])")
    page.click(".methods .choice:has(input[value=cash])")
    page.click("[data-action=payment]")
    page.wait_for_selector("#payment .muted.small")
    wait_synced(page)  # the payment is on the server and the page redrawn from it: the pad stands still
    sign(page, "张女士")
    page.wait_for_selector("[data-action=complete]:not([disabled])")

    # A scan of another unit of the model is caught on the phone: nothing is sent, nothing installed.
    page.fill("#install-serial", "AQRO000043")
    page.click("[data-action=complete]")
    page.wait_for_selector("#install-serial-error:not([hidden])")
    assert "不是本工单的机器" in page.inner_text("#install-serial-error")
    shot(page, "field-install-1-wrong-serial")
    w.unit.refresh_from_db()
    assert w.unit.status == ProductStatus.SOLD

    page.fill("#install-serial", "aqro000042")
    page.click("[data-action=complete]")
    wait_synced(page)
    page.wait_for_selector("#job-status[data-status=completed]")
    page.wait_for_selector("#installed-unit[data-status=active]")
    today = timezone.localdate()
    w.unit.refresh_from_db()
    assert (w.unit.status, w.unit.install_date) == (ProductStatus.ACTIVE, today)
    text = page.inner_text("#installed-unit")
    assert "AQRO000042" in text and today.isoformat() in text
    assert add_months(today, w.model.warranty_months).isoformat() in text
    shot(page, "field-install-2-installed")
    w.job.refresh_from_db()
    assert w.job.status == Status.COMPLETED
