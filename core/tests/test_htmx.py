"""One page-or-partial renderer (core/htmx.py): the partial only when htmx asks, the whole page otherwise."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django_htmx.middleware import HtmxDetails

from core.htmx import DOMAIN_ERROR_HEADER, refused, render_page, wants_partial

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", {
        "page.html": "page {{ name }} partial={{ is_partial }}",
        "partial.html": "partial {{ name }} partial={{ is_partial }}",
    })]},
}]
HTMX = {"HTTP_HX_REQUEST": "true"}
RESTORE = {**HTMX, "HTTP_HX_HISTORY_RESTORE_REQUEST": "true"}


def _request(**headers):
    request = RequestFactory().get("/somewhere", **headers)
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.parametrize(("headers", "partial"), [({}, False), (HTMX, True), (RESTORE, False)])
def test_htmx_gets_the_partial_and_a_history_restore_or_a_browser_the_whole_page(headers, partial):
    assert wants_partial(_request(**headers)) is partial


@override_settings(TEMPLATES=TEMPLATES)
@pytest.mark.parametrize(("headers", "body"), [
    ({}, "page ada partial=False"),
    (HTMX, "partial ada partial=True"),
    (RESTORE, "page ada partial=False"),
])
def test_the_page_or_its_partial_says_which_it_is_and_varies_on_hx_request(headers, body):
    response = render_page(_request(**headers), "page.html", {"name": "ada"}, partial="partial.html")
    assert response.status_code == 200 and response.content.decode() == body
    assert "HX-Request" in response["Vary"]


@override_settings(TEMPLATES=TEMPLATES)
def test_a_page_without_a_partial_is_whole_even_for_htmx():
    response = render_page(_request(**HTMX), "page.html", {"name": "ada"})
    assert response.content.decode() == "page ada partial=False" and "HX-Request" in response["Vary"]


@override_settings(TEMPLATES=TEMPLATES)
def test_a_status_is_kept_and_is_not_by_itself_a_refusal():
    # A form's own 422 (the dispatch board's filters) is not marked for the console's script to swap in.
    response = render_page(_request(**HTMX), "page.html", {"name": "ada"}, partial="partial.html", status=422)
    assert response.status_code == 422 and DOMAIN_ERROR_HEADER not in response


def test_a_refusal_carries_its_status_and_the_header_the_console_swaps_in_by():
    response = refused(HttpResponse("the order as it stands"), 409)
    assert response.status_code == 409 and response[DOMAIN_ERROR_HEADER] == "409"
    assert response.content == b"the order as it stands"
