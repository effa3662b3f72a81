"""A booked order's on-site deadline is its booked window's end, on the console's order page and in the
technician's app (Debian's chromium, Chinese UI, against a live server).

Screenshots: test-artifacts/screenshots/sla-booked-console.png and sla-booked-field.png.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_a_booked_order_shows_its_window_end_as_the_on_site_deadline(browser, live_server, world):
    # Given a repair booked at the hotline for 16:00-18:00 three days from now, dispatched to a technician
    day = timezone.localdate() + dt.timedelta(days=3)
    start = timezone.make_aware(dt.datetime.combine(day, dt.time(16)))
    order = make_order(world, status=Status.DISPATCHED, slot_start=start, slot_end=start + dt.timedelta(hours=2))
    end = timezone.localtime(start + dt.timedelta(hours=2))

    # When the dispatcher opens the order in the console
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/orders/{order.pk}/")
    due = page.locator("dt", has_text="上门截止").locator("xpath=following-sibling::dd[1]")
    # Then the on-site deadline is the end of the booked window
    assert due.inner_text().strip() == f"{end:%Y-%m-%d %H:%M}"
    shot(page, "sla-booked-console")
    page.context.close()

    # And the technician's app says the same
    phone = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    sign_in(phone, "tech_a")
    phone.goto(f"{phone.base}/field/jobs/{order.pk}/")
    due = phone.locator("dt", has_text="上门截止").locator("xpath=following-sibling::dd[1]")
    assert due.inner_text().strip() == f"{end:%m-%d %H:%M}"
    shot(phone, "sla-booked-field")
    phone.context.close()
