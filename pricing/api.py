"""Extended warranty over HTTP: thin adapters over pricing.extended (STYLE.md §2).

A unit is fetched through ``visible_to``: a unit the caller may not see is a 404. ``router`` is mounted at
/products (a unit's warranties, and selling one), ``offers_router`` at /warranty.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from ninja import Field, Header, Query, Router
from pydantic import BaseModel

from core.api import AUTH, ApiDateTime, get_visible, json_response, principal
from core.errors import NotFound
from core.idempotency import run_idempotent
from core.schema import Day, Id, Input, Money
from customers.models import InstalledProduct
from pricing import extended
from pricing.choices import SoldVia
from pricing.extended_models import REFERENCE_MAX, ExtendedWarranty, WarrantyExtensionTerm

router = Router(tags=["extended warranty"], auth=AUTH)
offers_router = Router(tags=["extended warranty"], auth=AUTH)


class TermOut(BaseModel):
    id: int
    name: str
    months: int
    covers: str
    covers_labour: bool
    covers_parts: bool
    part_families: list[str]


class WarrantyOfferOut(BaseModel):
    term: TermOut
    price: Money
    currency: str
    starts_on: dt.date
    ends_on: dt.date


class ExtendedWarrantyOut(BaseModel):
    id: int
    product_id: int
    term: TermOut
    starts_on: dt.date
    ends_on: dt.date
    covers: str
    price: Money
    currency: str
    sold_via: str
    lead_id: int | None
    reference: str
    status: str
    created_at: ApiDateTime


class OffersQuery(Input):
    product_id: Id
    on: Day | None = Field(None, description="The day of the sale (default today, in the brand's time zone).")


class SellIn(Input):
    term_id: Id
    sold_via: SoldVia = SoldVia.HOTLINE
    price: Money | None = Field(None, description="Default: the offer's price for the customer's segment and region.")
    reference: str = Field("", max_length=REFERENCE_MAX)


def _term(term: WarrantyExtensionTerm) -> TermOut:
    return TermOut(id=term.pk, name=str(term.display_name), months=term.months, covers=str(extended.covers_label(term)),
                   covers_labour=term.covers_labour, covers_parts=term.covers_parts,
                   part_families=list(term.part_families or []))


def _warranty(w: ExtendedWarranty) -> ExtendedWarrantyOut:
    return ExtendedWarrantyOut(
        id=w.pk, product_id=w.product_id, term=_term(w.term), starts_on=w.starts_on, ends_on=w.ends_on,
        covers=str(extended.covers_label(w)), price=w.price, currency=w.currency, sold_via=w.sold_via,
        lead_id=w.lead_id, reference=w.reference, status=w.status, created_at=w.created_at,
    )


def _products():
    return InstalledProduct.objects.select_related("product_model", "customer", "site")


@router.get("/{product_id}/warranties", response=list[ExtendedWarrantyOut],
            summary="A unit's extended warranties, active and cancelled, earliest first")
def list_warranties(request, product_id: Id):
    product = get_visible(_products(), request, product_id)
    return [_warranty(w) for w in extended.warranties_of(product)]


@router.post("/{product_id}/warranties", response={201: ExtendedWarrantyOut},
             summary="Sell an extended warranty for this unit (hotline, a won lead's desk, an import)")
def sell_warranty(request, product_id: Id, payload: SellIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    product = get_visible(_products(), request, product_id)
    actor = principal(request)
    # The unit is visible, so its brand is the caller's: its terms are the ones on sale to them (a customer
    # sees no master data through visible_to, and buys in the portal shop from the same list).
    term = WarrantyExtensionTerm.objects.filter(brand_id=product.brand_id, pk=payload.term_id).first()
    if term is None:
        raise NotFound(field="term_id")

    def sell() -> ExtendedWarrantyOut:
        sold = extended.sell_extended_warranty(product=product, term=term, actor_or_channel=actor,
                                               sold_via=payload.sold_via, price=payload.price,
                                               reference=payload.reference)
        return _warranty(ExtendedWarranty.objects.select_related("term").get(pk=sold.pk))

    if not idempotency_key:
        return json_response(sell(), status=201)
    status, body = run_idempotent(user=request.user, scope=f"pricing.extended.{product.pk}", key=idempotency_key,
                                  body=payload.model_dump(mode="json"),
                                  fn=lambda: (201, sell().model_dump(mode="json")))
    return json_response(ExtendedWarrantyOut.model_validate(body), status=status)


@offers_router.get("/offers", response=list[WarrantyOfferOut],
                   summary="The extended warranty terms a unit may buy, priced for its customer, cheapest first")
def list_offers(request, query: Query[OffersQuery]):
    product = get_visible(_products(), request, query.product_id)
    offers = extended.offers_for(product=product, on=query.on or timezone.localdate())
    return [WarrantyOfferOut(term=_term(o.term), price=o.price, currency=o.currency, starts_on=o.starts_on,
                             ends_on=o.ends_on) for o in offers]
