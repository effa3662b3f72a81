"""Both languages complete: the catalogues, the pages, the admin and the API's error messages."""

from __future__ import annotations

import importlib.util
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


@pytest.mark.parametrize("lang", CATALOGUES)
def test_no_catalogue_keeps_msgmerges_guesses(lang):
    lines = CATALOGUES[lang].read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("#|")] == []


def _fill_catalogues():
    script = Path(settings.BASE_DIR) / "scripts" / "fill_catalogues.py"
    spec = importlib.util.spec_from_file_location("fill_catalogues", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MERGED = """
msgid ""
msgstr ""
"Content-Type: text/plain; charset=UTF-8\\n"

#, fuzzy
#| msgctxt "severity"
#| msgid "Critical"
msgctxt "severity level"
msgid "Critical!"
msgstr "紧急"

#, fuzzy
#| msgid "%(n)s order"
#| msgid_plural "%(n)s orders"
msgid "%(n)s work order"
msgid_plural "%(n)s work orders"
msgstr[0] "%(n)s 个工单"

#| msgctxt "severity"
msgctxt "severity level"
msgid "Low!"
msgstr "低！"

#, fuzzy
#| msgid "Clock"
msgid "Clock!"
msgstr "时钟"
"""


def test_filling_the_catalogues_leaves_no_trace_of_msgmerges_guesses():
    """msgmerge --previous marks a near match fuzzy with `#|` lines (context too); once translated they must go,
    or every later `make messages` keeps them."""
    fill = _fill_catalogues()
    fragment = polib.pofile(MERGED.replace("#, fuzzy\n", "").replace("紧急", "紧急！"))
    known = {fill.key(e): e for e in fragment if e.msgid != "Clock!"}
    chinese, english = polib.pofile(MERGED), polib.pofile(MERGED)

    assert fill.fill_chinese(chinese, known) == (2, 1)
    fill.fill_english(english)

    assert [(e.msgid, e.fuzzy) for e in chinese] == [
        ("Critical!", False), ("%(n)s work order", False), ("Low!", False), ("Clock!", True)]
    assert chinese.find("Critical!", msgctxt="severity level").msgstr == "紧急！"
    traces = [line for line in str(chinese).splitlines() if line.startswith("#|")]
    assert traces == ['#| msgid "Clock"']  # the one still to translate keeps its hint for the translator
    assert "#|" not in str(english) and not any(e.fuzzy for e in english)


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
