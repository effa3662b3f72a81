"""Read paths: the price list valid on a day, and the plain snapshot the engine prices with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q, Subquery

from accounts.choices import OrgKind
from accounts.models import Organisation
from catalog.models import Part, ProductCategory, Symptom
from core.geo.distance import distance_km
from customers.models import InstalledProduct
from pricing.choices import ExtendedWarrantyStatus
from pricing.coverage import BaseWarranty, CoverageProvider, ExtendedWarrantyProvider
from pricing.errors import NoPriceList
from pricing.facts import (
    AdjustmentFacts,
    CalloutBandFacts,
    ExtensionFacts,
    PartFacts,
    PriceListFacts,
    PriceSnapshot,
    ProductFacts,
    SymptomFacts,
    WarrantyRuleFacts,
)
from pricing.models import (
    Adjustment,
    CalloutBand,
    ExtendedWarranty,
    LabourPrice,
    PartPrice,
    PriceList,
    WarrantyRule,
)


def price_list_on(*, brand_id: int, day: dt.date) -> PriceList:
    """The published list valid on ``day`` (from and to both inclusive)."""
    found = PriceList.objects.filter(brand_id=brand_id).published().valid_on(day).order_by("-valid_from", "-pk")
    price_list = found.first()
    if price_list is None:
        raise NoPriceList(day=day.isoformat())
    return price_list


def load_snapshot(*, brand_id: int, day: dt.date, category_id: int | None = None,
                  part_codes: Iterable[str] | None = None, product_id: int | None = None) -> PriceSnapshot:
    """Everything ``engine.quote`` needs for ``day``, in six queries (seven with a product).

    ``category_id`` and ``part_codes`` narrow what is read to one product and the parts asked
    about; leave them out to load the whole list (a batch of quotes, a price sheet). ``product_id``
    adds that unit's extended warranties to the coverage.
    """
    price_list = price_list_on(brand_id=brand_id, day=day)
    # order_by(): the models' default orderings would join their related tables for nothing.
    labour_rows = LabourPrice.objects.filter(price_list=price_list).order_by()
    parts = Part.objects.filter(brand_id=brand_id, is_active=True).order_by().annotate(
        list_price=Subquery(PartPrice.objects.filter(price_list=price_list, part=OuterRef("pk")).values("amount")[:1])
    )
    if category_id is not None:
        labour_rows = labour_rows.filter(category_id=category_id)
    if part_codes is not None:
        parts = parts.filter(code__in=list(part_codes))
    labour, labour_by_model = {}, {}
    for row in labour_rows.values("category_id", "product_model_id", "service_type", "amount"):
        if row["product_model_id"] is None:
            labour[(row["category_id"], row["service_type"])] = row["amount"]
        else:
            labour_by_model[(row["product_model_id"], row["service_type"])] = row["amount"]
    parts = list(parts)
    part_facts = {p.code: PartFacts(code=p.code, name=p.name, name_en=p.name_en, family=p.family,
                                    category_id=p.category_id) for p in parts}
    return PriceSnapshot(
        price_list=PriceListFacts(id=price_list.pk, name=price_list.name, valid_from=price_list.valid_from,
                                  valid_to=price_list.valid_to, currency=price_list.currency),
        labour=labour,
        labour_by_model=labour_by_model,
        callout_bands=tuple(CalloutBandFacts(up_to_km=b.up_to_km, amount=b.amount)
                            for b in CalloutBand.objects.filter(price_list=price_list).order_by()),
        parts=part_facts,
        part_prices={p.code: p.list_price for p in parts if p.list_price is not None},
        adjustments=tuple(
            AdjustmentFacts(id=a.pk, target=a.applies_to, percent=a.percent, amount=a.amount, segment=a.segment,
                            region_id=a.region_id, region_name=a.region.name if a.region else "")
            for a in Adjustment.objects.filter(price_list=price_list).select_related("region").order_by("pk")
        ),
        coverages=coverages(brand_id=brand_id, category_id=category_id,
                            product_ids=[product_id] if product_id is not None else None),
    )


def coverages(*, brand_id: int, category_id: int | None = None,
              product_ids: Iterable[int] | None = None) -> tuple[CoverageProvider, ...]:
    """The brand's coverage providers: its base warranty with its rules (one query), then the extended
    warranties of ``product_ids`` (one more); they need no price list. ``category_id`` narrows the rules
    read to those that can apply to a product of that category."""
    providers: tuple[CoverageProvider, ...] = (base_warranty(brand_id=brand_id, category_id=category_id),)
    if product_ids is not None:
        extensions = extensions_of(product_ids)
        if extensions:
            providers += (ExtendedWarrantyProvider(by_product=extensions),)
    return providers


def extensions_of(product_ids: Iterable[int]) -> dict[int, tuple[ExtensionFacts, ...]]:
    """Product id -> its active extended warranties, earliest first, in one query."""
    found: dict[int, list[ExtensionFacts]] = {}
    rows = (ExtendedWarranty.objects.filter(product_id__in=list(product_ids),
                                            status=ExtendedWarrantyStatus.ACTIVE)
            .order_by("product_id", "starts_on", "pk")
            .values_list("product_id", "pk", "starts_on", "ends_on", "covers_labour", "covers_parts",
                         "part_families"))
    for product_id, pk, starts_on, ends_on, labour, parts, families in rows:
        found.setdefault(product_id, []).append(ExtensionFacts(
            id=pk, starts_on=starts_on, ends_on=ends_on, covers_labour=labour, covers_parts=parts,
            part_families=tuple(families or ())))
    return {product_id: tuple(items) for product_id, items in found.items()}


def base_warranty(*, brand_id: int, category_id: int | None = None) -> BaseWarranty:
    """The brand's base warranty with its rules, in one query."""
    rules = WarrantyRule.objects.filter(brand_id=brand_id).select_related("part").order_by()
    if category_id is not None:
        rules = rules.filter(Q(category__isnull=True) | Q(category_id=category_id))
        rules = rules.filter(Q(product_model__isnull=True) | Q(product_model__category_id=category_id))
    return BaseWarranty(rules=tuple(
        WarrantyRuleFacts(id=r.pk, months=r.months, counted_from=r.counted_from, grace_days=r.grace_days,
                          model_id=r.product_model_id, category_id=r.category_id,
                          part_code=r.part.code if r.part else "", part_family=r.part_family)
        for r in rules
    ))


