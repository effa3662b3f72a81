"""The service hours and the official holiday calendar are kept in the admin, one year at a time."""

from __future__ import annotations

import datetime as dt

import pytest

from workorders.models import HolidayDate, HolidayYear, ServiceCalendar
from workorders.sla import calendar_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root-sla", "r@example.com", "x"))
    return client


def test_a_brand_s_service_hours_are_set_in_the_admin_and_apply_at_once(admin, world):
    form = admin.get("/admin/workorders/servicecalendar/add/").context["adminform"].form
    assert set(form.fields["brand"].queryset) == {world.brand, world.other_brand}  # brands, not their outlets
    response = admin.post("/admin/workorders/servicecalendar/add/", {
        "brand": world.brand.pk, "name": "Hours", "workday_opens": "08:00", "workday_closes": "20:00",
        "restday_opens": "09:00", "restday_closes": "18:00", "holiday_opens": "", "holiday_closes": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    calendar = calendar_for(world.brand.pk)
    monday_night = dt.datetime(2026, 12, 7, 22, tzinfo=calendar.tz)
    assert calendar.add_minutes(monday_night, 8 * 60) == dt.datetime(2026, 12, 8, 16, tzinfo=calendar.tz)
    assert admin.get("/admin/workorders/servicecalendar/").status_code == 200


def test_hours_that_close_before_they_open_are_refused(admin, world):
    response = admin.post("/admin/workorders/servicecalendar/add/", {
        "brand": world.brand.pk, "name": "Hours", "workday_opens": "20:00", "workday_closes": "08:00"})
    assert response.status_code == 200
    assert not ServiceCalendar.objects.exists()


def test_a_year_of_holidays_is_edited_in_the_admin(admin):
    year = HolidayYear.objects.get(year=2027)
    assert not year.confirmed  # seeded provisional until the notice's dates are entered
    page = admin.get(f"/admin/workorders/holidayyear/{year.pk}/change/")
    assert page.status_code == 200
    dates = list(year.dates.order_by("date"))
    form = {"year": 2027, "source": "国办发明电", "confirmed": "on",
            "dates-TOTAL_FORMS": len(dates) + 1, "dates-INITIAL_FORMS": len(dates), "dates-MIN_NUM_FORMS": 0,
            "dates-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(dates):
        form.update({f"dates-{i}-id": row.pk, f"dates-{i}-year": year.pk, f"dates-{i}-date": row.date.isoformat(),
                     f"dates-{i}-kind": row.kind, f"dates-{i}-name": row.name})
    n = len(dates)
    form.update({f"dates-{n}-year": year.pk, f"dates-{n}-date": "2027-02-20", f"dates-{n}-kind": "workday",
                 f"dates-{n}-name": "春节"})
    response = admin.post(f"/admin/workorders/holidayyear/{year.pk}/change/", form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert HolidayDate.objects.get(date=dt.date(2027, 2, 20)).kind == "workday"
    assert HolidayYear.objects.get(pk=year.pk).confirmed
    assert admin.get("/admin/workorders/holidayyear/").status_code == 200
