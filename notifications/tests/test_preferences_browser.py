"""A dispatcher chooses how to hear of their notifications on the console's own page, in a real browser: from the
inbox, e-mail on, the console off, English; htmx saves it in place and the API reads the same choice.
Screenshots in test-artifacts/screenshots/msgs2-*.png."""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from notifications.models import StaffPreference

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def test_a_dispatcher_turns_email_on_and_the_console_off_in_english(world, browser, live_server):
    world.dispatcher.email = "dispatcher@acme.example"
    world.dispatcher.save(update_fields=["email"])
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher")

    page.goto(f"{live_server.url}/console/notifications/")
    shot(page, "msgs2-inbox-link")
    page.click("#preferences-link")
    page.wait_for_url("**/console/notifications/preferences/")
    assert page.locator("h1").inner_text() == "通知设置"
    assert page.is_checked("#id_in_app") and not page.is_checked("#id_email")
    assert page.locator("#email-address").inner_text() == "发送至 dispatcher@acme.example。"
    shot(page, "msgs2-preferences-zh")

    page.check("#id_email")
    page.uncheck("#id_in_app")
    page.select_option("#id_language", "en")
    page.click("#preferences-form button[type=submit]")
    page.wait_for_selector("#preferences-saved")

    assert page.url.endswith("/console/notifications/preferences/")  # swapped in place, no reload
    assert page.is_checked("#id_email") and not page.is_checked("#id_in_app")
    assert page.locator("#id_language").input_value() == "en"
    mine = StaffPreference.objects.get(user=world.dispatcher)
    assert (mine.in_app, mine.email, mine.language) == (False, True, "en")
    assert not StaffPreference.objects.exclude(user=world.dispatcher).exists()
    shot(page, "msgs2-preferences-saved")

    # The name in the top bar leads back here
    page.goto(f"{live_server.url}/console/")
    page.click("a.who-name")
    page.wait_for_url("**/console/notifications/preferences/")
    assert page.locator("#told-nothing").count() == 0
