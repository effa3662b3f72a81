"""Customer messages by WeChat: template messages from the brand's official account to the customer's bound
openid (integrations.models.WeChatLink), registered as a channel of notifications (integrations/hooks.py).

The official account's API shape:

- ``GET {WECHAT_API["URL"]}/cgi-bin/token?grant_type=client_credential&appid=…&secret=…`` →
  ``{"access_token": "…", "expires_in": 7200}`` or ``{"errcode": 40125, "errmsg": "invalid appsecret"}``.
  The token is kept in Django's cache (shared by every process: the database or Redis cache), keyed by the
  AppID, until a few minutes before it expires; an answer of 40001 / 40014 / 42001 (invalid or expired
  credential) drops it, fetches a new one and sends once more.
- ``POST /cgi-bin/message/template/send?access_token=…`` with ``{"touser": openid, "template_id": …, "url": …,
  "data": {"first": {"value": …}, "keyword1": {"value": …}, "keyword2": {"value": …}, "remark": {"value": …}}}``
  → ``{"errcode": 0, "errmsg": "ok", "msgid": 200228332}``; refusals carry ``errcode``: 40003 (not this
  account's openid), 43004 (the user does not follow the account), 40037 (unknown template), 45009 (the
  day's quota is used up). WeChat later posts a TEMPLATESENDJOBFINISH event with the msgid and the outcome.

Template ids per event kind are settings.WECHAT_TEMPLATES (README, "Customer messages"). ``first`` is the
message's sentence, ``remark`` what the customer can do next in their language (notifications.texts.remark).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from integrations.models import WeChatAccount, WeChatLink
from notifications.channels import ChannelFailed
from notifications.texts import remark

MAX_ANSWER_BYTES = 100_000
TOKEN_MARGIN = 300  # seconds before WeChat's expiry that a cached token is no longer used
STALE_TOKEN = frozenset({40001, 40014, 42001})
PERMANENT = frozenset({40003, 43004, 40037, 43101, 40036})


def _api() -> dict[str, Any]:
    return getattr(settings, "WECHAT_API", {})


def _call(url: str, body: dict | None = None) -> dict[str, Any]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=float(_api().get("TIMEOUT") or 5)) as response:  # noqa: S310
            answer = json.loads(response.read(MAX_ANSWER_BYTES))
    except urllib.error.HTTPError as error:
        raise ChannelFailed(f"HTTP {error.code}", code=f"http_{error.code}") from error
    except (OSError, ValueError) as error:
        raise ChannelFailed(type(error).__name__ + (f": {error}" if str(error) else ""), code="unreachable") from error
    if not isinstance(answer, dict):
        raise ChannelFailed("the answer is not a JSON object", code="bad_answer")
    return answer


def _base() -> str:
    return str(_api().get("URL") or "https://api.weixin.qq.com").rstrip("/")


def token_key(app_id: str) -> str:
    return f"wechat:access_token:{app_id}"


def access_token(account: WeChatAccount, *, fresh: bool = False) -> str:
    """The account's access_token: the cached one, else a new one from /cgi-bin/token (cached for its life)."""
    key = token_key(account.app_id)
    if not fresh and (token := cache.get(key)):
        return token
    if not (account.app_id and account.app_secret):
        raise ChannelFailed("the WeChat account has no AppID or AppSecret", code="not_configured", permanent=True)
    query = urllib.parse.urlencode({"grant_type": "client_credential", "appid": account.app_id,
                                    "secret": account.app_secret})
    answer = _call(f"{_base()}/cgi-bin/token?{query}")
    token = answer.get("access_token")
    if not token:
        raise ChannelFailed(str(answer.get("errmsg") or "no access_token"), code=str(answer.get("errcode", "")))
    cache.set(key, token, timeout=max(60, int(answer.get("expires_in") or 7200) - TOKEN_MARGIN))
    return token


class WeChatChannel:
    name = "wechat"

    def _account(self, brand_id: int) -> WeChatAccount | None:
        return WeChatAccount.objects.filter(brand_id=brand_id, is_active=True).first()

    def address(self, customer, brand_id: int) -> str:
        if self._account(brand_id) is None:
            return ""
        link = WeChatLink.objects.filter(brand_id=brand_id, customer=customer).order_by("-created_at").first()
        return link.openid if link else ""

    def template(self, kind: str, language: str) -> str:
        return str(getattr(settings, "WECHAT_TEMPLATES", {}).get(kind) or "")

    def body(self, message) -> dict[str, Any]:
        params = message.params or {}
        return {
            "touser": message.address, "template_id": message.template, "url": params.get("link", ""),
            "data": {
                "first": {"value": message.text},
                "keyword1": {"value": params.get("number") or params.get("complaint") or params.get("unit") or ""},
                "keyword2": {"value": f"{timezone.localtime(message.created_at):%Y-%m-%d %H:%M}"},
                "remark": {"value": remark(message.kind, language=message.language)},
            },
        }

    def send(self, message) -> str:
        if not message.template:
            raise ChannelFailed(f"no WeChat template for {message.kind}", code="no_template", permanent=True)
        account = self._account(message.brand_id)
        if account is None:
            raise ChannelFailed("the brand has no active WeChat account", code="not_configured", permanent=True)
        body = self.body(message)
        answer = _call(f"{_base()}/cgi-bin/message/template/send?access_token={access_token(account)}", body)
        if answer.get("errcode") in STALE_TOKEN:
            cache.delete(token_key(account.app_id))
            answer = _call(f"{_base()}/cgi-bin/message/template/send?access_token="
                           f"{access_token(account, fresh=True)}", body)
        code = answer.get("errcode", 0)
        if code != 0:
            raise ChannelFailed(str(answer.get("errmsg") or code), code=str(code), permanent=code in PERMANENT)
        return str(answer.get("msgid") or "")
