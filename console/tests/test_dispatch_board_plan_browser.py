"""Optimise, apply, and the board draws what the preview showed (issue 13, item 4): every job inside the
timeline, a job past the shift drawn and marked rather than cut off; an accepted job the plan cannot fit keeps
its technician's day as it is. Screenshots: test-artifacts/screenshots/dispatch-plan-*.png.
"""

from __future__ import annotations

import pytest

from conftest import build_world
from core.browser import open_page, shot, sign_in
from dispatch.models import Visit
from dispatch.tests.scene import dispatch_scene, east, north, order_at
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def inside(page, job) -> bool:
    box = job.bounding_box()
    track = job.locator("xpath=ancestor::div[contains(@class,'dlane-track')]").bounding_box()
    return box["width"] > 0 and track["x"] - 1 <= box["x"] and box["x"] + box["width"] <= track["x"] + \
        track["width"] + 1


def test_the_applied_plan_is_the_preview_and_every_job_is_drawn(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = dispatch_scene(build_world())
    for k in range(4):
        order_at(w, east(1 + k), slot=(9 + 2 * k, 11 + 2 * k))
    order_at(w, east(2), slot=(13, 15), status=Status.DISPATCHED, technician=w.tech_a2)
    # Accepted by tech_b for an evening window past the shift: no plan can fit it; tech_b's day stays as it is.
    late = order_at(w, north(2), slot=(21, 23), status=Status.ACCEPTED, technician=w.tech_b)
    page = open_page(browser, live_server)
    sign_in(page, "dispatcher")
    page.goto(f"{page.base}/console/dispatch/?date={w.day}&region={w.region.pk}")
    page.wait_for_selector("#board .dlane")
    page.click("#optimise")
    plan = page.locator("#dispatch-panel.dplan")
    plan.wait_for(timeout=30_000)
    assert "its technician has accepted a job the plan cannot fit" in plan.inner_text()
    assert plan.locator("[data-metric=overrun]").inner_text() == "1"  # tech_b's day, left as it is, says so
    shown = {j.get_attribute("data-order"): j.get_attribute("data-from")
             for j in plan.locator(".djob").all()}
    shot(page, "dispatch-plan-1-preview")
    page.click("#apply-plan")
    page.wait_for_selector("#board-message")
    assert "Plan applied" in page.inner_text("#board-message")
    jobs = page.locator("#board .djob").all()
    drawn = {j.get_attribute("data-order"): j.get_attribute("data-from") for j in jobs}
    assert drawn == shown  # the board after apply is the preview, job for job and minute for minute
    assert all(inside(page, j) for j in jobs)
    evening = page.locator(f"#board .djob[data-order='{late.pk}']")
    assert "is-late" in evening.get_attribute("class") and evening.get_attribute("data-from") == "21:00"
    assert "1 job outside the shift" in page.locator(f"#board .dlane[data-technician='{w.tech_b.pk}']").inner_text()
    assert WorkOrder.objects.filter(status=Status.NEW).count() == 0
    assert Visit.objects.filter(work_order=late).count() == 0  # untouched
    shot(page, "dispatch-plan-2-applied")
