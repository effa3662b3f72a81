"""The page-access decorators (core/pages.py) that every page of the console and the technician app uses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponse
from django.test import RequestFactory

from accounts.choices import Role
from accounts.principal import principal_of
from core.pages import refusal, staff_page, technician_page
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def _request(user):
    request = RequestFactory().get("/somewhere/")
    request.user = user or AnonymousUser()
    return request


def _seen(request, *, principal, **kwargs) -> HttpResponse:
    named = ",".join(f"{key}={value.pk}" for key, value in kwargs.items())
    return HttpResponse(f"{principal.role}|{named}")


def _fetch(user, pk):
    return WorkOrder.objects.visible_to(user).get(pk=pk)


def test_a_staff_page_signs_in_first_then_refuses_a_customer_and_gives_staff_their_principal(world):
    view = staff_page(_seen)
    anonymous = view(_request(None))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/?next=")
    assert view(_request(world.customer.user)).status_code == 403
    for user in (world.dispatcher, world.manager_a, world.tech_a.user):
        answer = view(_request(user))
        assert (answer.status_code, answer.content.decode()) == (200, f"{principal_of(user).role}|")


def test_a_desk_page_takes_only_its_roles_and_answers_the_others_with_its_own_refusal(world):
    view = staff_page(roles={Role.DISPATCHER}, refuse=refusal("console/dispatch/no_board.html"))(_seen)
    assert view(_request(world.dispatcher)).status_code == 200
    for user in (world.manager_a, world.tech_a.user, world.customer.user):
        answer = view(_request(user))
        assert answer.status_code == 403 and b'id="no-board"' in answer.content


def test_an_object_named_in_the_address_is_fetched_before_the_seat_so_anothers_is_404_for_everyone(world):
    order = make_order(world)
    view = staff_page(roles={Role.DISPATCHER}, fetch=_fetch, as_name="order")(_seen)
    assert view(_request(world.dispatcher), pk=order.pk).content.decode().endswith(f"|order={order.pk}")
    # The rival brand's dispatcher has the seat but not the order; another customer has neither: 404, not 403.
    for user in (world.rival_dispatcher, world.other_customer.user):
        with pytest.raises(Http404):
            view(_request(user), pk=order.pk)
    with pytest.raises(Http404):
        view(_request(world.dispatcher), pk=order.pk + 10_000)
    # The order's own customer sees it, so is told there is no seat for them here.
    assert view(_request(world.customer.user), pk=order.pk).status_code == 403


def test_a_technician_page_refuses_other_staff_with_the_apps_page(world):
    view = technician_page(_seen, refuse=refusal("field/not_technician.html"))
    assert view(_request(world.tech_a.user)).status_code == 200
    for user in (world.dispatcher, world.customer.user):
        assert view(_request(user)).status_code == 403
