"""Sign-in by phone and one-time code: ask for a code, then trade a right code for the customer.

Codes are 6 digits, stored only as an HMAC keyed with the secret key, live five minutes, are used
once (compare-and-set on ``used_at``) and burn after a few wrong tries (compare-and-set on
``attempts``). Sending and checking are rate-limited per phone and per IP (portal/throttle.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.errors import InvalidInput
from core.phones import normalize_phone
from core.sms import SmsError, send_sms
from customers.models import Customer
from portal import throttle
from portal.errors import CodeExpired, CodeInvalid, RateLimited, SmsFailed
from portal.models import OneTimeCode
from portal.throttle import Limit

CODE_DIGITS = 6
CODE_TTL = dt.timedelta(minutes=5)
MAX_WRONG_TRIES = 5
KEEP_SPENT = dt.timedelta(days=1)
SEND_LIMITS = (
    Limit("otp-send-phone-min", 1, 60),  # one text a minute per phone
    Limit("otp-send-phone-hour", 5, 3600),
)
SEND_IP_LIMIT = Limit("otp-send-ip-hour", 20, 3600)
VERIFY_PHONE_LIMIT = Limit("otp-verify-phone", 10, 900)
VERIFY_IP_LIMIT = Limit("otp-verify-ip", 30, 900)
SMS_TEXT = _("【%(brand)s】Your sign-in code is %(code)s. It is valid for 5 minutes. Never share it with anyone.")


def code_hash(*, brand_id: int, phone: str, code: str) -> str:
    message = f"portal-otp:{brand_id}:{phone}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def parse_phone(raw: str) -> str:
    try:
        return normalize_phone(raw)
    except ValidationError as exc:
        raise InvalidInput(exc.messages[0], field="phone") from None


def _refuse(refusal: throttle.Refusal, field: str) -> RateLimited:
    message = gettext("Too many attempts. Please try again in %(minutes)s min.") % {"minutes": refusal.minutes}
    return RateLimited(message, field=field, retry_after=refusal.retry_after)


def request_code(*, brand: Organisation, phone: str, ip: str) -> OneTimeCode:
    """Send a fresh code to ``phone`` (any earlier code of it stops working). Raises RateLimited, SmsFailed."""
    phone = parse_phone(phone)
    # The address first: a refusal for it leaves the phone's allowance untouched.
    refusal = throttle.hit_all([(SEND_IP_LIMIT, ip or "-")]
                               + [(limit, f"{brand.pk}:{phone}") for limit in SEND_LIMITS])
    if refusal is not None:
        raise _refuse(refusal, "phone")
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(brand=brand, phone=phone, used_at__isnull=True).update(used_at=now)
        # Spent codes are kept a day (for support's questions), then go.
        OneTimeCode.objects.filter(brand=brand, phone=phone, created_at__lt=now - KEEP_SPENT).delete()
        otp = OneTimeCode.objects.create(brand=brand, phone=phone, code_hash=code_hash(
            brand_id=brand.pk, phone=phone, code=code), created_at=now, expires_at=now + CODE_TTL)
    try:
        send_sms(phone, str(SMS_TEXT) % {"brand": brand.name, "code": code})
    except SmsError:
        OneTimeCode.objects.filter(pk=otp.pk).update(used_at=timezone.now())
        raise SmsFailed(field="phone") from None
    return otp


def check_code(*, brand: Organisation, phone: str, code: str, ip: str) -> str:
    """Use up the phone's live code if ``code`` is it; return the phone in E.164. Changes nothing else."""
    phone = parse_phone(phone)
    code = (code or "").strip()
    if not (len(code) == CODE_DIGITS and code.isascii() and code.isdigit()):
        raise CodeInvalid(_("Enter the 6-digit code from the text message."), field="code")
    refusal = throttle.hit_all([(VERIFY_IP_LIMIT, ip or "-"), (VERIFY_PHONE_LIMIT, f"{brand.pk}:{phone}")])
    if refusal is not None:
        raise _refuse(refusal, "code")
    now = timezone.now()
    live = (OneTimeCode.objects.filter(brand=brand, phone=phone, used_at__isnull=True, expires_at__gt=now,
                                       attempts__lt=MAX_WRONG_TRIES).order_by("-created_at", "-pk").first())
    if live is None:
        raise CodeExpired(field="code")
    if not hmac.compare_digest(live.code_hash, code_hash(brand_id=brand.pk, phone=phone, code=code)):
        OneTimeCode.objects.filter(pk=live.pk, attempts__lt=MAX_WRONG_TRIES).update(attempts=F("attempts") + 1)
        left = MAX_WRONG_TRIES - OneTimeCode.objects.values_list("attempts", flat=True).get(pk=live.pk)
        if left <= 0:
            raise CodeExpired(_("Too many wrong tries: this code no longer works. Ask for a new one."), field="code")
        raise CodeInvalid(gettext("That code is not right. %(left)s tries left.") % {"left": left}, field="code")
    # Single use: of two requests with the same right code, only one gets past this update.
    if not OneTimeCode.objects.filter(pk=live.pk, used_at__isnull=True, attempts__lt=MAX_WRONG_TRIES).update(
            used_at=now):
        raise CodeExpired(field="code")
    return phone


def customers_by_phone(brand: Organisation, phone: str):
    return Customer.objects.filter(brand=brand, phone=phone).order_by("pk")
