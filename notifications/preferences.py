"""How people want to hear from us: a customer's channels and language; a staff member's in-app and e-mail
choice and the language of their e-mails (notifications/backends.py honours it for every notice).

The one place these are read and changed: the API (GET/PUT /api/v1/me/notification-preferences) and the
portal's page both call ``customer_choices`` / ``set_customer_choices``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from accounts.principal import Principal
from core.errors import FieldNotAllowed, InvalidInput
from customers.models import Customer
from notifications.models import CustomerPreference, StaffPreference

CUSTOMER_FIELDS = ("language", "sms", "wechat", "email", "reminders")
STAFF_FIELDS = ("in_app", "email", "language")


@dataclass(frozen=True)
class Choices:
    party: str  # "customer" or "staff"
    values: dict[str, object]


def customer_choices(customer: Customer) -> dict[str, object]:
    found = CustomerPreference.objects.filter(customer=customer).first() or CustomerPreference(customer=customer)
    return {name: getattr(found, name) for name in CUSTOMER_FIELDS}


def staff_choices(user) -> dict[str, object]:
    found = StaffPreference.objects.filter(user=user).first() or StaffPreference(user=user)
    return {name: getattr(found, name) for name in STAFF_FIELDS}


def choices_of(principal: Principal) -> Choices:
    if principal.is_customer:
        return Choices("customer", customer_choices(Customer.objects.get(pk=principal.customer_id)))
    return Choices("staff", staff_choices(principal.user))


def _check_language(changes: dict[str, object]) -> None:
    if "language" in changes and changes["language"] not in dict(settings.LANGUAGES):
        raise InvalidInput(field="language", allowed=[code for code, _ in settings.LANGUAGES])


@transaction.atomic
def set_customer_choices(*, customer: Customer, changes: dict[str, object]) -> dict[str, object]:
    """Change some of the customer's choices; the others stay as they were."""
    _check_language(changes)
    CustomerPreference.objects.update_or_create(customer=customer, defaults=changes)
    return customer_choices(customer)


@transaction.atomic
def set_choices(*, principal: Principal, changes: dict[str, object]) -> Choices:
    """The caller's own choices: a customer's channels and language, or a staff member's in-app, e-mail and the
    e-mails' language."""
    allowed = CUSTOMER_FIELDS if principal.is_customer else STAFF_FIELDS
    for name in changes:
        if name not in allowed:
            raise FieldNotAllowed(field=name)
    if principal.is_customer:
        customer = Customer.objects.get(pk=principal.customer_id)
        return Choices("customer", set_customer_choices(customer=customer, changes=changes))
    _check_language(changes)
    StaffPreference.objects.update_or_create(user=principal.user, defaults=changes)
    return Choices("staff", staff_choices(principal.user))
