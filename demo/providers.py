"""The providers `make run` talks to: local stand-ins of the SMS gateway and of the WeChat official account's API.

``scripts/serve.py`` starts ``manage.py demo_providers``, which runs on loopback

- Alibaba Cloud's SendSms (core/aliyun_sms_standin.py), knowing the demo's AccessKey, its signature 【沁泉 Aqualife】,
  every approved template of settings.SMS_TEMPLATES with its variables, and the sign-in code's template;
- the WeChat API (integrations/wechat_api_standin.py), knowing the demo account's AppID and AppSecret
  (demo/integrations.py), the template ids of settings.WECHAT_TEMPLATES and the demo customer as a follower;
- WeChat Pay API v3 (core/wechatpay_standin.py), knowing the demo merchant (demo/shop.py) and a merchant key pair
  made at start (the private half goes to the server in the environment): the portal's shop pays at its cashier
  page, which then calls the server's payment callback, signed and encrypted;
- SF Express's open platform (core/couriers/standin/), knowing the demo's SF account (demo/mail_in.py), on an
  accelerated clock (``SF_PACE``: an hour of a parcel's journey takes a minute), pushing its route events to the
  server's courier callback once the server answers: a mail-in pickup booked in the running demo gets its waybill
  from it and moves on by itself; the parcels the demo left on their way are its too (demo/mail_in_live.py);

and hands serve.py the settings that point the web server, the worker and the periodic jobs at them
(``environment``), so a customer's messages go out on SMS and WeChat the way they would in production, through
the real backends, signatures and tokens, and end ``sent``, not ``not_configured``. What the stand-ins take is
written to the providers' log, each SMS as the gateway would send it from its copy of the template; an SMS also to
the SMS outbox file (core/sms.py), where the demo says the portal's sign-in code is.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone, translation

from core.aliyun_sms_standin import AliyunSmsStandIn
from core.couriers.standin import SfExpressStandIn
from core.sms import outbox_path
from core.wechatpay import new_key_pair
from core.wechatpay_standin import WeChatPayStandIn
from demo import data
from demo.integrations import DEMO_OPENID, WECHAT_APP_ID, WECHAT_APP_SECRET
from demo.mail_in import SF_CHECK_WORD, SF_MONTHLY_CARD, SF_PARTNER_ID
from demo.shop import API_V3_KEY, APP_ID, MCH_ID, MCH_SERIAL
from integrations.wechat_api_standin import WeChatApiStandIn
from logistics.booking import push_url
from notifications.texts import SENTENCES
from portal.otp import SMS_TEXT

SMS_KEY_ID = "LTAI5tAqualifeDemo0001"
SMS_KEY_SECRET = "aqualife-demo-sms-secret-not-for-production"
SMS_SIGN_NAME = data.BRAND_NAME
SMS_CODE_TEMPLATE = "SMS_460000"  # the sign-in code's approved template: variable ${code}
SF_PACE = 1 / 60  # the courier's clock in the demo: an hour of a journey in a minute


def _variables(sentence) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", str(sentence)))


def sms_templates() -> dict[str, tuple[str, str]]:
    """The gateway's approved templates: code -> (event kind, language), and the sign-in code's ("", "")."""
    found = {SMS_CODE_TEMPLATE: ("", "")}
    for kind, per_language in settings.SMS_TEMPLATES.items():
        for language, code in per_language.items():
            found[code] = (kind, language)
    return found


def sms_text(template: str, params: dict[str, str]) -> str:
    """What the gateway sends: its copy of the template, filled, after the signature (as the customer reads it)."""
    kind, language = sms_templates().get(template, (None, ""))
    if kind is None:
        return f"{template} {json.dumps(params, ensure_ascii=False)}"
    with translation.override(language or settings.LANGUAGE_CODE):
        if not kind:
            return str(SMS_TEXT) % {"brand": SMS_SIGN_NAME, **params}
        try:
            return f"【{SMS_SIGN_NAME}】" + str(SENTENCES[kind]) % params
        except (KeyError, TypeError, ValueError):
            return f"【{SMS_SIGN_NAME}】{template} {json.dumps(params, ensure_ascii=False)}"


def environment(*, sms_url: str, wechat_url: str) -> dict[str, str]:
    """The settings (as the environment, aftersales/settings.py) that point the server at the stand-ins."""
    return {
        "SMS_BACKEND": "core.aliyun_sms.AliyunSmsBackend", "ALIYUN_SMS_URL": sms_url,
        "ALIYUN_SMS_ACCESS_KEY_ID": SMS_KEY_ID, "ALIYUN_SMS_ACCESS_KEY_SECRET": SMS_KEY_SECRET,
        "ALIYUN_SMS_SIGN_NAME": SMS_SIGN_NAME, "ALIYUN_SMS_CODE_TEMPLATE": SMS_CODE_TEMPLATE,
        "WECHAT_API_URL": wechat_url,
    }


def payment_environment(pay: WeChatPayStandIn, private_key: str) -> dict[str, str]:
    """The settings that point the shop's payments at the WeChat Pay stand-in (aftersales/settings.py)."""
    return {"PAYMENT_BACKEND": "core.wechatpay.WeChatPayBackend", "WECHATPAY_URL": pay.url,
            "WECHATPAY_MCH_ID": MCH_ID, "WECHATPAY_APP_ID": APP_ID, "WECHATPAY_SERIAL_NO": MCH_SERIAL,
            "WECHATPAY_PRIVATE_KEY": private_key, "WECHATPAY_PLATFORM_SERIAL": pay.platform_serial,
            "WECHATPAY_PLATFORM_PUBLIC_KEY": pay.platform_public_key, "WECHATPAY_API_V3_KEY": API_V3_KEY}


