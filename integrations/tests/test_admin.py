"""The admin: secrets are shown once when issued and masked everywhere after; logs are read-only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from catalog.models import FaultCodeMapping
from integrations.models import DeviceSecret, WeChatAccount
from integrations.tests.factories import iot_world, post_alert, wechat_account

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(world):
    user = User.objects.create_superuser("root", "root@example.com", "pw-Secret-123")
    client = Client()
    client.force_login(user)
    return client


def test_a_new_secret_is_shown_once_and_then_only_masked(world, admin_client):
    resp = admin_client.post("/admin/integrations/devicesecret/add/", {"brand": world.brand.pk, "label": "fleet A"})
    assert resp.status_code == 200
    raw = re.search(r'<code id="issued-secret"[^>]*>([^<]+)</code>', resp.content.decode()).group(1)
    secret = DeviceSecret.objects.get()
    assert secret.secret == raw and secret.last_four == raw[-4:] and secret.is_active
    # The secret works for signing, which is what it was shown for.
    assert post_alert({"alert_id": "adm-1", "serial": "SN-A-0001", "readings": {"running_hours": 1}},
                      secret=raw, brand="acme").status_code == 202
    listing = admin_client.get("/admin/integrations/devicesecret/").content.decode()
    change = admin_client.get(f"/admin/integrations/devicesecret/{secret.pk}/change/").content.decode()
    for page in (listing, change):
        assert raw not in page and raw[:-4] not in page
        assert f"••••{raw[-4:]}" in page


def test_a_third_active_secret_is_refused_in_the_admin(world, admin_client):
    iot_world(world)  # one acme secret
    admin_client.post("/admin/integrations/devicesecret/add/", {"brand": world.brand.pk, "label": "second"})
    resp = admin_client.post("/admin/integrations/devicesecret/add/", {"brand": world.brand.pk, "label": "third"})
    assert resp.status_code == 200
    assert "最多有两个" in resp.content.decode() or "at most two" in resp.content.decode()
    assert DeviceSecret.objects.filter(brand=world.brand, is_active=True).count() == 2


def test_revoking_from_the_admin(world, admin_client):
    keys = iot_world(world)
    resp = admin_client.post("/admin/integrations/devicesecret/", {
        "action": "revoke", "_selected_action": [keys.secret.pk]})
    assert resp.status_code == 302
    keys.secret.refresh_from_db()
    assert not keys.secret.is_active and keys.secret.revoked_at is not None
    assert post_alert({"alert_id": "r-1", "serial": "SN-A-0001", "fault_code": "E01"}, secret=keys.raw,
                      brand="acme").status_code == 401


def test_the_wechat_token_is_never_shown_back(world, admin_client):
    account = wechat_account(world.brand, token="SuperSecretToken42")
    for url in ("/admin/integrations/wechataccount/", f"/admin/integrations/wechataccount/{account.pk}/change/"):
        page = admin_client.get(url).content.decode()
        assert "SuperSecretToken42" not in page
    assert "/wechat/acme/callback" in admin_client.get("/admin/integrations/wechataccount/").content.decode()
    # Saving with the token left empty keeps it; typing one replaces it.
    form = {"brand": world.brand.pk, "name": "Acme 服务号", "app_id": "", "original_id": "gh_acme000001",
            "token": "", "encoding_aes_key": "", "mode": "plain", "is_active": "on"}
    assert admin_client.post(f"/admin/integrations/wechataccount/{account.pk}/change/", form).status_code == 302
    account.refresh_from_db()
    assert account.token == "SuperSecretToken42"
    form["token"] = "NewToken2026"
    admin_client.post(f"/admin/integrations/wechataccount/{account.pk}/change/", form)
    account.refresh_from_db()
    assert account.token == "NewToken2026"
    form["mode"] = "safe"
    resp = admin_client.post(f"/admin/integrations/wechataccount/{account.pk}/change/", form)
    assert resp.status_code == 200
    assert WeChatAccount.objects.get().mode == "plain"


def test_a_mapping_needs_exactly_one_scope(world, admin_client):
    form = {"brand": world.brand.pk, "product_model": world.model.pk, "category": world.category.pk,
            "fault_code": "e77", "label": "both", "service_type": "repair", "priority": "normal", "is_active": "on"}
    resp = admin_client.post("/admin/catalog/faultcodemapping/add/", form)
    assert resp.status_code == 200 and FaultCodeMapping.objects.count() == 0
    form["category"] = ""
    assert admin_client.post("/admin/catalog/faultcodemapping/add/", form).status_code == 302
    assert FaultCodeMapping.objects.get().fault_code == "E77"
    resp = admin_client.post("/admin/catalog/faultcodemapping/add/", form)  # the same code again
    assert resp.status_code == 200 and FaultCodeMapping.objects.count() == 1


@pytest.mark.parametrize("model", ["integrations/devicealert", "integrations/usagereading",
                                   "integrations/rejectedrequest", "integrations/wechatmessage",
                                   "integrations/wechatlink", "catalog/faultcodemapping"])
def test_every_integration_admin_page_opens(world, admin_client, model):
    keys = iot_world(world)
    post_alert({"alert_id": "p-1", "serial": "SN-A-0001", "fault_code": "E01", "readings": {"running_hours": 3}},
               secret=keys.raw, brand="acme")
    post_alert({"alert_id": "p-2", "serial": "SN-A-0001", "fault_code": "E01"}, secret="forged", brand="acme")
    assert admin_client.get(f"/admin/{model}/").status_code == 200


def test_device_alerts_cannot_be_added_or_edited_by_hand(world, admin_client):
    assert admin_client.get("/admin/integrations/devicealert/add/").status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_issuing_a_secret_in_the_admin_in_a_browser(browser, live_server):
    from conftest import build_world
    from core.browser import PASSWORD, open_page, shot

    world = build_world()
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    page = open_page(browser, live_server, locale="zh-CN")
    page.goto(live_server.url + "/admin/login/?next=/admin/integrations/devicesecret/add/")
    page.fill("#id_username", "root")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.select_option("#id_brand", str(world.brand.pk))
    page.fill("#id_label", "2026 款设备")
    page.click("input[name=_save]")
    raw = page.inner_text("#issued-secret")
    assert raw == DeviceSecret.objects.get().secret
    shot(page, "integrations-admin-secret-issued")
    page.click("text=完成")
    page.wait_for_url("**/admin/integrations/devicesecret/")
    assert raw not in page.content()
    shot(page, "integrations-admin-secret-list")
