"""The WeChat official account: verify and read a callback, answer each message once, link users to customers."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core import signing as dj_signing
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.principal import principal_of
from core.errors import DomainError
from customers.models import Customer, InstalledProduct
from integrations import links, signing, wechat_crypto, wechat_xml
from integrations.choices import Source, WeChatMode
from integrations.errors import BadSignature, MalformedXml, ReplayedRequest, StaleRequest
from integrations.models import WeChatAccount, WeChatLink, WeChatMessage, WeChatNonce
from integrations.services import wechat_commands
from integrations.services.rejections import record_rejection
from notifications import customer_messages
from workorders.choices import WorkOrderType
from workorders.models import WorkOrder

BIND_SALT = "integrations.wechat.bind"
BIND_MAX_AGE = 24 * 60 * 60
# "报修 <serial> <description>", also with a full-width space (\s matches U+3000) or a colon; "repair" in English.
COMMAND = re.compile(r"^(报修|repair)(?:[\s:：]+(\S+))?(?:\s+(.*))?$", re.IGNORECASE | re.DOTALL)
REPLY_LANGUAGE = "zh-hans"  # the customer's language on WeChat

HELP = _("To report a fault, send: 报修 <serial> <description>, for example “报修 AQ12345678 不出水”. "
         "To have a courier collect it for repair at our repair centre instead, send: 寄修 <serial> <description>. "
         "The serial is on the label of the product.")
BIND_FIRST = _("Please link your WeChat to your %(brand)s account first (you sign in with your phone number): "
               "%(link)s")
WELCOME = _("Welcome to %(brand)s service! Link your account to report faults and track repairs right here: "
            "%(link)s")
WELCOME_BACK = _("Welcome back to %(brand)s service!")
NEED_DESCRIPTION = _("Please add what is wrong after the serial, for example “报修 %(serial)s 不出水”.")
NOT_FOUND = _("We could not find a product with serial %(serial)s in your account. Please check the serial on "
              "the product's label.")
CREATED = _("Your repair request is received. Order number: %(number)s. Track it here: %(link)s")
ALREADY_OPEN = _("This product already has an open order, %(number)s, and we are working on it. "
                 "Track it here: %(link)s")
FAILED = _("Sorry, we could not take your request just now. Please try again later or call our hotline.")


@dataclass(frozen=True)
class Incoming:
    to_user: str
    openid: str
    create_time: int
    msg_type: str
    content: str = ""
    msg_id: str = ""
    event: str = ""
    status: str = ""  # a TEMPLATESENDJOBFINISH's outcome: "success", "failed:user block", "failed: system failed"
    sent_msg_id: str = ""  # and the template message it is about (its MsgID)

    @property
    def dedupe_key(self) -> str:
        # WeChat's advice: a message by its MsgId, an event by sender and CreateTime. A template message's
        # report also names the message it is about: two reports in the same second are two reports.
        if self.msg_id:
            return f"msg:{self.msg_id}"
        if self.sent_msg_id:
            return f"event:{self.openid}:{self.create_time}:{self.event}:{self.sent_msg_id}"
        return f"event:{self.openid}:{self.create_time}:{self.event}"


@dataclass(frozen=True)
class Callback:
    """What a verified callback holds: the message, and the key to encrypt the reply with (safe mode)."""

    message: Incoming
    encrypted: bool


# --- reading a callback ---------------------------------------------------------------------------

def account_for(brand_code: str) -> WeChatAccount | None:
    return (WeChatAccount.objects.filter(brand__code=brand_code, brand__is_active=True, is_active=True)
            .select_related("brand").first())


def _refuse(account: WeChatAccount, error: DomainError, detail: str, remote_addr: str | None) -> DomainError:
    record_rejection(source=Source.WECHAT, code=error.code, detail=detail, brand_id=account.brand_id,
                     remote_addr=remote_addr)
    return error


def _fresh(account: WeChatAccount, timestamp: str, remote_addr: str | None, now: float | None) -> int:
    """The signed timestamp, if it is within 5 minutes of the server's clock (as the IoT path): a signed
    query string from yesterday opens nothing today."""
    seconds = signing.parse_timestamp(timestamp)
    current = time.time() if now is None else now
    if seconds is None or not signing.is_fresh(seconds, current):
        raise _refuse(account, StaleRequest(), f"timestamp {timestamp[:20]!r} is not within the window", remote_addr)
    return seconds


def _use_nonce(account: WeChatAccount, seconds: int, nonce: str, body: bytes, remote_addr: str | None) -> None:
    """Remember (timestamp, nonce) for the window. The same pair with another body is a replay: refused. The
    same bytes again are WeChat's retry of one delivery, answered from the stored reply (handle_message)."""
    digest = hashlib.sha256(body).hexdigest()
    try:
        with transaction.atomic():
            WeChatNonce.objects.create(brand_id=account.brand_id, timestamp=seconds, nonce=nonce, body_digest=digest,
                                       seen_at=timezone.now())
    except IntegrityError:
        seen = (WeChatNonce.objects.filter(brand_id=account.brand_id, timestamp=seconds, nonce=nonce)
                .values_list("body_digest", flat=True).first())
        if seen != digest:
            raise _refuse(account, ReplayedRequest(), "nonce used before with another body", remote_addr) from None


