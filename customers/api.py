from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from catalog.models import ProductModel
from core.api import AUTH, Page, get_visible, page_params, principal, ref
from core.paging import capped_count
from core.schema import Id, Input, Int, PastDay
from customers import selectors, services, verdicts
from customers.choices import CustomerKind, ProductStatus, Segment
from customers.models import Customer, InstalledProduct, Site
from network.models import Region

router = Router(tags=["customers and installed base"], auth=AUTH)

KindLit = Literal[tuple(CustomerKind.values)]  # type: ignore[valid-type]
SegmentLit = Literal[tuple(Segment.values)]  # type: ignore[valid-type]
# "exchanged" only by the repair centre's bench (logistics.bench), which also names the unit it was exchanged for.
SETTABLE_STATUSES = tuple(v for v in ProductStatus.values if v != ProductStatus.EXCHANGED)
ProductStatusLit = Literal[SETTABLE_STATUSES]  # type: ignore[valid-type]
Tag = Field(min_length=1, max_length=30)


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    phone: str
    email: str
    segment: str
    tags: list[str]
    # Why this is a second record for a phone the brand already had ("" for the phone's one record).
    duplicate_reason: str
    created_at: dt.datetime


class CustomerIn(Input):
    model_config = ConfigDict(extra="forbid")

    kind: KindLit = CustomerKind.HOUSEHOLD
    name: str = Field(min_length=1, max_length=120)
    phone: str = Field(min_length=1, max_length=32)
    email: str = Field("", max_length=254)
    segment: SegmentLit = Segment.VALUE
    tags: list[str] = Field(default_factory=list, max_length=20)
    # A phone the brand already has is 409 duplicate_phone (detail.customer_id names that customer) unless
    # this says why the caller needs a second record.
    duplicate_reason: str = Field("", max_length=200)


class CustomerPatch(Input):
    model_config = ConfigDict(extra="forbid")

    kind: KindLit | None = None
    name: str | None = Field(None, min_length=1, max_length=120)
    phone: str | None = Field(None, min_length=1, max_length=32)
    email: str | None = Field(None, max_length=254)
    segment: SegmentLit | None = None
    tags: list[str] | None = Field(None, max_length=20)
    duplicate_reason: str | None = Field(None, max_length=200)


class CustomerPage(Page):
    items: list[CustomerOut]


class SiteOut(Schema):
    id: int
    customer_id: int
    name: str
    address: str
    region_id: int | None
    latitude: float | None
    longitude: float | None
    # How the point was found (core.geo): "pin", "exact", "street", "district" or "city" ("" while there is
    # none: the call-out fee is then to be confirmed), by whom ("gazetteer", "amap", "pin", "manual", ...),
    # and the administrative division recognised in the address.
    geo_precision: str
    geo_source: str
    geo_adcode: str
    contact_name: str
    contact_phone: str
    # The floor (negative: a basement) and whether there is a lift, None while unknown: settlement pays a
    # surcharge for a high floor without a lift.
    floor: int | None
    has_lift: bool | None


class SiteIn(Input):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    address: str = Field(min_length=1, max_length=255)
    region_id: Id | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    contact_name: str = Field("", max_length=80)
    contact_phone: str = Field("", max_length=32)
    floor: int | None = Field(None, ge=-9, le=200)
    has_lift: bool | None = None


class SitePatch(Input):
    """A new address (or region) is located again; a point given here is kept as a pin."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(None, min_length=1, max_length=120)
    address: str = Field(None, min_length=1, max_length=255)
    region_id: Id | None = None
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    contact_name: str = Field(None, max_length=80)
    contact_phone: str = Field(None, max_length=32)
    floor: int | None = Field(None, ge=-9, le=200)
    has_lift: bool | None = None


class SitePinIn(Input):
    model_config = ConfigDict(extra="forbid")

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)


class WarrantyOut(Schema):
    """The warranty's verdict (pricing.coverage): a repair today for a product; for an order, as it is priced."""

    covered: bool
    code: str
    reason: str
    until: dt.date | None


class ProductOut(Schema):
    id: int
    serial: str
    product_model_id: int
    customer_id: int
    site_id: int | None
    purchase_date: dt.date | None
    install_date: dt.date | None
    warranty_end: dt.date | None
    status: str
    warranty: WarrantyOut
    # Status "exchanged": the repair centre swapped this unit for a refurbished one, whose serial this names (null
    # once that record is gone), at exchanged_at. On the customer's unit, the serials it replaced, oldest first.
    exchanged_for: str | None
    exchanged_at: dt.datetime | None
    exchanged_from: list[str]

    @staticmethod
    def resolve_exchanged_for(obj) -> str | None:
        return obj.exchanged_for.serial if obj.exchanged_for_id else None

    @staticmethod
    def resolve_exchanged_from(obj) -> list[str]:
        return [p.serial for p in sorted(obj.exchanged_from.all(), key=lambda p: p.pk)]


class ProductIn(Input):
    model_config = ConfigDict(extra="forbid")

    serial: str = Field(min_length=1, max_length=40)
    product_model_id: Id
    customer_id: Id
    site_id: Id | None = None
    purchase_date: PastDay | None = None
    install_date: PastDay | None = None
    status: ProductStatusLit = ProductStatus.ACTIVE