def product_facts(product: InstalledProduct) -> ProductFacts:
    model = product.product_model
    return ProductFacts(model_id=model.pk, category_id=model.category_id, purchase_date=product.purchase_date,
                        install_date=product.install_date, catalogue_months=model.warranty_months,
                        product_id=product.pk)


def symptom_facts(*, category_id: int, code: str) -> SymptomFacts | None:
    symptom = Symptom.objects.filter(category_id=category_id, code=code, is_active=True).first()
    if symptom is None:
        return None
    return SymptomFacts(code=symptom.code, name=symptom.name, name_en=symptom.name_en,
                        exclusion=symptom.excludes_warranty)


def serving_outlet(product: InstalledProduct) -> Organisation | None:
    """The outlet that would likely take the job before dispatch has chosen one: the nearest active
    outlet serving the site's region (and authorised for the category, where the category names any)."""
    site = product.site
    if site is None or site.region_id is None:
        return None
    authorised = ProductCategory.authorised_outlets.through.objects.filter(
        productcategory_id=product.product_model.category_id)
    outlets = list(
        Organisation.objects.filter(kind=OrgKind.OUTLET, brand_id=product.brand_id, is_active=True,
                                    service_regions=site.region_id)
        .filter(~Exists(authorised) | Exists(authorised.filter(organisation_id=OuterRef("pk"))))
        .order_by("pk")
    )
    if not outlets:
        return None
    placed = [o for o in outlets if o.latitude is not None and o.longitude is not None]
    if site.latitude is None or site.longitude is None or not placed:
        return outlets[0]
    return min(placed, key=lambda o: (distance_km((o.latitude, o.longitude), (site.latitude, site.longitude)), o.pk))
