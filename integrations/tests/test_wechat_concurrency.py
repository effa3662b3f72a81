"""WeChat retries a message it got no answer to in time: concurrent deliveries of one MsgId act once."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from django.test import Client

from conftest import build_world, race
from integrations.models import WeChatLink, WeChatMessage
from integrations.tests.factories import WECHAT_TOKEN, text_message, wechat_account, wechat_query
from workorders.models import WorkOrder

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_retries_of_one_msgid_open_one_order_and_get_one_reply():
    world = build_world()
    wechat_account(world.brand)
    WeChatLink.objects.create(brand=world.brand, openid="oRetry", customer=world.customer)
    url = f"/wechat/acme/callback?{urlencode(wechat_query(WECHAT_TOKEN))}"
    body = text_message("报修 SN-A-0001 不出水", openid="oRetry", msg_id=987654321)

    def deliver(_i):
        resp = Client().post(url, data=body, content_type="text/xml")
        return resp.status_code, resp.content

    results = race(deliver, THREADS)
    assert all(isinstance(r, tuple) and r[0] == 200 for r in results), results
    assert len({content for _status, content in results}) == 1
    assert WorkOrder.objects.count() == 1 and WeChatMessage.objects.count() == 1
    assert WorkOrder.objects.get().number.encode() in results[0][1]
