"""Reads about customers for the people who serve them.

What a technician sees of the customer before a visit, which reads orders, visits and complaints, is
``field.profile.customer_profile``.
"""

from __future__ import annotations

from accounts.principal import Principal, principal_of
from core.phones import try_normalize_phone
from core.prepared import PreparedQuery
from customers.models import Customer, InstalledProduct, Site
from customers.search import customers_named

# What opening an order needs of the product it names, its customer and its site (the customer's brief
# for the response, the brand, segment and region for the SLA).
_PRODUCT_FIELDS = ("id", "brand_id", "customer_id", "site_id", "status")  # status: an exchanged unit takes no order
_CUSTOMER_FIELDS = ("brand_id", "name", "phone", "segment")
_SITE_FIELDS = ("customer_id", "region_id")
_ID_MIN, _ID_MAX = -(2**63), 2**63 - 1
_PRINCIPAL_IDS = ("brand_id", "organisation_id", "outlet_id", "technician_id", "customer_id")


def _customers_product(principal: Principal, product_id: int, customer_id: int):
    return (
        InstalledProduct.objects.scoped_for(principal)
        .filter(pk=product_id, customer_id=customer_id)
        .through("customer", Customer.objects.scoped_for(principal))
        .values_list(*_PRODUCT_FIELDS, *(f"customer__{f}" for f in _CUSTOMER_FIELDS),
                     *(f"site__{f}" for f in _SITE_FIELDS))
    )


_customers_product_query = PreparedQuery(_customers_product, attributes={"principal": _PRINCIPAL_IDS})


def customers_product(
    user, *, product_id: int, customer_id: int,
) -> tuple[Customer, InstalledProduct, Site | None] | None:
    """The customer's product with the customer and the product's site, as ``visible_to`` shows them.

    One statement, the ORM's own (the product through its scope, the customer through the customer
    scope as a correlated EXISTS, ``through``), compiled once per shape of principal
    (core/prepared.py): opening an order spent more on building this query than on anything else.
    None when the user may not see both, or the product is not the customer's. The instances hold
    only the fields read here; another is loaded when first read.
    """
    principal = principal_of(user)
    if principal is None or not (_ID_MIN <= product_id <= _ID_MAX and _ID_MIN <= customer_id <= _ID_MAX):
        return None  # an id no row can have: the ORM's lookups say so without asking the database
    shape = (principal.role, *(getattr(principal, a) is None for a in _PRINCIPAL_IDS))
    rows = _customers_product_query.rows(shape, principal=principal, product_id=product_id, customer_id=customer_id)
    if not rows:
        return None
    row, p, c = rows[0], len(_PRODUCT_FIELDS), len(_PRODUCT_FIELDS) + len(_CUSTOMER_FIELDS)
    product = dict(zip(_PRODUCT_FIELDS, row[:p], strict=True))
    customer = dict(zip(_CUSTOMER_FIELDS, row[p:c], strict=True), id=product["customer_id"])
    site = dict(zip(_SITE_FIELDS, row[c:], strict=True), id=product["site_id"])
    found = _loaded(InstalledProduct, product)
    found.customer = _loaded(Customer, customer)
    found.site = _loaded(Site, site) if site["id"] is not None else None
    return found.customer, found, found.site


def _loaded(model, values: dict):
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
    return model.from_db("default", names, [values[n] for n in names])


def list_customers(user, q: str = ""):
    """The customers list's rule, for the API's list and the exports: a phone exactly; else part of the name
    on its trigram index (customers.search). Newest first."""
    qs = Customer.objects.visible_to(user).order_by("-pk")
    if q:
        phone = try_normalize_phone(q)
        seat = principal_of(user)
        qs = qs.filter(phone=phone) if phone else customers_named(qs, seat.brand_id if seat else None, q)
    return qs


def list_products(user, q: str = ""):
    """The installed products list's rule, for the API's list and the exports: a serial exactly. Newest first."""
    qs = InstalledProduct.objects.visible_to(user).order_by("-pk")
    if q:
        qs = qs.filter(serial=q.strip())
    return qs