def _signed(account: WeChatAccount, query, remote_addr: str | None, what: str) -> tuple[str, str]:
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    if not nonce or len(nonce) > 64 or not signing.wechat_signature_ok((account.token, timestamp, nonce),
                                                                       query.get("signature")):
        raise _refuse(account, BadSignature(), what, remote_addr)
    return timestamp, nonce


def verify_url(*, account: WeChatAccount, query, remote_addr: str | None, now: float | None = None) -> str:
    """WeChat's URL-verification handshake: the echostr back, if the signature is the account's and fresh."""
    timestamp, _nonce = _signed(account, query, remote_addr, "handshake signature")
    _fresh(account, timestamp, remote_addr, now)
    return query.get("echostr", "")[:200]


def read_callback(*, account: WeChatAccount, query, body: bytes, remote_addr: str | None,
                  now: float | None = None) -> Callback:
    """Verify the signature, its age (and, encrypted, the message signature), parse the XML safely, and use the
    signed (timestamp, nonce) once."""
    timestamp, nonce = _signed(account, query, remote_addr, "signature")
    seconds = _fresh(account, timestamp, remote_addr, now)
    try:
        fields = wechat_xml.parse(body)
    except wechat_xml.BadXml as exc:
        raise _refuse(account, MalformedXml(), f"outer XML: {exc}", remote_addr) from None
    encrypted = query.get("encrypt_type") == "aes" or (account.mode == WeChatMode.SAFE)
    if encrypted:
        if account.mode == WeChatMode.PLAIN or not fields.get("Encrypt"):
            raise _refuse(account, MalformedXml(), "encrypted message for a plaintext account, or none", remote_addr)
        cipher = fields["Encrypt"]
        if not signing.wechat_signature_ok((account.token, timestamp, nonce, cipher), query.get("msg_signature")):
            raise _refuse(account, BadSignature(), "msg_signature", remote_addr)
        try:
            inner = wechat_crypto.decrypt(cipher, encoding_aes_key=account.encoding_aes_key, app_id=account.app_id)
            fields = wechat_xml.parse(inner.encode())
        except (wechat_crypto.DecryptError, wechat_xml.BadXml) as exc:
            raise _refuse(account, MalformedXml(), f"encrypted message: {exc}", remote_addr) from None
    message = _incoming(fields)
    if message is None or (account.original_id and message.to_user != account.original_id):
        raise _refuse(account, MalformedXml(), "missing fields or another account's message", remote_addr)
    _use_nonce(account, seconds, nonce, body, remote_addr)
    return Callback(message=message, encrypted=encrypted)


