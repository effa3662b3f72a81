from __future__ import annotations

import pytest

from core.wechatpay import new_key_pair
from core.wechatpay_standin import WeChatPayStandIn
from shop.tests.factories import build_shop

MCH_ID, APP_ID, SERIAL, API_V3_KEY = "1900000109", "wxd678efh567hg6787", "5157F09EFDC096DE15EBE81A47057A72", \
    "aqualifeDemoApiV3Key0123456789ab"


@pytest.fixture(scope="session")
def merchant_keys() -> tuple[str, str]:
    return new_key_pair()


@pytest.fixture
def wechatpay(settings, merchant_keys):
    """The stand-in, and the settings that point the WeChat Pay backend at it."""
    private, public = merchant_keys
    with WeChatPayStandIn(mchid=MCH_ID, appid=APP_ID, merchant_serial=SERIAL, merchant_public_key=public,
                          api_v3_key=API_V3_KEY, merchant_name="沁泉 Aqualife") as stand_in:
        settings.PAYMENT_BACKEND = "core.wechatpay.WeChatPayBackend"
        settings.WECHATPAY = {"URL": stand_in.url, "MCH_ID": MCH_ID, "APP_ID": APP_ID, "SERIAL_NO": SERIAL,
                              "PRIVATE_KEY": private, "PLATFORM_SERIAL": stand_in.platform_serial,
                              "PLATFORM_PUBLIC_KEY": stand_in.platform_public_key, "API_V3_KEY": API_V3_KEY,
                              "TIMEOUT": 5}
        yield stand_in


@pytest.fixture
def shop(world):
    return build_shop(world)
