"""dispatch.selectors.offer_slots on the database: who serves, who counts, what is booked, how many queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from catalog.models import ServiceStandard
from core.dates import brand_tz
from customers.models import InstalledProduct
from dispatch.selectors import free_capacity, offer_slots, slot_windows
from network.models import Certification, Technician
from network.tests.factories import CertificationFactory, SkillFactory
from workorders.choices import Status
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import prepare_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return prepare_intake(world)


def product_of(w) -> InstalledProduct:
    return InstalledProduct.objects.select_related("product_model__category", "site").get(pk=w.product.pk)


def offered(w, **kw) -> list[tuple]:
    return [(o.start, o.outlet_id, o.free) for o in offer_slots(product=product_of(w), service_type="repair", **kw)]


def test_every_window_of_the_week_within_working_hours_is_offered(w):
    offers = offer_slots(product=product_of(w), service_type="repair")

    tz = brand_tz()
    assert offers
    for offer in offers:
        local = offer.start.astimezone(tz)
        assert local.weekday() < 6  # the default hours are Monday to Saturday, 08:30-17:30
        assert local.hour in (9, 11, 13, 15)  # 17-19 ends after the shifts
        assert offer.end - offer.start == dt.timedelta(hours=2)
        assert offer.start >= timezone.now() + dt.timedelta(hours=2)
        assert offer.start < timezone.now() + dt.timedelta(days=7)
        assert (offer.outlet_id, offer.free) == (w.outlet_a.pk, 2)  # tech_a and tech_a2, one job each


def test_one_query_per_kind_of_data_and_three_per_working_day(w, django_assert_max_num_queries):
    product = product_of(w)
    offer_slots(product=product, service_type="repair", days=14)  # the ranking's master data, once a process
    for days in (1, 14):
        working = sum((timezone.localdate() + dt.timedelta(days=k)).weekday() < 6 for k in range(days))
        # standard, outlets, technicians, certificates, bookings; and for each day with room, the ranking's
        # three (the technicians' jobs that day, the outlets' load, bookings not yet on a day): whether someone
        # can take the job in it
        with django_assert_max_num_queries(5 + 3 * working):
            offer_slots(product=product, service_type="repair", days=days)


def test_the_nearest_outlet_with_room_takes_the_window(w):
    site = w.product.site
    w.outlet_a.latitude, w.outlet_a.longitude = "31.230000", "121.470000"  # Shanghai: far away
    w.outlet_a.save()
    w.outlet_b.latitude, w.outlet_b.longitude = site.latitude, site.longitude
    w.outlet_b.save()

    offers = offered(w)

    assert {outlet for _s, outlet, _f in offers} == {w.outlet_b.pk}
    # Outlet B has one technician: book its first window and outlet A takes that window instead.
    first = offer_slots(product=product_of(w), service_type="repair")[0]
    make_order(w, status=Status.ASSIGNED, outlet=w.outlet_b, slot_start=first.start, slot_end=first.end)
    assert offered(w)[0] == (first.start, w.outlet_a.pk, 2)


@pytest.mark.parametrize("change", ["not_authorised", "not_serving_region", "inactive", "site_without_region",
                                    "other_region"])
def test_outlets_that_cannot_serve_the_product_offer_nothing(w, change):
    outlets = (w.outlet_a, w.outlet_b)
    for outlet in outlets:
        if change == "not_authorised":
            w.category.authorised_outlets.remove(outlet)
        elif change == "not_serving_region":
            w.region.outlets.remove(outlet)
        elif change == "inactive":
            outlet.is_active = False
            outlet.save()
    if change in ("site_without_region", "other_region"):
        site = w.product.site
        site.region = None if change == "site_without_region" else type(w.region).objects.create(
            brand=w.brand, code="ningbo", name="宁波", latitude=29.87, longitude=121.54)
        site.save()

    assert offered(w) == []


def test_only_active_technicians_with_the_skill_count(w):
    w.tech_a2.skills.clear()
    assert {free for _s, _o, free in offered(w)} == {1}
    Technician.objects.filter(pk=w.tech_a.pk).update(is_active=False)
    assert {outlet for _s, outlet, _f in offered(w)} == {w.outlet_b.pk}


def test_an_expired_certificate_does_not_count_and_matches_qualified_for(w):
    CertificationFactory(technician=w.tech_a, skill=w.skill, valid_from=dt.date(2020, 1, 1),
                         expires_on=timezone.localdate() - dt.timedelta(days=1))
    # tech_a2's certificate runs out in three days: he counts until then.
    lapse = timezone.localdate() + dt.timedelta(days=3)
    CertificationFactory(technician=w.tech_a2, skill=w.skill, valid_from=dt.date(2020, 1, 1), expires_on=lapse)

    tz = brand_tz()
    for start, outlet, free in offered(w):
        day = start.astimezone(tz).date()
        expected = Technician.objects.filter(outlet=w.outlet_a, is_active=True).qualified_for(w.skill, day).count()
        if expected:
            assert (outlet, free) == (w.outlet_a.pk, expected) == (w.outlet_a.pk, 1)
            assert day <= lapse
        else:
            assert outlet == w.outlet_b.pk and day > lapse


def test_working_hours_decide_the_windows(w):
    Technician.objects.filter(outlet=w.outlet_a).update(working_hours={"wed": ["13:00", "17:00"]})
    w.region.outlets.remove(w.outlet_b)

    tz = brand_tz()
    assert {(s.astimezone(tz).strftime("%a"), s.astimezone(tz).hour) for s, _o, _f in offered(w)} <= {
        ("Wed", 13), ("Wed", 15)}
    assert offered(w, days=8)  # eight days always hold a Wednesday afternoon still ahead


def test_booked_open_orders_take_capacity_cancelled_ones_do_not(w):
    first = offer_slots(product=product_of(w), service_type="repair")[0]
    window = (first.start, first.end)
    make_order(w, status=Status.ASSIGNED, slot_start=first.start, slot_end=first.end)

    assert free_capacity(product=product_of(w), service_type="repair", outlet_id=w.outlet_a.pk, window=window) == 1
    make_order(w, status=Status.CANCELLED, slot_start=first.start, slot_end=first.end)
    make_order(w, status=Status.NEW, slot_start=first.start, slot_end=first.end)  # at no outlet yet
    assert free_capacity(product=product_of(w), service_type="repair", outlet_id=w.outlet_a.pk, window=window) == 1
    make_order(w, status=Status.DISPATCHED, slot_start=first.start, slot_end=first.end)
    assert free_capacity(product=product_of(w), service_type="repair", outlet_id=w.outlet_a.pk, window=window) == 0
    assert offered(w)[0][:2] == (first.start, w.outlet_b.pk)


def test_without_a_service_standard_a_default_job_needs_no_skill(w):
    ServiceStandard.objects.filter(product_model=w.model).delete()
    newcomer = SkillFactory(brand=w.brand)
    for tech in (w.tech_a, w.tech_a2, w.tech_b):
        tech.skills.set([newcomer])

    assert {(o, f) for _s, o, f in offered(w)} == {(w.outlet_a.pk, 2)}


def test_slot_windows_follow_now(w):
    now = timezone.now()
    found = slot_windows(days=3, now=now)
    assert found and all(start >= now + dt.timedelta(hours=2) for start, _end in found)
    assert Certification.objects.count() == 0  # the world's skills take no certificate by default


def test_a_window_no_technician_can_reach_and_return_from_is_not_offered(w):
    """The slot maths alone has room at 09:00; but the site is 150 km from the outlet: nobody on a 08:30 shift
    arrives by 11:00 (nor, on a 17:30 shift, drives there and back at all), so nothing is offered or bookable."""
    from dispatch import slots as slot_maths
    from dispatch.selectors import board_for
    from dispatch.tests.scene import CENTRE, east

    for outlet in (w.outlet_a, w.outlet_b):
        outlet.latitude, outlet.longitude = CENTRE
        outlet.save(update_fields=["latitude", "longitude"])
    site = w.product.site
    site.latitude, site.longitude = (f"{v:.6f}" for v in east(150))
    site.save(update_fields=["latitude", "longitude"])
    product = product_of(w)
    windows = slot_windows()
    board = board_for(product=product, service_type="repair", span=(windows[0][0], windows[-1][1]))
    rough = {o.start.astimezone(brand_tz()).hour for o in slot_maths.offers(board, windows)}
    assert 9 in rough  # room, by the numbers
    offered_hours = {o.start.astimezone(brand_tz()).hour for o in offer_slots(product=product, service_type="repair")}
    assert offered_hours == set()
    nine = next(win for win in windows if win[0].astimezone(brand_tz()).hour == 9)
    assert free_capacity(product=product, service_type="repair", outlet_id=w.outlet_a.pk, window=nine) == 0


def test_a_window_whose_job_would_end_too_late_to_drive_back_is_not_offered(w):
    """A two-hour job in the 15:00 window of a shift ending 17:30 ends at 17:00 with 30 minutes to drive back:
    offered; with the shift ending 17:00 it is not (the job alone would fit, the drive home would not)."""
    ServiceStandard.objects.filter(product_model=w.product.product_model, service_type="repair").update(
        standard_minutes=120)
    for tech in Technician.objects.all():
        tech.working_hours = {d: ["08:00", "17:00"] for d in ("mon", "tue", "wed", "thu", "fri", "sat")}
        tech.save(update_fields=["working_hours"])
    hours = {o.start.astimezone(brand_tz()).hour for o in offer_slots(product=product_of(w), service_type="repair")}
    assert 15 not in hours and 13 in hours
