"""The technician app's pages over the Django test client: route order, what a card shows, scoping, the
service worker, and what the dispatcher sees in the console."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from field import services
from field.geo import Position
from field.tests.setup import dispatched_job, on_site, prepare_field, tech
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return prepare_field(world)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_jobs_in_route_order_with_upcoming_apart(w):
    today = timezone.localdate()
    late, early, no_slot = dispatched_job(w), dispatched_job(w), dispatched_job(w)
    tomorrow = dispatched_job(w)
    urgent_no_slot = dispatched_job(w)
    WorkOrder.objects.filter(pk=late.pk).update(slot_start=at(today, 15), slot_end=at(today, 17))
    WorkOrder.objects.filter(pk=early.pk).update(slot_start=at(today, 9), slot_end=at(today, 11))
    WorkOrder.objects.filter(pk=tomorrow.pk).update(slot_start=at(today + dt.timedelta(days=1), 9),
                                                    slot_end=at(today + dt.timedelta(days=1), 11))
    WorkOrder.objects.filter(pk=no_slot.pk).update(onsite_due=timezone.now() + dt.timedelta(hours=6))
    WorkOrder.objects.filter(pk=urgent_no_slot.pk).update(onsite_due=timezone.now() + dt.timedelta(hours=1))
    theirs = make_order(w, status=Status.DISPATCHED, technician=w.tech_a2)
    html = signed_in(w.tech_a.user).get("/field/").content.decode()
    listed = [int(pk) for pk in re.findall(r'<li class="job status-\w+" data-order="(\d+)"', html)]
    assert listed == [early.pk, late.pk, urgent_no_slot.pk, no_slot.pk, tomorrow.pk]
    assert theirs.pk not in listed
    today_part, upcoming_part = html.split('class="section-title"')[0], html.split('class="section-title"')[1]
    assert f'data-order="{tomorrow.pk}"' in upcoming_part and f'data-order="{tomorrow.pk}"' not in today_part


def test_a_job_card_says_whom_the_technician_is_visiting(w, settings):
    settings.LANGUAGE_CODE = "en"
    order = dispatched_job(w)
    w.customer.segment = "premium"
    w.customer.tags = ["VIP"]
    w.customer.save(update_fields=["segment", "tags"])
    done = make_order(w, status=Status.CLOSED)
    WorkOrder.objects.filter(pk=done.pk).update(estimate_total=Decimal("180.00"))
    html = signed_in(w.tech_a.user).get("/field/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    card = html[html.index(f'data-order="{order.pk}"'):]
    assert "Premium" in card and "Spent ¥180.00" in card and "1 product, ¥" in card and "VIP" in card
    assert f"Last visit {timezone.localdate():%Y-%m-%d}" in card
    assert order.product.product_model.name in card and "No water comes out" in card
    for scheme in ("https://uri.amap.com/navigation?to=120.130000,30.280000", "baidumap://map/direction?",
                   "qqmap://map/routeplan?", "https://maps.apple.com/?daddr=30.280000,120.130000",
                   "geo:30.280000,120.130000?"):
        assert scheme in card, scheme


def test_a_card_says_by_when_to_be_on_site_only_until_the_technician_is_there(w, settings):
    settings.LANGUAGE_CODE = "en"
    waiting, there = dispatched_job(w), on_site(w, dispatched_job(w))
    WorkOrder.objects.filter(pk__in=[waiting.pk, there.pk]).update(onsite_due=timezone.now() + dt.timedelta(hours=3))
    html = signed_in(w.tech_a.user).get("/field/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    def card(order):
        start = html.index(f'data-order="{order.pk}"')
        return html[start:html.index("</li>", start)]

    assert "on site by" in card(waiting)
    assert "on site by" not in card(there)  # arrived: the promise is kept, the card says what is being done


def test_the_job_page_carries_its_state_for_offline_use(w):
    order = on_site(w, dispatched_job(w))
    response = signed_in(w.tech_a.user).get(f"/field/jobs/{order.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    state = json.loads(re.search(r'<script type="application/json" id="job-state">(.*?)</script>', html, re.S)[1])
    assert state["id"] == order.pk and state["status"] == Status.ON_SITE
    texts = json.loads(re.search(r'<script type="application/json" id="field-texts">(.*?)</script>', html, re.S)[1])
    assert texts["status"]["on_site"]
    assert 'data-sw="/field/sw.js"' in html
    assert 'data-api="/api/v1/field/jobs/"' in html


def test_other_peoples_jobs_do_not_exist_here(w):
    order = dispatched_job(w)
    for user in (w.tech_a2.user, w.tech_b.user, w.dispatcher, w.manager_a, w.customer.user):
        assert signed_in(user).get(f"/field/jobs/{order.pk}/").status_code == 404
    assert signed_in(w.dispatcher).get("/field/").status_code == 403
    assert signed_in(w.tech_a.user).get(f"/field/jobs/{order.pk}/").status_code == 200
    assert Client().get("/field/").status_code == 302


def test_a_declined_job_leaves_the_list(w):
    order = dispatched_job(w)
    services.decline(order=order, actor=tech(w), reason="不在服务范围")
    html = signed_in(w.tech_a.user).get("/field/").content.decode()
    assert f'data-order="{order.pk}"' not in html
    assert signed_in(w.tech_a.user).get(f"/field/jobs/{order.pk}/").status_code == 404


def test_the_service_worker_may_control_the_app(w):
    response = Client().get("/field/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert response["Service-Worker-Allowed"] == "/field/"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    body = response.content.decode()
    config = json.loads(body.split("\n", 1)[0].removeprefix("const CONFIG = ").removesuffix(";"))
    assert "/static/field/field.js" in config["shell"] and config["home"] == "/field/"
    assert (config["jobs"], config["attachments"]) == ("/api/v1/field/jobs", "/api/v1/workorders/attachments/")
    manifest = Client().get("/field/manifest.webmanifest")
    assert json.loads(manifest.content)["scope"] == "/field/"


def test_the_dispatcher_sees_a_far_check_in(w):
    far = on_site(w, dispatched_job(w), where=Position(Decimal("30.300000"), Decimal("120.130000")))
    near = on_site(w, dispatched_job(w), where=Position(Decimal("30.280100"), Decimal("120.130100")))
    client = signed_in(w.dispatcher)
    far_html = client.get(f"/console/orders/{far.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="far-checkin"' in far_html and "Checked in 2.2 km from the site" in far_html  # 2224 m
    near_html = client.get(f"/console/orders/{near.pk}/").content.decode()
    assert 'id="field-visit"' in near_html and 'id="far-checkin"' not in near_html
