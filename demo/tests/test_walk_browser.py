"""The demo as `make run` loads it, one page for each area's seeding in demo/ (the technician's day has its own walk
in test_field.py, the dispatch day in console/tests/test_dispatch_board_demo_walk_browser.py). Screenshots:
test-artifacts/screenshots/demo-walk-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.models import Complaint
from core.browser import open_page, shot, sign_in
from demo import data
from integrations.models import DeviceAlert
from knowledge.models import Article
from pricing.models import PriceList

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def rows(page, url: str) -> int:
    page.goto(page.base + url)
    page.wait_for_selector("#content")
    return page.locator("#result_list tbody tr").count()


def test_each_seeded_area_shows_on_its_page(browser, live_server, small_demo):
    small_demo()  # a copy of the session's load at the real time when that was lately (demo/tests/snapshot.py)
    page = open_page(browser, live_server)
    try:
        # What the brand admin sees in the Django admin: price lists, articles, device alerts, the intake policy,
        # complaints and the enterprise SLA contract, each as many as were seeded.
        sign_in(page, "admin", data.PASSWORD)
        seeded = {
            "pricing_pricelist": PriceList.objects.count(),
            "knowledge_article": Article.objects.count(),
            "integrations_devicealert": DeviceAlert.objects.count(),
            "workorders_intakepolicy": 1,
            "complaints_complaint": Complaint.objects.count(),
            "workorders_slacontract": 1,
        }
        for name, count in seeded.items():
            assert 0 < count < 100, name  # one page of the admin's list
            assert rows(page, reverse(f"admin:{name}_changelist")) == count, name
            shot(page, f"demo-walk-{name}")
        # The sales on site in the brand's queue of leads.
        page.goto(page.base + reverse("console:leads"))
        assert page.locator("tr[data-lead]").count() > 0
        shot(page, "demo-walk-leads")
        page.context.clear_cookies()
        # The parts clerk's desk: requests waiting, each with its parts.
        sign_in(page, "parts", data.PASSWORD)
        page.goto(page.base + reverse("console:parts-requests"))
        assert page.locator("tr[data-part]").count() > 0
        shot(page, "demo-walk-parts-requests")
    finally:
        page.context.close()
