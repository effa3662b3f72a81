"""A brand imports a 5,000-row spreadsheet with 30 bad rows and sees exactly those 30 explained (issue 16), in
Debian's chromium against a live server. Screenshots: test-artifacts/screenshots/import-*.png."""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from customers.models import InstalledProduct
from exchange.models import ImportJob
from exchange.tests.factories import bad_rows, good_row, sheet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = 5000


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return build_world()


def _spreadsheet(tmp_path) -> tuple[str, dict[int, str]]:
    """5,000 data rows; 30 of them bad (five of each fault), spread through the file. Returns the path and the
    sheet row number → the code each bad row must be refused with."""
    rows = [good_row(i) for i in range(ROWS - 30)]
    expected: dict[int, str] = {}
    for block in range(5):
        bad, codes = bad_rows(ROWS + block * 6)
        at = (block + 1) * 800
        rows[at:at] = bad
        for n, code in enumerate(codes.values()):
            expected[at + n + 2] = code  # the header is row 1
    path = tmp_path / "门店导出-保有量.xlsx"
    path.write_bytes(sheet(rows))
    return str(path), expected


def test_a_brand_imports_5000_rows_and_sees_the_30_bad_ones_explained(browser, live_server, world, tmp_path):
    path, expected = _spreadsheet(tmp_path)
    page = open_page(browser, live_server, locale="zh-CN")
    sign_in(page, "dispatcher")
    page.click("[data-nav=imports]")
    page.set_input_files("#id_file", path)
    # The check runs right after the upload commits (the immediate task backend): the answer comes once it is done.
    page.click("#upload-button", no_wait_after=True)
    page.wait_for_selector("#import-job[data-status=previewed]", timeout=90_000)

    assert page.locator("#import-counts").inner_text() == "共 5000 行：4970 行有效，30 行被拒。"
    refused = page.locator("#import-rows tr.row-refused")
    assert refused.count() == 30
    seen = {int(r.get_attribute("data-row")): r.locator("[data-code]").first.get_attribute("data-code")
            for r in refused.all()}
    assert seen == expected
    phone = page.locator(f"#import-rows tr[data-row='{min(expected)}']")
    assert phone.locator("td").last.inner_text() == "不是有效的电话号码。"
    assert page.locator("#import-rows tr.row-valid").count() == 10  # a sample of the valid rows, after
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 0
    shot(page, "import-1-preview-zh")

    page.click("#show-refused")
    page.wait_for_selector("#show-refused.btn-primary")
    assert page.locator("#import-rows tr.row-refused").count() == 30
    assert page.locator("#import-rows tr.row-valid").count() == 0
    page.click("#show-all")
    page.wait_for_selector("#show-all.btn-primary")

    page.click("#import-commit", no_wait_after=True)
    page.wait_for_selector("#import-job[data-status=done]", timeout=90_000)
    assert page.locator("#import-result").inner_text() == "已写入 4970 行，0 行已存在（未改动）。"
    assert page.locator("#import-rows tr.row-refused").count() == 30
    assert InstalledProduct.objects.filter(serial__startswith="IMP-").count() == 4970
    shot(page, "import-2-result-zh")

    english = open_page(browser, live_server)
    sign_in(english, "dispatcher")
    english.goto(f"{english.base}/console/imports/{ImportJob.objects.get().pk}/?only=refused")
    assert english.locator("#import-counts").inner_text().startswith("5000 rows: 4970 valid, 30 refused.")
    assert english.locator("#import-rows tr.row-refused").count() == 30
    shot(english, "import-3-result-en")
