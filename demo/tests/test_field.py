"""The demo technician's day, as `make run` shows it: built by the demo command on the real services."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from catalog.choices import ServiceType
from core.browser import PHONE, open_page, shot, sign_in
from demo.field import ROUTE_ORDER, seed_field
from field.models import JobTemplate, Visit
from field.selectors import my_jobs
from network.models import Technician
from parts.selectors import my_van, stock
from reports.models import ServiceReport
from workorders.choices import Status
from workorders.models import AttachmentKind

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_demo_technician_has_a_day(settings, tmp_path, browser, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    NOW = timezone.now().replace(minute=0, second=0, microsecond=0)  # what `make run` anchors the demo at
    call_command("demo", "--size", "small", "--now", NOW.isoformat(), stdout=StringIO())
    tech = User.objects.get(username="tech")
    assert tech.check_password("demo1234")
    brand = Technician.objects.get(user=tech).outlet.brand
    templates = JobTemplate.objects.filter(brand=brand)
    assert set(templates.values_list("service_type", flat=True)) == set(ServiceType.values)
    assert all(t.items.exists() and t.photos.filter(required=True).exists()
               for t in JobTemplate.objects.filter(brand=brand))

    day = my_jobs(tech, now=NOW)
    statuses = [job.order.status for job in day.today]
    # Route order: the job on site, the one on the way, then the accepted and the dispatched ones.
    assert statuses == sorted(statuses, key=ROUTE_ORDER.index)
    assert set(statuses) == set(ROUTE_ORDER)
    starts = [job.order.slot_start for job in day.today]
    assert starts == sorted(starts)
    assert Status.ON_HOLD in [job.order.status for job in day.upcoming]  # with what did not fit in today
    on_site = Visit.objects.get(work_order=day.today[0].order)
    assert on_site.checked_in_at is not None and on_site.checkin_distance_m is not None and on_site.answers.exists()
    technician = Technician.objects.get(user=tech)
    assert technician.last_located_at is not None

    # The repair done four hours before: in today's done list unless today began since (built just after
    # midnight, it was done yesterday evening and is in no one's today).
    last = Visit.objects.filter(technician=technician, completed_at__isnull=False).latest("completed_at")
    done_today = timezone.localdate(last.completed_at) == timezone.localdate(NOW)
    done = [job.order for job in day.done]
    assert done == ([last.work_order] if done_today else [])
    done = [last.work_order]
    visit = last
    assert done[0].status == Status.COMPLETED and visit.completed_at is not None
    assert visit.charge["available"] and visit.charge_total > 0
    assert visit.payment_method == "wechat" and visit.payment_amount == visit.charge_total
    assert visit.labour_minutes == 70 and visit.labour_variance_minutes is not None
    kinds = list(done[0].attachments.values_list("kind", flat=True))
    assert kinds.count(AttachmentKind.PHOTO) == 2 and kinds.count(AttachmentKind.SIGNATURE) == 1
    assert ServiceReport.objects.filter(work_order=done[0]).exists()
    assert [b for b in stock(tech, my_van(tech), in_stock_only=True)]

    # A second run changes nothing.
    before = (Visit.objects.count(), JobTemplate.objects.count())
    seed_field(brand, now=NOW)
    assert (Visit.objects.count(), JobTemplate.objects.count()) == before

    # What the demo login sees on a phone.
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        sign_in(page, "tech", "demo1234")
        page.goto(page.base + "/field/")
        page.wait_for_selector(".jobs-done .job" if done_today else "#jobs-page")
        shot(page, "field-demo-day")
        page.goto(page.base + f"/field/jobs/{day.today[0].order.pk}/")
        page.wait_for_selector("#work:not([hidden]) #checklist .is-done")
        shot(page, "field-demo-on-site")
        page.goto(page.base + f"/field/jobs/{done[0].pk}/")
        page.wait_for_selector("#summary #report-link")
        shot(page, "field-demo-done")
    finally:
        page.context.close()
