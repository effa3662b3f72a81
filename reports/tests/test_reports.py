"""The PDF service report: rendered when a job is completed, with Chinese text and its font embedded, once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client
from django.utils import timezone

from accounts.principal import principal_of
from conftest import build_world, race
from field.models import Visit
from field.selectors import service_report_url
from reports.models import ServiceReport
from reports.render import report_html
from reports.services import ensure_service_report
from reports.tasks import enqueue_service_report, render_service_report
from reports.tests.helpers import completed_repair, pdf_fonts, pdf_images, pdf_text
from workorders import events
from workorders.choices import Status
from workorders.models import AttachmentKind, WorkOrderAttachment
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(django_settings.BASE_DIR) / "test-artifacts"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _reports():
    return list(WorkOrderAttachment.objects.filter(kind=AttachmentKind.REPORT).values_list("pk", "work_order_id"))


def test_completing_a_job_makes_its_report(world, django_capture_on_commit_callbacks):
    order, callbacks = completed_repair(world, django_capture_on_commit_callbacks)
    assert len(callbacks) >= 1
    report = ServiceReport.objects.get(work_order=order)
    attachment = report.attachment
    assert (attachment.kind, attachment.content_type, attachment.customer_visible) == (
        AttachmentKind.REPORT, "application/pdf", True)
    data = attachment.file.open("rb").read()
    assert data.startswith(b"%PDF-") and attachment.size == len(data) and report.pages >= 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "service-report.pdf").write_bytes(data)  # for a person to look at (pdftoppm -png)

    text = pdf_text(data)
    for expected in ("服务报告", "Acme", order.number, "RO-500", "SN-A-0001",  # brand, order, product
                     "净水器不出水", "冬季室外管路冻裂", "E3",  # reported and diagnosed
                     "断电断水后检修", "进水压力", "0.25 MPa",  # checklist
                     "增压泵", "booster-pump",  # the part
                     "¥340.00", "¥260.00", "¥80.00",  # the charge, line by line
                     "不在保修范围",  # the warranty verdict: frost damage is misuse
                     "WX-8848", "tech_a", "Outlet A", "王女士"):
        assert expected in text, expected
    fonts = pdf_fonts(data)
    assert any("Noto-Sans-CJK-SC" in name for name, _ in fonts), fonts
    assert all(embedded for _, embedded in fonts), fonts
    assert pdf_images(data) >= 3  # two photos and the signature


def test_rendering_twice_keeps_one_report(world, django_capture_on_commit_callbacks):
    order, _ = completed_repair(world, django_capture_on_commit_callbacks)
    first = ServiceReport.objects.get(work_order=order)
    content = first.attachment.file.open("rb").read()
    result = render_service_report.enqueue(order.pk)
    assert result.return_value == first.attachment_id
    assert ensure_service_report(order_id=order.pk).pk == first.pk
    assert _reports() == [(first.attachment_id, order.pk)]
    first.attachment.refresh_from_db()
    assert first.attachment.file.open("rb").read() == content


def test_an_order_not_completed_gets_no_report(world):
    order = make_order(world, status=Status.ON_SITE)
    assert ensure_service_report(order_id=order.pk) is None
    assert ensure_service_report(order_id=999_999) is None
    assert _reports() == [] and not ServiceReport.objects.exists()


def test_enqueue_waits_for_the_commit(world, django_capture_on_commit_callbacks):
    order = make_order(world, status=Status.COMPLETED, symptom="更换滤芯")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enqueue_service_report(order)
    assert len(callbacks) == 1 and not ServiceReport.objects.exists()  # nothing before the commit
    callbacks[0]()
    report = ServiceReport.objects.get(work_order=order)
    # Without a visit (an order completed before the technician app) it is built from the order itself.
    text = pdf_text(report.attachment.file.open("rb").read())
    assert "更换滤芯" in text and order.number in text


def test_the_technicians_job_links_the_report_once_there_is_one(world, django_capture_on_commit_callbacks):
    order = make_order(world, status=Status.COMPLETED, symptom="更换滤芯", technician=world.tech_a)
    assert service_report_url(world.tech_a.user, order) is None  # field.selectors asks reports (reports/hooks.py)
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_service_report(order)
    url = f"/reports/orders/{order.pk}/service-report.pdf"
    assert service_report_url(world.tech_a.user, order) == url
    assert service_report_url(world.tech_b.user, order) is None  # not his job: not his to see


def test_who_may_download_the_report(world, django_capture_on_commit_callbacks):
    order, _ = completed_repair(world, django_capture_on_commit_callbacks)
    url = f"/reports/orders/{order.pk}/service-report.pdf"
    for user in (world.customer.user, world.dispatcher, world.manager_a, world.tech_a.user):
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, user
        assert response["Content-Type"] == "application/pdf"
        assert f'service-report-{order.number}.pdf' in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    for user in (world.other_customer.user, world.manager_b, world.tech_b.user, world.tech_a2.user,
                 world.rival_dispatcher):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 404, user
    assert Client().get(url).status_code == 302
    open_order = make_order(world, status=Status.ON_SITE)
    client = Client()
    client.force_login(world.dispatcher)
    assert client.get(f"/reports/orders/{open_order.pk}/service-report.pdf").status_code == 404


def test_the_console_order_page_links_the_report(world, django_capture_on_commit_callbacks):
    order, _ = completed_repair(world, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(world.dispatcher)
    html = client.get(f"/console/orders/{order.pk}/").content.decode()
    assert f'href="/reports/orders/{order.pk}/service-report.pdf"' in html


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_keep_one_report(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = build_world()
    order = make_order(world, status=Status.COMPLETED, symptom="两个进程同时生成报告")
    results = race(lambda _i: ensure_service_report(order_id=order.pk), 2, timeout=120)
    assert all(isinstance(r, ServiceReport) for r in results), results
    assert results[0].pk == results[1].pk
    assert len(_reports()) == 1
    files = [p for p in (tmp_path / "media").rglob("*.pdf")]
    assert len(files) == 1  # the loser's file was deleted again


def test_the_portal_tracking_page_offers_the_report_to_its_customer(world, django_capture_on_commit_callbacks):
    order, _ = completed_repair(world, django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(world.customer.user)
    html = client.get(f"/portal/acme/orders/{order.pk}/").content.decode()
    assert 'id="service-report"' in html
    assert f'href="/reports/orders/{order.pk}/service-report.pdf"' in html
    waiting = make_order(world, status=Status.ON_SITE)
    assert 'id="service-report"' not in client.get(f"/portal/acme/orders/{waiting.pk}/").content.decode()


def test_rendering_leaves_truncated_uploads_refused(world):
    """WeasyPrint's import loosens Pillow for the whole process; the renderer puts it back."""
    import io

    from PIL import Image, ImageFile

    from core.images import InvalidImage, accept_photo
    from reports.render import render_report

    render_report(make_order(world, status=Status.COMPLETED))
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    buffer = io.BytesIO()
    Image.effect_noise((800, 600), 64).convert("RGB").save(buffer, "JPEG")
    whole = buffer.getvalue()
    with pytest.raises(InvalidImage):
        accept_photo(whole[: len(whole) // 2])


def test_the_report_writes_the_visit_and_a_first_booking_as_the_customers_pages_do(
        world, django_capture_on_commit_callbacks):
    # The visit's time on site is a window written one way (core.dates.hours), as the portal and the messages write it
    order, _callbacks = completed_repair(world, django_capture_on_commit_callbacks)
    visit = Visit.objects.get(work_order=order)
    arrived = timezone.localtime(visit.checked_in_at)
    html = report_html(order, language="zh-hans")
    assert f"{arrived:%Y-%m-%d} {arrived:%H:%M}–{timezone.localtime(visit.checked_out_at):%H:%M}" in html
    assert f"{arrived:%Y-%m-%d %H:%M} – " not in html

    # An order taken without a window and booked afterwards: its timeline says booked, not rescheduled
    booked = make_order(world, status=Status.COMPLETED)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=1)
    with transaction.atomic():
        events.rescheduled(order=booked, actor=principal_of(world.hotline), before=None,
                           after=[start.isoformat(), (start + dt.timedelta(hours=2)).isoformat()], at=timezone.now())
    timeline = report_html(booked, language="zh-hans")
    timeline = timeline[timeline.index('<ol class="timeline">'):]
    assert "已预约上门" in timeline and "已改约" not in timeline