def _incoming(fields: dict[str, str]) -> Incoming | None:
    openid, msg_type, created = fields.get("FromUserName", ""), fields.get("MsgType", ""), fields.get("CreateTime", "")
    if not openid or len(openid) > 64 or not msg_type or not created.isdigit() or len(created) > 12:
        return None
    msg_id = fields.get("MsgId", "")
    if len(msg_id) > 64 or (msg_type != "event" and not msg_id.isdigit()):
        return None
    return Incoming(to_user=fields.get("ToUserName", ""), openid=openid, create_time=int(created),
                    msg_type=msg_type[:20], content=fields.get("Content", ""), msg_id=msg_id,
                    event=fields.get("Event", "")[:40], status=fields.get("Status", "")[:60],
                    sent_msg_id=fields.get("MsgID", "")[:64])


def encrypt_reply(*, account: WeChatAccount, reply: str, nonce: str) -> str:
    timestamp = str(int(time.time()))
    cipher = wechat_crypto.encrypt(reply, encoding_aes_key=account.encoding_aes_key, app_id=account.app_id)
    return wechat_xml.encrypted_reply(encrypt=cipher, signature=signing.wechat_signature(account.token, timestamp,
                                      nonce, cipher), timestamp=timestamp, nonce=nonce)


# --- answering a message ---------------------------------------------------------------------------

NO_REPLY = "success"  # WeChat's word for "received, nothing to say"


def handle_message(*, account: WeChatAccount, message: Incoming, absolute: Callable[[str], str]) -> str:
    """The passive reply to a message, computed once: a retry of the same MsgId gets the stored reply."""
    stored = _stored_reply(account, message)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            row = WeChatMessage.objects.create(
                brand_id=account.brand_id, dedupe_key=message.dedupe_key, openid=message.openid,
                msg_type=message.msg_type, event=message.event, content=message.content[:600],
                received_at=timezone.now(),
            )
            with translation.override(REPLY_LANGUAGE):
                text, order = _answer(account, message, absolute)
            row.reply = NO_REPLY if text is None else wechat_xml.text_reply(
                to_user=message.openid, from_user=message.to_user, content=text, create_time=int(time.time()))
            row.work_order = order
            row.save(update_fields=["reply", "work_order"])
            return row.reply
    except IntegrityError:
        stored = _stored_reply(account, message)
        if stored is None:
            raise
        return stored


def _stored_reply(account: WeChatAccount, message: Incoming) -> str | None:
    return (WeChatMessage.objects.filter(brand_id=account.brand_id, dedupe_key=message.dedupe_key)
            .values_list("reply", flat=True).first())


def _template_finished(account: WeChatAccount, message: Incoming) -> None:
    """WeChat reports how a template message to a customer ended (integrations/wechat_messages.py sent it).

    Only the account's own brand's messages: a MsgID is WeChat's number, not ours, and two accounts' may meet.
    """
    if message.status == "success":
        customer_messages.mark_delivered(channel="wechat", provider_id=message.sent_msg_id,
                                         brand_id=account.brand_id,
                                         at=dt.datetime.fromtimestamp(message.create_time, tz=dt.UTC))
    else:
        customer_messages.mark_undelivered(channel="wechat", provider_id=message.sent_msg_id,
                                           brand_id=account.brand_id, code=message.status)


def _answer(account: WeChatAccount, message: Incoming, absolute) -> tuple[str | None, WorkOrder | None]:
    brand = account.brand
    link = WeChatLink.objects.filter(brand=brand, openid=message.openid).select_related("customer__user").first()
    bind_link = absolute(links.bind_path(brand.code, bind_token(brand_id=brand.pk, openid=message.openid)))
    if message.msg_type == "event":
        if message.event == "TEMPLATESENDJOBFINISH" and message.sent_msg_id:
            _template_finished(account, message)
            return None, None
        if message.event.lower() != "subscribe":
            return None, None
        if link is not None:
            return f"{str(WELCOME_BACK) % {'brand': brand.name}}\n{str(HELP)}", None
        return str(WELCOME) % {"brand": brand.name, "link": bind_link}, None
    text = message.content.strip() if message.msg_type == "text" else ""
    command = wechat_commands.URGE.match(text) or wechat_commands.COMPLAIN.match(text)
    if command is not None:
        if link is None:
            return str(BIND_FIRST) % {"brand": brand.name, "link": bind_link}, None
        if command.re is wechat_commands.URGE:
            return wechat_commands.urge(link.customer, command.group(1), absolute)
        return wechat_commands.complain(link.customer, command.group(1), absolute)
    match = (COMMAND.match(text) or wechat_commands.MAIL_IN.match(text)) if text else None
    if match is None:
        help_text = str(HELP)
        return (help_text if link else f"{help_text}\n{str(BIND_FIRST) % {'brand': brand.name, 'link': bind_link}}",
                None)
    if link is None:
        return str(BIND_FIRST) % {"brand": brand.name, "link": bind_link}, None
    by_mail = match.re is wechat_commands.MAIL_IN
    serial, description = match.group(2), (match.group(3) or "").strip()
    if not serial:
        return str(wechat_commands.MAIL_IN_HOW if by_mail else HELP), None
    if not description:
        asked = wechat_commands.MAIL_IN_NEED_DESCRIPTION if by_mail else NEED_DESCRIPTION
        return str(asked) % {"serial": serial[:40]}, None
    return (_mail_in if by_mail else _repair)(link.customer, serial, description, absolute)


