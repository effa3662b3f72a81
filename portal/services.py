"""Portal actions: who a verified phone is, and putting a unit on a customer's account."""

from __future__ import annotations

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Membership, Organisation, User
from accounts.principal import Principal, forget_principal
from core.errors import NotFound
from customers.choices import CustomerKind
from customers.models import Customer, InstalledProduct, Site
from portal.errors import AccountDisabled, ProductNotFound, ProductOfAnother

SERIAL_MAX = 40


def masked(phone: str) -> str:
    """13812345678 → 138****5678: a name for a customer who has given none yet."""
    digits = phone[3:] if phone.startswith("+86") else phone.lstrip("+")
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 8 else digits


def _portal_username(brand: Organisation, phone: str, customer: Customer) -> str:
    base = f"portal-{brand.pk}-{phone}"
    taken = Customer.objects.filter(user__username=base).exclude(pk=customer.pk).exists()
    return f"{base}-{customer.pk}" if taken else base


@transaction.atomic
def customer_for_phone(*, brand: Organisation, phone: str) -> Customer:
    """The brand's customer with this (verified, E.164) phone, made ready to sign in.

    An existing customer of the brand with the phone is that customer (the one already signed in
    before, else the oldest record); a new phone becomes a new household customer. The customer gets a
    portal user (if they have none) and that user a ``customer`` membership in the brand.
    """
    candidates = list(Customer.objects.filter(brand=brand, phone=phone).select_related("user").order_by("pk"))
    customer = next((c for c in candidates if c.user_id), None) or (candidates[0] if candidates else None)
    if customer is None:
        try:
            with transaction.atomic():
                customer = Customer.objects.create(brand=brand, kind=CustomerKind.HOUSEHOLD, name=masked(phone),
                                                   phone=phone)
        except IntegrityError:
            # The same new phone signed in twice at once (or the hotline created it meanwhile): one customer
            # per phone per brand, so it is the record the other made.
            customer = Customer.objects.get(brand=brand, phone=phone, duplicate_reason="")
    user = customer.user
    if user is None:
        # No password: a portal user signs in with codes only.
        user, _ = User.objects.get_or_create(username=_portal_username(brand, phone, customer),
                                             defaults={"phone": phone, "password": make_password(None)})
        # Compare-and-set: two first sign-ins at once link the same user, never two.
        if not Customer.objects.filter(pk=customer.pk, user__isnull=True).update(user=user,
                                                                                updated_at=timezone.now()):
            customer.refresh_from_db()
            user = customer.user
        else:
            customer.user = user
    if not user.is_active:
        raise AccountDisabled(field="phone")
    membership, _ = Membership.objects.get_or_create(user=user, organisation=brand, role=Role.CUSTOMER)
    if not membership.is_active:
        raise AccountDisabled(field="phone")
    forget_principal(user)
    return customer


def find_by_serial(*, brand: Organisation, serial: str) -> InstalledProduct:
    """The brand's unit with this serial, compared trimmed and case-insensitively."""
    text = (serial or "").strip()
    if not text or len(text) > SERIAL_MAX:
        raise ProductNotFound(field="serial")
    found = list(InstalledProduct.objects.filter(brand=brand, serial__iexact=text)
                 .select_related("customer", "product_model__category", "site")[:3])
    exact = [p for p in found if p.serial == text]
    if len(exact) == 1:
        return exact[0]
    if len(found) != 1:  # none, or two serials that differ only in case: a person must look
        raise ProductNotFound(field="serial")
    return found[0]


def register_product(*, actor: Principal, customer: Customer, product: InstalledProduct) -> InstalledProduct:
    """Put ``product`` on ``customer``'s account, or refuse having changed nothing.

    Safe only when it is already theirs, or its customer record has the same phone (the same person
    entered twice, say once by the installer and once by the hotline). Anything else is a transfer
    between people, which the hotline does after checking: ProductOfAnother.
    """
    if not actor.is_customer or actor.customer_id != customer.pk or product.brand_id != customer.brand_id:
        raise NotFound()
    if product.customer_id == customer.pk:
        return product
    owner = product.customer
    if owner.phone != customer.phone:
        raise ProductOfAnother(field="serial")
    with transaction.atomic():
        site = None
        if product.site_id:
            old = product.site
            # The unit stays where it is: the same address, now on this customer's record.
            site = (Site.objects.filter(customer=customer, address=old.address).first()
                    or Site.objects.create(customer=customer, name=old.name, address=old.address, region=old.region,
                                           latitude=old.latitude, longitude=old.longitude,
                                           geo_precision=old.geo_precision, geo_source=old.geo_source,
                                           geo_adcode=old.geo_adcode,
                                           contact_name=old.contact_name, contact_phone=old.contact_phone))
        moved = InstalledProduct.objects.filter(pk=product.pk, customer_id=owner.pk).update(
            customer=customer, site=site, updated_at=timezone.now())
        if not moved:  # someone moved it meanwhile: look again from the start
            raise ProductOfAnother(field="serial")
    product.refresh_from_db()
    return product
