"""What every browser test shares: Debian's chromium through Playwright, pages on the live server,
sign-in, and screenshots under test-artifacts/screenshots/ for a person to look at.

The ``browser`` fixture itself is in the root conftest.py; the helpers here take a page.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SHOTS = Path(settings.BASE_DIR) / "test-artifacts" / "screenshots"
PASSWORD = "pw-Secret-123"  # accounts.tests.factories.UserFactory
PHONE = {"width": 390, "height": 844}  # a common phone's CSS viewport


def launch(playwright):
    # --disable-background-networking etc.: on a closed network chromium's own calls home fail noisily.
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
              "--disable-sync", "--no-first-run"],
    )


def open_page(browser, live_server, *, locale="en-US", viewport=None, **context_options):
    # Playwright's own page-side helpers (wait_for_function with an expression) evaluate strings, which the site's
    # Content-Security-Policy refuses; the policy itself is tested with bypass_csp=False (core/tests/
    # test_security_browser.py), every other test drives the pages past it.
    context_options.setdefault("bypass_csp", True)
    context = browser.new_context(locale=locale, viewport=viewport or {"width": 1366, "height": 900},
                                  **context_options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.base = live_server.url
    return page


def sign_in(page, username: str, password: str = PASSWORD) -> None:
    page.goto(page.base + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("form.stack button[type=submit]")
    page.wait_for_load_state()


def shot(page, name: str) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
