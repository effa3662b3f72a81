"""Linking a WeChat user to a customer: a signed, expiring link; the customer signs in to the portal and confirms."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client, RequestFactory

from integrations import links
from integrations.models import WeChatLink
from integrations.services import wechat
from integrations.tests.factories import post_wechat, text_message, wechat_account
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
OPENID = "oBind0000000000000000000001"


@pytest.fixture
def w(world):
    world.account = wechat_account(world.brand)
    world.token = wechat.bind_token(brand_id=world.brand.pk, openid=OPENID)
    world.url = links.bind_path("acme", world.token)
    return world


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_bind_page_sits_under_the_portal_so_sign_in_comes_back_to_it(w):
    # The portal honours ?next= only within its own /portal/<brand>/ pages.
    from portal.access import safe_next

    request = RequestFactory().get("/")
    assert w.url.startswith("/portal/acme/wechat/bind/")
    assert safe_next(request, w.brand, w.url) == w.url


def test_an_anonymous_visitor_is_sent_to_the_portal_sign_in_and_back(w, client):
    resp = client.get(w.url)
    assert resp.status_code == 302
    target = urlsplit(resp["Location"])
    assert target.path == "/portal/acme/login/"
    assert parse_qs(target.query) == {"next": [w.url]}
    assert WeChatLink.objects.count() == 0


def test_a_signed_in_customer_confirms_and_the_openid_is_linked(w):
    client = signed_in(w.customer.user)
    page = client.get(w.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-state="confirm"' in html and w.customer.name in html and w.customer.phone[-4:] in html
    assert WeChatLink.objects.count() == 0  # looking does not link
    done = client.post(w.url)
    assert done.status_code == 200 and 'data-state="done"' in done.content.decode()
    link = WeChatLink.objects.get()
    assert (link.brand, link.openid, link.customer) == (w.brand, OPENID, w.customer)
    assert 'data-state="already"' in client.get(w.url).content.decode()


def test_after_linking_the_user_can_report_a_repair(w):
    signed_in(w.customer.user).post(w.url)
    resp = post_wechat("acme", text_message("报修 SN-A-0001 不出水", openid=OPENID, msg_id=42))
    assert resp.status_code == 200
    assert WorkOrder.objects.get().customer == w.customer


def test_an_openid_links_to_one_customer_per_brand(w):
    WeChatLink.objects.create(brand=w.brand, openid=OPENID, customer=w.other_customer)
    signed_in(w.customer.user).post(w.url)
    assert WeChatLink.objects.filter(brand=w.brand, openid=OPENID).get().customer == w.customer


def test_the_same_openid_may_be_linked_in_another_brand(w):
    WeChatLink.objects.create(brand=w.other_brand, openid=OPENID, customer=w.rival_customer)
    signed_in(w.customer.user).post(w.url)
    assert WeChatLink.objects.filter(openid=OPENID).count() == 2


@pytest.mark.parametrize("persona", ["dispatcher", "admin", "manager_a"])
def test_staff_cannot_link(w, persona):
    user = getattr(w, persona)
    client = signed_in(user)
    assert client.get(w.url).status_code == 403
    assert client.post(w.url).status_code == 403
    assert WeChatLink.objects.count() == 0


def test_a_customer_of_another_brand_cannot_link(w):
    from accounts.choices import Role
    from accounts.tests.factories import MembershipFactory, UserFactory

    user = UserFactory(username="rival_customer_user")
    MembershipFactory(user=user, organisation=w.other_brand, role=Role.CUSTOMER)
    w.rival_customer.user = user
    w.rival_customer.save()
    client = signed_in(user)
    assert client.post(w.url).status_code == 403
    assert WeChatLink.objects.count() == 0


def test_a_link_made_for_one_brand_is_invalid_at_another(w):
    wechat_account(w.other_brand, token="rivalToken99", original_id="gh_rival00001")
    url = links.bind_path("rival", w.token)
    client = signed_in(w.customer.user)
    assert client.get(url).status_code == 400
    assert client.post(url).status_code == 400
    assert WeChatLink.objects.count() == 0


@pytest.mark.parametrize("token", ["garbage", "eyJiIjoxLCJvIjoiYXR0YWNrZXIifQ:1xYUty:forged"])
def test_a_forged_link_is_invalid(w, token):
    client = signed_in(w.customer.user)
    resp = client.post(links.bind_path("acme", token))
    assert resp.status_code == 400 and 'data-state="invalid"' in resp.content.decode()
    assert WeChatLink.objects.count() == 0


def test_an_expired_link_is_invalid(w, monkeypatch):
    # A link issued two days ago: the signer's clock is moved back while it is made.
    real = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real() - 2 * 86400)
    old = wechat.bind_token(brand_id=w.brand.pk, openid=OPENID)
    monkeypatch.setattr(signing.time, "time", real)
    client = signed_in(w.customer.user)
    assert client.post(links.bind_path("acme", old)).status_code == 400
    assert WeChatLink.objects.count() == 0


def test_the_confirmation_needs_the_csrf_token(w):
    client = Client(enforce_csrf_checks=True)
    client.force_login(w.customer.user)
    assert client.post(w.url).status_code == 403
    assert WeChatLink.objects.count() == 0