def courier_environment(sf: SfExpressStandIn) -> dict[str, str]:
    """The settings that make SF Express the courier of mail-in repairs, at the SF stand-in (aftersales/settings.py)."""
    return {"COURIER_BACKEND": "sf", "SF_EXPRESS_URL": f"{sf.url}/std/service", "SF_EXPRESS_PARTNER_ID": SF_PARTNER_ID,
            "SF_EXPRESS_CHECK_WORD": SF_CHECK_WORD, "SF_EXPRESS_MONTHLY_CARD": SF_MONTHLY_CARD}


@dataclass
class Providers:
    sms: AliyunSmsStandIn
    wechat: WeChatApiStandIn
    pay: WeChatPayStandIn | None = None
    merchant_key: str = ""
    sf: SfExpressStandIn | None = None
    _seen: dict[str, int] = field(default_factory=lambda: {"sms": 0, "wechat": 0})

    @classmethod
    def start(cls) -> Providers:
        sms = AliyunSmsStandIn(key_id=SMS_KEY_ID, secret=SMS_KEY_SECRET, sign_name=SMS_SIGN_NAME, templates={
            code: _variables(SMS_TEXT) - {"brand"} if not kind else _variables(SENTENCES[kind])
            for code, (kind, _language) in sms_templates().items() if not kind or kind in SENTENCES})
        wechat = WeChatApiStandIn(app_id=WECHAT_APP_ID, secret=WECHAT_APP_SECRET,
                                  templates=set(settings.WECHAT_TEMPLATES.values()), followers={DEMO_OPENID})
        private, public = new_key_pair()
        pay = WeChatPayStandIn(mchid=MCH_ID, appid=APP_ID, merchant_serial=MCH_SERIAL, merchant_public_key=public,
                               api_v3_key=API_V3_KEY, merchant_name=data.BRAND_NAME)
        # Pushes go to the server's callback (settings.SITE_URL: serve.py sets it to the server's address).
        sf = SfExpressStandIn(partner_id=SF_PARTNER_ID, check_word=SF_CHECK_WORD, push_url=push_url("sf"),
                              clock=timezone.now, pace=SF_PACE)
        return cls(sms=sms.start(), wechat=wechat.start(), pay=pay.start(), merchant_key=private, sf=sf.start())

    def stop(self) -> None:
        self.sms.stop()
        self.wechat.stop()
        for stand_in in (self.pay, self.sf):
            if stand_in is not None:
                stand_in.stop()

    def environment(self) -> dict[str, str]:
        env = environment(sms_url=self.sms.url, wechat_url=self.wechat.url)
        if self.pay is not None:
            env.update(payment_environment(self.pay, self.merchant_key))
        if self.sf is not None:
            env.update(courier_environment(self.sf))
        return env

    def taken(self) -> Iterator[str]:
        """A line for each message the stand-ins took since the last call (SMS also into the SMS outbox file)."""
        now = f"{timezone.localtime():%Y-%m-%d %H:%M:%S}"
        for sent in self.sms.sent[self._seen["sms"]:]:
            self._seen["sms"] += 1
            phone = sent.get("PhoneNumbers", "")
            text = sms_text(sent.get("TemplateCode", ""), json.loads(sent.get("TemplateParam") or "{}"))
            with outbox_path().open("a", encoding="utf-8") as out:
                out.write(f"{now} {phone} {text}\n")
            yield f"{now} SMS {sent.get('BizId')} to {phone}: {text}"
        for sent in self.wechat.sent[self._seen["wechat"]:]:
            self._seen["wechat"] += 1
            words = (sent.get("data") or {}).get("first", {}).get("value", "")
            yield f"{now} WeChat {sent.get('msgid')} to {sent.get('touser')}: {words}"
        for number, status in (self.pay.notified if self.pay is not None else [])[self._seen.get("pay", 0):]:
            self._seen["pay"] = self._seen.get("pay", 0) + 1
            yield f"{now} WeChat Pay: {number} paid, callback answered {status}"
        for waybill, stage, status in (self.sf.pushed if self.sf is not None else [])[self._seen.get("sf", 0):]:
            self._seen["sf"] = self._seen.get("sf", 0) + 1
            yield f"{now} SF Express: {waybill} {stage}, route push answered {status}"

