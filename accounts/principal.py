"""Who is asking: the user's organisation, role and the ids that scope their data."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from accounts.choices import BRAND_ROLES, SYSTEM, Role
from accounts.models import ApiToken, Membership, Organisation, User
from core.hooks import Provider
from core.prepared import hot_cursor, instance_from_row


@dataclass(frozen=True)
class Principal:
    user: object
    role: str
    brand_id: int
    organisation_id: int
    outlet_id: int | None = None
    technician_id: int | None = None
    customer_id: int | None = None
    roles: frozenset = field(default_factory=frozenset)

    @property
    def is_brand_staff(self) -> bool:
        return self.role in BRAND_ROLES

    @property
    def is_outlet_staff(self) -> bool:
        return self.role in (Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER)

    @property
    def is_technician(self) -> bool:
        return self.role == Role.TECHNICIAN

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    def has_role(self, *roles: str) -> bool:
        return self.role in roles

    @property
    def is_system(self) -> bool:
        return self.role == SYSTEM


def system_principal(brand_id: int) -> Principal:
    """The brand's own automation as an actor: integrations (IoT, WeChat) and automatic steps.

    It has no user (timeline events record actor None and role "system") and scopes nothing:
    code acting as the system fetches what it needs by brand, never through ``visible_to``.
    """
    return Principal(user=None, role=SYSTEM, brand_id=brand_id, organisation_id=brand_id)


# A technician's and a customer's own record live in higher layers (network, customers); each registers
# how to find the one of a user (network/hooks.py, customers/hooks.py): ``(user) -> id or None``.
technician_id_of: Provider[Callable[[User], int | None]] = Provider("accounts.principal.technician_id_of")
customer_id_of: Provider[Callable[[User], int | None]] = Provider("accounts.principal.customer_id_of")

_CACHE_ATTR = "_aftersales_principal"
LAST_USED_GRANULARITY = dt.timedelta(hours=1)


def build_principal(
    user, *, role: str | None, organisation_id: int | None, organisation_brand_id: int | None,
    technician_id: int | None, customer_id: int | None,
) -> Principal | None:
    """The one rule that turns a user's first active membership into a principal.

    Both lookups end here: ``principal_of`` (the ORM, for sessions) and ``authenticate_token``
    (one statement, for bearer tokens), so they cannot drift apart on what a seat means.
    """
    if role is None or organisation_id is None:
        return None
    if role == Role.TECHNICIAN and technician_id is None:
        return None
    if role == Role.CUSTOMER and customer_id is None:
        return None
    return Principal(
        user=user,
        role=role,
        brand_id=organisation_brand_id or organisation_id,
        organisation_id=organisation_id,
        outlet_id=organisation_id if organisation_brand_id else None,
        technician_id=technician_id if role == Role.TECHNICIAN else None,
        customer_id=customer_id if role == Role.CUSTOMER else None,
    )


def principal_of(user) -> Principal | None:
    """Resolve (and cache on the user object) the principal for a request's user.

    A user with no active membership sees nothing. A user's first active membership
    decides: one person, one seat, which is how brands run their service desks.
    """
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    membership = (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    return _remember(user, membership.role, membership.organisation_id, membership.organisation.brand_id)


def authenticate_token(raw: str, now: dt.datetime | None = None) -> User | None:
    """The active user holding this live bearer token, its principal already resolved; None if there is none.

    The rules of ``ApiToken.objects.active()`` and an active user. An API request used to spend two ORM
    queries here (token + user, then membership + organisation), each compiled again on every request.
    This is the same lookup in one statement, built once per process: the user's active memberships of
    active organisations, first one first, which is the rule ``principal_of`` applies. A technician's or
    customer's own record is looked up as in ``principal_of`` (those roles cost one query more). On
    PostgreSQL the statement is prepared on the connection (core/prepared.py: ``hot_cursor``).
    """
    token_hash = ApiToken.hash_of(raw)
    if token_hash is None:
        return None
    now = now or timezone.now()
    with hot_cursor() as cursor:
        cursor.execute(_token_sql(), [now - LAST_USED_GRANULARITY, True, True, token_hash, now, True])
        row = cursor.fetchone()
    if row is None:
        return None
    columns = len(User._meta.concrete_fields)
    user = instance_from_row(User, row[:columns])
    role, organisation_id, brand_id, token_id, stale = row[columns:]
    if stale:
        # Recorded to the hour, not per request: a write on every call would cost each request a statement.
        ApiToken.objects.filter(pk=token_id).update(last_used_at=now)
    if organisation_id is not None:
        _remember(user, role, organisation_id, brand_id)
    return user


def _remember(user, role: str, organisation_id: int, organisation_brand_id: int | None) -> Principal | None:
    technician_id = customer_id = None
    if role == Role.TECHNICIAN:
        technician_id = technician_id_of(user)
    if role == Role.CUSTOMER:
        customer_id = customer_id_of(user)
    principal = build_principal(
        user, role=role, organisation_id=organisation_id, organisation_brand_id=organisation_brand_id,
        technician_id=technician_id, customer_id=customer_id,
    )
    if principal is not None:
        setattr(user, _CACHE_ATTR, principal)
    return principal


@functools.cache
def _token_sql() -> str:
    q = connection.ops.quote_name
    user_cols = ", ".join(f"u.{q(f.column)}" for f in User._meta.concrete_fields)
    # Plain joins plan in a fraction of the time a correlated "first membership" subquery takes
    # (PostgreSQL: 0.4 vs 0.7 ms of server CPU per request); the ORDER BY puts the first active
    # membership of an active organisation first, and a user without one still gets one row.
    return (
        f"SELECT {user_cols}, m.{q('role')} AS p_role, o.{q('id')} AS p_organisation_id, "
        f"o.{q('brand_id')} AS p_organisation_brand_id, t.{q('id')} AS p_token_id, "
        f"CASE WHEN t.{q('last_used_at')} IS NULL OR t.{q('last_used_at')} < %s THEN 1 ELSE 0 END AS p_token_stale "
        f"FROM {q(ApiToken._meta.db_table)} t "
        f"INNER JOIN {q(User._meta.db_table)} u ON u.{q('id')} = t.{q('user_id')} "
        f"LEFT JOIN {q(Membership._meta.db_table)} m ON m.{q('user_id')} = u.{q('id')} AND m.{q('is_active')} = %s "
        f"LEFT JOIN {q(Organisation._meta.db_table)} o "
        f"ON o.{q('id')} = m.{q('organisation_id')} AND o.{q('is_active')} = %s "
        f"WHERE t.{q('token_hash')} = %s AND t.{q('revoked_at')} IS NULL "
        f"AND (t.{q('expires_at')} IS NULL OR t.{q('expires_at')} > %s) AND u.{q('is_active')} = %s "
        f"ORDER BY CASE WHEN o.{q('id')} IS NULL THEN 1 ELSE 0 END, m.{q('id')} LIMIT 1"
    )


def forget_principal(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
