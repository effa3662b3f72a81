"""Hand-written engine inputs for the pure tests: a purifier and an air-conditioner, a few parts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from catalog.choices import ServiceType
from pricing.coverage import BaseWarranty
from pricing.facts import (
    AdjustmentFacts,
    CalloutBandFacts,
    PartFacts,
    PriceListFacts,
    PriceSnapshot,
    ProductFacts,
    WarrantyRuleFacts,
)

PURIFIER, AC = 10, 20  # category ids
RO_500, RO_800, VRF_5 = 100, 101, 200  # model ids (RO_* are purifiers)
HANGZHOU, ZHENGZHOU = 1, 2  # region ids
PRICE_LIST = PriceListFacts(id=7, name="2025 标准价目表", valid_from=dt.date(2025, 1, 1), valid_to=None)

PP_FILTER = PartFacts(code="pp-cotton", name="PP棉滤芯", name_en="PP sediment filter", family="filter",
                      category_id=PURIFIER)
RO_MEMBRANE = PartFacts(code="ro-membrane", name="RO反渗透膜滤芯", name_en="RO membrane", family="filter",
                        category_id=PURIFIER)
PUMP = PartFacts(code="booster-pump", name="增压泵", name_en="Booster pump", family="pump", category_id=PURIFIER)
COMPRESSOR = PartFacts(code="compressor", name="压缩机", name_en="Compressor", family="compressor", category_id=AC)
SCREW = PartFacts(code="screw-kit", name="螺丝包", name_en="Screw kit")  # fits every category
PARTS = {p.code: p for p in (PP_FILTER, RO_MEMBRANE, PUMP, COMPRESSOR, SCREW)}
PART_PRICES = {"pp-cotton": Decimal("39.00"), "ro-membrane": Decimal("199.00"), "booster-pump": Decimal("260.00"),
               "compressor": Decimal("1200.00"), "screw-kit": Decimal("5.50")}

LABOUR = {(PURIFIER, "repair"): Decimal("80.00"), (PURIFIER, "install"): Decimal("100.00"),
          (PURIFIER, "maintenance"): Decimal("50.00"), (PURIFIER, "inspection"): Decimal("30.00"),
          (AC, "repair"): Decimal("200.00"), (AC, "install"): Decimal("400.00"), (AC, "mail_in"): Decimal("0.00")}
LABOUR_BY_MODEL = {(VRF_5, "install"): Decimal("500.00")}
BANDS = (CalloutBandFacts(Decimal("10"), Decimal("0.00")), CalloutBandFacts(Decimal("30"), Decimal("30.00")),
         CalloutBandFacts(None, Decimal("60.00")))

UNIT_12_FROM_INSTALL = WarrantyRuleFacts(id=1, months=12, counted_from="install")
FILTERS_NEVER = WarrantyRuleFacts(id=2, months=0, part_family="filter")
COMPRESSOR_60 = WarrantyRuleFacts(id=3, months=60, part_family="compressor", category_id=AC)
PREMIUM_LABOUR_10_OFF = AdjustmentFacts(id=1, target="labour", percent=Decimal("-10.00"), segment="premium")
REMOTE_CALLOUT_20 = AdjustmentFacts(id=2, target="callout", amount=Decimal("20.00"), region_id=ZHENGZHOU,
                                    region_name="郑州")


def purifier(*, purchase: dt.date | None = dt.date(2024, 3, 1), install: dt.date | None = dt.date(2024, 3, 20),
             months: int = 12, model_id: int = RO_500) -> ProductFacts:
    return ProductFacts(model_id=model_id, category_id=PURIFIER, purchase_date=purchase, install_date=install,
                        catalogue_months=months)


def vrf(*, purchase: dt.date = dt.date(2021, 5, 1), install: dt.date = dt.date(2021, 5, 10),
        months: int = 36) -> ProductFacts:
    return ProductFacts(model_id=VRF_5, category_id=AC, purchase_date=purchase, install_date=install,
                        catalogue_months=months)


def snapshot(*, rules=(UNIT_12_FROM_INSTALL, FILTERS_NEVER, COMPRESSOR_60), bands=BANDS, adjustments=(),
             labour=None, labour_by_model=None, part_prices=None, coverages=None) -> PriceSnapshot:
    return PriceSnapshot(
        price_list=PRICE_LIST,
        labour=LABOUR if labour is None else labour,
        labour_by_model=LABOUR_BY_MODEL if labour_by_model is None else labour_by_model,
        callout_bands=tuple(bands),
        parts=PARTS,
        part_prices=PART_PRICES if part_prices is None else part_prices,
        adjustments=tuple(adjustments),
        coverages=(BaseWarranty(rules=tuple(rules)),) if coverages is None else tuple(coverages),
    )


ALL_LABOUR = {(category, t): Decimal("10.00") for category in (PURIFIER, AC) for t in ServiceType.values}
