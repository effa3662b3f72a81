"""One rule for showing a person's name: family name first for Chinese names, the honorific once."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.tests.factories import UserFactory
from conftest import token_client
from core.names import display_name, full_name, with_honorific
from portal.tracking import event_text
from workorders.choices import Status
from workorders.models import WorkOrderEvent
from workorders.tests.factories import make_order

HAN = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=3)


def test_chinese_names_are_family_first_without_a_space():
    assert full_name("林", "晓峰") == "林晓峰"
    assert full_name("欧阳", "娜娜") == "欧阳娜娜"
    assert full_name("Li", "Wei") == "Wei Li"
    assert full_name("", "晓峰") == "晓峰" and full_name("林", "") == "林" and full_name("", "") == ""


@given(family=HAN, given_=HAN)
def test_a_chinese_name_reads_family_then_given_with_nothing_between(family, given_):
    assert full_name(family, given_) == family + given_


def test_the_honorific_is_added_once_in_either_language():
    with translation.override("zh-hans"):
        assert with_honorific("李建军") == "李建军师傅"
        assert with_honorific("李师傅") == "李师傅"
        assert with_honorific("") == ""
    with translation.override("en"):
        assert with_honorific("李建军") == "Technician 李建军"
        assert with_honorific("李师傅") == "Technician 李"


@pytest.mark.django_db
def test_the_user_and_the_display_helper_agree():
    user = UserFactory(username="lxf", first_name="晓峰", last_name="林")
    assert user.get_full_name() == "林晓峰" == display_name(user)
    assert display_name(UserFactory(username="nobody", first_name="", last_name="")) == "nobody"
    assert display_name(None) == ""


@pytest.mark.django_db
def test_the_api_and_the_customer_timeline_use_it(world):
    world.dispatcher.first_name, world.dispatcher.last_name = "晓峰", "林"
    world.dispatcher.save()
    world.tech_a.name = "李建军"
    world.tech_a.save()
    order = make_order(world, status=Status.DISPATCHED)
    client = token_client(world.dispatcher)
    assert client.get("/api/v1/accounts/me").json()["name"] == "林晓峰"
    events = client.get(f"/api/v1/workorders/{order.pk}/events").json()
    events = events["items"] if isinstance(events, dict) else events
    assert {e["actor"] for e in events} == {"林晓峰"}
    dispatched = WorkOrderEvent.objects.get(work_order=order, action="dispatch")
    with translation.override("zh-hans"):
        assert str(event_text(dispatched)) == "李建军师傅将为您上门服务"
    with translation.override("en"):
        assert str(event_text(dispatched)) == "Technician 李建军 will come to you"


def test_the_portal_says_who_is_on_the_way_with_the_honorific_once():
    from django.template import Context, Template

    template = Template("{% load i18n portal_tags %}{% blocktranslate with technician=name|honorific %}"
                        "{{ technician }} is on the way. Expected at{% endblocktranslate %}")
    with translation.override("zh-hans"):
        assert template.render(Context({"name": "李建军"})) == "李建军师傅正在赶来，预计到达"
        assert template.render(Context({"name": "李师傅"})) == "李师傅正在赶来，预计到达"
    with translation.override("en"):
        assert template.render(Context({"name": "李建军"})) == "Technician 李建军 is on the way. Expected at"
