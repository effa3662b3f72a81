"""The hotline desk leaves nothing in the browser's console: no htmx syntax error, no selector that finds nothing.

A form's hx-disabled-elt ("find button") is not inherited by the elements inside it that make their own requests
(the preview's selects, the "open this customer" links), and the preview's trigger is plain htmx syntax.
"""

from __future__ import annotations

import re

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from workorders.tests.intake_setup import prepare_intake

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_intake(build_world())


def test_a_call_at_the_hotline_desk_leaves_no_console_error(browser, live_server, world):
    page = open_page(browser, live_server, locale="zh-CN")
    said: list[str] = []
    page.on("console", lambda m: said.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: said.append(f"pageerror: {e}"))
    sign_in(page, "hotline")
    page.goto(page.base + "/console/hotline/")
    page.fill("#id_q", "13900000001")
    page.wait_for_selector(".caller-item")
    page.click(".caller-link")
    page.wait_for_selector("#caller[data-customer]")
    page.wait_for_url(re.compile(r"/console/hotline/callers/\d+/$"))

    # Every choice in the request's grid asks for a new preview.
    selects = page.locator("#new-request .grid-3 select")
    assert selects.count() >= 3
    for i in range(selects.count()):
        select = selects.nth(i)
        options = select.locator("option")
        if options.count() > 1:
            with page.expect_response(re.compile(r"/preview/")):
                select.select_option(index=options.count() - 1)
            page.wait_for_load_state("networkidle")
    page.fill("#new-request textarea", "不出水")
    page.click("#create-order")
    page.wait_for_load_state("networkidle")
    shot(page, "hotline-no-console-errors")
    assert said == []