class ProductPatch(Input):
    model_config = ConfigDict(extra="forbid")

    site_id: Id | None = None
    purchase_date: PastDay | None = None
    install_date: PastDay | None = None
    status: ProductStatusLit | None = None


class ProductPage(Page):
    items: list[ProductOut]


class ListQuery(Input):
    q: str = Field("", max_length=100)
    page: Int = 1
    page_size: Int = 25


def _with_warranty(products: list[InstalledProduct]) -> list[InstalledProduct]:
    found = verdicts.product_verdicts(products)
    for product in products:
        product.warranty = found[product.pk].as_dict()
    return products


def _product(product: InstalledProduct) -> InstalledProduct:
    return _with_warranty([product])[0]


def _page(qs, query: ListQuery) -> dict:
    page, size = page_params(query.page, query.page_size)
    total, capped = capped_count(qs)
    return {"items": list(qs[(page - 1) * size: page * size]), "count": total, "count_capped": capped,
            "page": page, "page_size": size}


# The installed products' list first: Django tries the paths in order, and /{customer_id} would take "products".
@router.get("/products", response=ProductPage, summary="List installed products")
def list_products(request, query: Query[ListQuery]):
    principal(request)
    qs = selectors.list_products(request.user, query.q)
    page = _page(qs.select_related("product_model", "exchanged_for").prefetch_related("exchanged_from"), query)
    page["items"] = _with_warranty(page["items"])
    return page


@router.post("/products", response={201: ProductOut}, summary="Register an installed product")
def create_product(request, payload: ProductIn):
    services.require_editor(principal(request))
    fields = payload.model_dump()
    customer = ref(Customer.objects, request, fields.pop("customer_id"), "customer_id")
    fields["product_model"] = ref(ProductModel.objects, request, fields.pop("product_model_id"), "product_model_id")
    fields["site"] = ref(Site.objects, request, fields.pop("site_id"), "site_id")
    return 201, _product(services.register_product(actor=principal(request), customer=customer, **fields))


@router.get("", response=CustomerPage, summary="List customers")
def list_customers(request, query: Query[ListQuery]):
    principal(request)
    return _page(selectors.list_customers(request.user, query.q), query)


@router.post("", response={201: CustomerOut},
             summary="Create a customer (one per phone per brand unless a duplicate_reason is given)")
def create_customer(request, payload: CustomerIn):
    return 201, services.create_customer(actor=principal(request), **payload.model_dump())


@router.get("/{customer_id}", response=CustomerOut)
def get_customer(request, customer_id: Id):
    return get_visible(Customer.objects, request, customer_id)


@router.patch("/{customer_id}", response=CustomerOut)
def update_customer(request, customer_id: Id, payload: CustomerPatch):
    customer = get_visible(Customer.objects, request, customer_id)
    return services.update_customer(
        actor=principal(request), customer=customer, changes=payload.model_dump(exclude_unset=True)
    )


@router.get("/{customer_id}/sites", response=list[SiteOut])
def list_sites(request, customer_id: Id):
    customer = get_visible(Customer.objects, request, customer_id)
    return list(Site.objects.visible_to(request.user).filter(customer=customer)[:500])


@router.post("/{customer_id}/sites", response={201: SiteOut})
def create_site(request, customer_id: Id, payload: SiteIn):
    customer = get_visible(Customer.objects, request, customer_id)
    services.require_editor(principal(request))
    fields = payload.model_dump()
    fields["region"] = ref(Region.objects, request, fields.pop("region_id"), "region_id")
    return 201, services.create_site(actor=principal(request), customer=customer, **fields)


@router.patch("/sites/{site_id}", response=SiteOut, summary="Edit a site (a new address is located again)")
def update_site(request, site_id: Id, payload: SitePatch):
    site = get_visible(Site.objects, request, site_id)
    changes = payload.model_dump(exclude_unset=True)
    if "region_id" in changes:
        changes["region"] = ref(Region.objects, request, changes.pop("region_id"), "region_id")
    return services.update_site(actor=principal(request), site=site, changes=changes)


@router.post("/sites/{site_id}/pin", response=SiteOut, summary="Pin a site's location by hand")
def pin_site(request, site_id: Id, payload: SitePinIn):
    site = get_visible(Site.objects, request, site_id)
    return services.pin_site(actor=principal(request), site=site, latitude=repr(payload.latitude),
                             longitude=repr(payload.longitude))


@router.get("/products/{product_id}", response=ProductOut)
def get_product(request, product_id: Id):
    return _product(get_visible(InstalledProduct.objects.select_related("product_model", "exchanged_for"), request,
                                product_id))


@router.patch("/products/{product_id}", response=ProductOut)
def update_product(request, product_id: Id, payload: ProductPatch):
    product = get_visible(InstalledProduct.objects, request, product_id)
    changes = payload.model_dump(exclude_unset=True)
    if "site_id" in changes:
        changes["site"] = ref(Site.objects, request, changes.pop("site_id"), "site_id")
    return _product(services.update_product(actor=principal(request), product=product, changes=changes))
