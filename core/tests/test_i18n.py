"""Both languages complete: the catalogues, the pages, the admin and the API's error messages."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.test import Client

LOCALE = Path(settings.BASE_DIR) / "locale"
CATALOGUES = {lang: LOCALE / lang / "LC_MESSAGES" / "django.po" for lang in ("zh_Hans", "en")}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w*\}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(CATALOGUES[lang]))


def translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize("lang", CATALOGUES)
def test_catalogue_is_complete(lang):
    po = catalogue(lang)
    assert len(po) > 300
    assert [e.msgid for e in po if not all(translations(e))] == []
    assert [e.msgid for e in po if e.fuzzy] == []
    assert [e.msgid for e in po if e.obsolete] == []


@pytest.mark.parametrize("lang", CATALOGUES)
def test_placeholders_survive_translation(lang):
    for entry in catalogue(lang):
        for source in filter(None, (entry.msgid, entry.msgid_plural)):
            for text in translations(entry):
                assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(source)), entry.msgid


def test_both_catalogues_hold_the_same_messages():
    zh, en = ({(e.msgctxt, e.msgid) for e in catalogue(lang)} for lang in CATALOGUES)
    assert zh == en


def test_chinese_catalogue_is_chinese():
    untranslated = [e.msgid for e in catalogue("zh_Hans")
                    if CJK.search(e.msgid) is None and e.msgstr == e.msgid and not e.msgid.isupper()]
    # Only codes and names that read the same in both (SLA, WeChat's brand name) may stay as they are.
    assert set(untranslated) <= {"SLA"}


def test_compiled_catalogues_are_current():
    for po_path in CATALOGUES.values():
        mo = po_path.with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po_path.stat().st_mtime, f"run make setup ({mo})"


@pytest.mark.django_db
@pytest.mark.parametrize(("accept", "lang", "heading"), [("zh-CN,zh;q=0.9", "zh-hans", "登录"),
                                                         ("en-US,en;q=0.9", "en", "Sign in")])
def test_login_page_follows_the_browser(accept, lang, heading):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/accounts/login/")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in body
    assert f"<h1>{heading}</h1>" in body


@pytest.mark.django_db
def test_admin_speaks_chinese():
    body = Client(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/admin/login/").content.decode()
    assert "登录" in body and "用户名" in body


def test_api_errors_follow_the_language(world, api_as):
    client = api_as("dispatcher")
    english = client.get("/api/v1/workorders/999999", HTTP_ACCEPT_LANGUAGE="en").json()
    chinese = client.get("/api/v1/workorders/999999", HTTP_ACCEPT_LANGUAGE="zh-CN").json()
    assert english == {"code": "not_found", "message": "Not found."}
    assert chinese["code"] == "not_found" and CJK.search(chinese["message"])

    bad = client.post("/api/v1/workorders", {"customer_id": "abc"}, content_type="application/json",
                      HTTP_ACCEPT_LANGUAGE="zh-CN")
    body = bad.json()
    assert bad.status_code == 422 and body["code"] == "validation_error"
    assert CJK.search(body["message"])
    assert all(CJK.search(error["msg"]) for error in body["errors"]), body["errors"]


def test_domain_errors_follow_the_language(world, api_as):
    client = api_as("dispatcher")
    response = client.post("/api/v1/customers", {"name": "张三", "phone": "12345"},
                           content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-CN")
    body = response.json()
    assert response.status_code == 422
    assert body["field"] == "phone" and body["message"] == "请输入有效的电话号码。"
