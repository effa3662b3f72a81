"""The board's address, form and lanes agree (issue 13, item 3): a refresh or a shared link shows the same board,
and a refresh after optimising is the board again, not a 405. Screenshots: test-artifacts/screenshots/
dispatch-scope-*.png.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone

from conftest import build_world
from core.browser import open_page, shot, sign_in
from core.dates import brand_tz
from dispatch.board import default_day
from dispatch.tests.scene import dispatch_scene, east, order_at
from network.tests.factories import RegionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def query(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_the_board_after_a_refresh_shows_the_region_and_day_of_its_address(browser, live_server, settings,
                                                                          tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = dispatch_scene(build_world())
    beijing = RegionFactory(brand=w.brand, code="beijing", name="北京")  # first in the list, but idle today
    beijing.outlets.add(w.outlet_b)
    today = default_day(w.brand.pk)  # today, or after hours the next working day
    if today == timezone.localdate(timezone.now(), brand_tz()):
        order_at(w, east(2), slot=None)  # today, in Hangzhou: the busiest region
    else:
        order_at(w, east(2), slot=(9, 11), day=today)
    order_at(w, east(3), slot=(9, 11))  # on the planned day
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/dispatch/")
    page.wait_for_selector("#board .dlane")
    assert query(page) == {"date": str(today), "region": str(w.region.pk)}
    assert page.input_value("#id_region") == str(w.region.pk) and page.input_value("#id_date") == str(today)
    shot(page, "dispatch-scope-1-default")

    # Another day through the form: the address follows, the board is that day's.
    page.fill("#id_date", str(w.day))
    page.dispatch_event("#id_date", "change")
    page.wait_for_function(f"location.search.includes('date={w.day}')")
    assert query(page) == {"date": str(w.day), "region": str(w.region.pk), "outlet": ""} or \
        query(page) == {"date": str(w.day), "region": str(w.region.pk)}
    # Optimise, then refresh: the board of the same day and region, not a 405.
    page.click("#optimise")
    page.locator("#dispatch-panel.dplan").wait_for(timeout=30_000)
    assert urlparse(page.url).path == "/console/dispatch/"
    response = page.reload()
    assert response.status == 200
    page.wait_for_selector("#board .dlane")
    assert page.input_value("#id_region") == str(w.region.pk) and page.input_value("#id_date") == str(w.day)
    assert page.locator("#board .dqueue-item").count() == 1
    shot(page, "dispatch-scope-2-after-optimise-refresh")

    # Another region: the address, the box and the lanes all say Beijing, also after a refresh.
    page.select_option("#id_region", str(beijing.pk))
    page.wait_for_function(f"location.search.includes('region={beijing.pk}')")
    page.reload()
    page.wait_for_selector("#board")
    assert page.input_value("#id_region") == str(beijing.pk) and page.input_value("#id_date") == str(w.day)
    assert page.locator(f"#board .dlane[data-technician='{w.tech_a.pk}']").count() == 0
    assert page.locator(f"#board .dlane[data-technician='{w.tech_b.pk}']").count() == 1
    shot(page, "dispatch-scope-3-beijing")
