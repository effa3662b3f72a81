"""The complaints desk and the leads queue are drawn from the same partials (console/_partials/queue_head.html,
queue_results.html, action_panel.html, event_head.html): each page keeps its own ids, addresses, words and fields.
"""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.principal import principal_of
from complaints import services
from revenue.tests.factories import lead_on
from workorders.choices import Status
from workorders.tests.factories import make_order

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def squeeze(html: str) -> str:
    return re.sub(r"\s+", " ", html)


@pytest.fixture
def complaint(world):
    order = make_order(world, status=Status.COMPLETED)
    return services.open_complaint(actor=principal_of(world.hotline), customer=world.customer, order=order,
                                   category="no_show", description="等了一整天")


@pytest.mark.parametrize("path, name, heading, subtitle, few", [
    ("/console/complaints/", "complaint", "Complaints", "Brand's desk", False),
    ("/console/leads/", "lead", "Leads", "Brand's queue", True),
])
def test_each_queue_has_its_head_filters_and_results(world, complaint, path, name, heading, subtitle, few):
    lead_on(world)
    desk = signed_in(world.dispatcher)

    page = squeeze(desk.get(path).content.decode())
    partial = squeeze(desk.get(path, HTTP_HX_REQUEST="true").content.decode())
    invalid = squeeze(desk.get(path, {"status": "bogus"}).content.decode())
    empty = squeeze(desk.get(path, {"category" if name == "complaint" else "kind": "other" if name == "complaint"
                                    else "trade_in"}).content.decode())

    assert f'<h1>{heading} <span class="muted">{subtitle}</span> </h1>' in page
    assert (f'<form id="{name}-filters" class="filters{" filters-few" if few else ""}" method="get" '
            f'action="{path}" hx-get="{path}" hx-target="#{name}-results" hx-swap="outerHTML"') in page
    assert f'<a class="btn" href="{path}">Reset</a>' in page
    assert partial.strip().startswith(f'<section id="{name}-results" class="results" aria-live="polite">')
    assert f'<p class="count">1 {name}</p>' in partial and f'<table class="table {name}s">' in partial
    assert f"Correct the filters marked above to see {name}s." in invalid
    assert f'<table class="table {name}s">' not in invalid
    assert f'<p class="muted empty">No {name}s match.</p>' in empty


def test_each_detail_has_its_own_action_panel(world, complaint):
    lead = lead_on(world)
    desk = signed_in(world.dispatcher)

    on_complaint = squeeze(desk.get(f"/console/complaints/{complaint.pk}/").content.decode())
    on_lead = squeeze(desk.get(f"/console/leads/{lead.pk}/").content.decode())

    for html, name, pk in ((on_complaint, "complaint", complaint.pk), (on_lead, "lead", lead.pk)):
        assert (f'<section class="card area-actions" id="{name}-actions" aria-labelledby="{name}-actions-title"> '
                f'<h2 id="{name}-actions-title">Actions</h2>') in html
        assert (f'action="/console/{name}s/{pk}/transition/" hx-post="/console/{name}s/{pk}/transition/" '
                f'hx-target="#{name}-detail"') in html
        assert '<div class="event-head"> <time datetime=' in html
    # A complaint's steps ask for their note, named for the step; no version travels with them
    assert '<label for="id_resolve_note">How it was resolved</label>' in on_complaint
    assert '<label for="id_acknowledge_note">Note</label>' in on_complaint
    assert 'name="version"' not in on_complaint and "simple" not in on_complaint
    # A lead's steps carry its version; "won" asks for the value, "lost" for the reason, "contacted" for nothing
    assert on_lead.count(f'<input type="hidden" name="version" value="{lead.version}">') == 3
    assert '<form class="action-form simple"' in on_lead and 'data-action="contact"' in on_lead
    assert '<label for="id_win_value">Value sold (¥)</label>' in on_lead
    assert '<label for="id_lose_reason">Why was it lost?</label>' in on_lead
    # Nothing to do: each says why in its own words
    assert "Nothing for you to do on this complaint now." in squeeze(
        signed_in(world.analyst).get(f"/console/complaints/{complaint.pk}/").content.decode())
    assert "Your role may not work leads." in squeeze(
        signed_in(world.analyst).get(f"/console/leads/{lead.pk}/").content.decode())