def _own_product(customer: Customer, serial: str) -> InstalledProduct | None:
    # Only the customer's own products: through the one scoping point, as the customer.
    products = [p for p in InstalledProduct.objects.visible_to(customer.user).filter(serial__iexact=serial[:40])
                .select_related("customer", "site", "brand", "product_model__category")[:5]]
    if len(products) > 1:
        products = [p for p in products if p.serial == serial]
    return products[0] if len(products) == 1 else None


def _mail_in(customer: Customer, serial: str, description: str, absolute) -> tuple[str, WorkOrder | None]:
    principal = principal_of(customer.user) if customer.user_id else None
    if principal is None:
        return str(FAILED), None
    product = _own_product(customer, serial)
    if product is None:
        return str(NOT_FOUND) % {"serial": serial[:40]}, None
    return wechat_commands.mail_in(principal, product, description, absolute)


def _repair(customer: Customer, serial: str, description: str, absolute) -> tuple[str, WorkOrder | None]:
    principal = principal_of(customer.user) if customer.user_id else None
    if principal is None:
        return str(FAILED), None
    product = _own_product(customer, serial)
    if product is None:
        return str(NOT_FOUND) % {"serial": serial[:40]}, None
    brand_code = customer.brand.code
    try:
        order, opened = wechat_commands.book(principal, product, service_type=WorkOrderType.REPAIR,
                                             description=description)
        if not opened:
            return str(ALREADY_OPEN) % {"number": order.number,
                                       "link": absolute(links.order_path(brand_code, order.pk))}, order
    except DomainError:
        return str(FAILED), None
    return str(CREATED) % {"number": order.number, "link": absolute(links.order_path(brand_code, order.pk))}, order


# --- linking a WeChat user to a customer ----------------------------------------------------------

class BadBindToken(Exception):
    pass


def bind_token(*, brand_id: int, openid: str) -> str:
    return dj_signing.dumps({"b": brand_id, "o": openid}, salt=BIND_SALT)


def read_bind_token(token: str, *, brand_id: int, max_age: int = BIND_MAX_AGE) -> str:
    """The openid a bind link was made for; BadBindToken if forged, expired or made for another brand."""
    try:
        data = dj_signing.loads(token, salt=BIND_SALT, max_age=max_age)
    except dj_signing.BadSignature:  # SignatureExpired is a BadSignature
        raise BadBindToken() from None
    if not isinstance(data, dict) or data.get("b") != brand_id or not isinstance(data.get("o"), str):
        raise BadBindToken()
    return data["o"]


def link_openid(*, brand_id: int, openid: str, customer: Customer) -> WeChatLink:
    """Link the openid to this customer; an openid already linked to another customer moves to this one."""
    assert customer.brand_id == brand_id
    with transaction.atomic():
        link, _created = WeChatLink.objects.update_or_create(brand_id=brand_id, openid=openid,
                                                             defaults={"customer": customer})
    return link


def linked_customer(*, brand_id: int, openid: str) -> Customer | None:
    link = WeChatLink.objects.filter(brand_id=brand_id, openid=openid).select_related("customer").first()
    return link.customer if link else None
