"""Who is asking: the user's organisation, role and the ids that scope their data."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.choices import BRAND_ROLES, Role


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


_CACHE_ATTR = "_aftersales_principal"


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
    from accounts.models import Membership

    membership = (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return None
    org = membership.organisation
    technician_id = customer_id = None
    if membership.role == Role.TECHNICIAN:
        from network.models import Technician

        technician_id = Technician.objects.filter(user=user, is_active=True).values_list("pk", flat=True).first()
        if technician_id is None:
            return None
    if membership.role == Role.CUSTOMER:
        from customers.models import Customer

        customer_id = Customer.objects.filter(user=user).values_list("pk", flat=True).first()
        if customer_id is None:
            return None
    principal = Principal(
        user=user,
        role=membership.role,
        brand_id=org.brand_id or org.pk,
        organisation_id=org.pk,
        outlet_id=org.pk if org.brand_id else None,
        technician_id=technician_id,
        customer_id=customer_id,
    )
    setattr(user, _CACHE_ATTR, principal)
    return principal


def forget_principal(user) -> None:
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)
