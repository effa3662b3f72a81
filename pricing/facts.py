"""The engine's plain inputs: what the loader reads from the database, or a test writes by hand."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pricing.coverage import CoverageProvider


@dataclass(frozen=True)
class ProductFacts:
    model_id: int
    category_id: int
    purchase_date: dt.date | None
    install_date: dt.date | None
    catalogue_months: int  # ProductModel.warranty_months: the whole-unit term when no rule sets one
    product_id: int | None = None  # which unit: the extended warranties of a snapshot are per unit


@dataclass(frozen=True)
class ExtensionFacts:
    """An extended warranty bought for a unit: the days it covers (both inclusive) and what it pays for."""

    id: int
    starts_on: dt.date
    ends_on: dt.date
    covers_labour: bool = True  # labour and call-out
    covers_parts: bool = True
    part_families: tuple[str, ...] = ()  # empty: every part


@dataclass(frozen=True)
class SymptomFacts:
    code: str
    name: str = ""
    name_en: str = ""
    exclusion: str = ""  # an ExclusionReason, or "" when the symptom leaves the warranty alone


@dataclass(frozen=True)
class PartFacts:
    code: str
    name: str
    name_en: str = ""
    family: str = ""
    category_id: int | None = None


@dataclass(frozen=True)
class PartUse:
    code: str
    quantity: int = 1


@dataclass(frozen=True)
class WarrantyRuleFacts:
    """One warranty term. Scope: a model, else a category, else the whole brand.
    Target: one part, else a part family, else the whole unit (labour, call-out and other parts)."""

    id: int
    months: int | None  # None: the model's catalogue term; 0: never covered
    counted_from: str = "install"
    grace_days: int = 0  # added to the purchase date when the term is counted from it
    model_id: int | None = None
    category_id: int | None = None
    part_code: str = ""
    part_family: str = ""


@dataclass(frozen=True)
class CalloutBandFacts:
    up_to_km: Decimal | None  # inclusive upper bound; None for the open-ended band
    amount: Decimal


@dataclass(frozen=True)
class AdjustmentFacts:
    id: int
    target: str  # an AdjustmentTarget
    percent: Decimal | None = None
    amount: Decimal | None = None
    segment: str = ""  # "" for every segment
    region_id: int | None = None  # None for every region
    region_name: str = ""


@dataclass(frozen=True)
class PriceListFacts:
    id: int
    name: str
    valid_from: dt.date
    valid_to: dt.date | None  # both ends inclusive; None for open-ended
    currency: str = "CNY"


@dataclass(frozen=True)
class PriceSnapshot:
    """A published price list and the coverage that applies, frozen for one quote (or many)."""

    price_list: PriceListFacts
    labour: Mapping[tuple[int, str], Decimal] = field(default_factory=dict)  # (category id, service type)
    labour_by_model: Mapping[tuple[int, str], Decimal] = field(default_factory=dict)  # (model id, service type)
    callout_bands: tuple[CalloutBandFacts, ...] = ()
    parts: Mapping[str, PartFacts] = field(default_factory=dict)
    part_prices: Mapping[str, Decimal] = field(default_factory=dict)
    adjustments: tuple[AdjustmentFacts, ...] = ()
    coverages: tuple[CoverageProvider, ...] = ()
