"""Demo pricing for a brand: ``seed_pricing(brand)`` (called by the demo command; safe to run twice).

Two published versions of the price list (the previous one ended two months ago, so demo orders
are priced by both), RMB amounts of a mid-market appliance brand, warranty rules and the symptom
list of each category in Chinese and English. Categories, models and regions the brand lacks are
skipped, so it also runs on a small test world.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from catalog.choices import ExclusionReason
from catalog.models import Part, ProductCategory, ProductModel, Symptom
from core.dates import add_months
from network.models import Region
from pricing.choices import AdjustmentTarget, CountedFrom
from pricing.models import Adjustment, CalloutBand, LabourPrice, PartPrice, PriceList, WarrantyRule

CURRENT_NAME = "标准服务价目表"
PREVIOUS_NAME = "标准服务价目表（上一版）"
PREVIOUS_FACTOR = Decimal("0.90")  # last version's labour and call-out, before the price rise
REMOTE_REGIONS = ("zhengzhou",)  # served from Wuhan and Xi'an: no outlet of its own

# category → service type → labour (¥)
LABOUR = {
    "purifier": {"install": 100, "repair": 80, "maintenance": 50, "inspection": 30, "mail_in": 60},
    "appliance": {"install": 150, "repair": 100, "maintenance": 80, "inspection": 50, "mail_in": 60},
    "hvac": {"site_survey": 0, "install": 400, "repair": 200, "maintenance": 180, "inspection": 100},
}
# model → service type → labour (¥), where a model differs from its category
LABOUR_BY_MODEL = {
    "FA-250": {"install": 200},
    "HP-12": {"install": 300},
    "VRF-5": {"install": 500},
    "VRF-8": {"install": 600},
}
# (up to km, ¥); None is every longer distance
CALLOUT = [(Decimal("10"), 0), (Decimal("30"), 30), (None, 60)]

# code, name, English name, family, category, ¥
PARTS = [
    ("pp-cotton", "PP棉滤芯", "PP sediment filter", "filter", "purifier", "39.00"),
    ("pre-carbon", "前置活性炭滤芯", "Pre-carbon filter", "filter", "purifier", "69.00"),
    ("post-carbon", "后置活性炭滤芯", "Post-carbon filter", "filter", "purifier", "59.00"),
    ("uf-membrane", "超滤膜滤芯", "Ultrafiltration membrane", "filter", "purifier", "129.00"),
    ("ro-membrane", "RO反渗透膜滤芯", "RO membrane", "filter", "purifier", "199.00"),
    ("booster-pump", "增压泵", "Booster pump", "pump", "purifier", "260.00"),
    ("inlet-valve", "进水电磁阀", "Inlet solenoid valve", "valve", "purifier", "45.00"),
    ("purifier-pcb", "净水器电脑板", "Purifier control board", "pcb", "purifier", "220.00"),
    ("heating-element", "加热管", "Heating element", "heating", "appliance", "150.00"),
    ("igniter", "点火针", "Igniter", "ignition", "appliance", "35.00"),
    ("wash-motor", "洗涤电机", "Wash motor", "motor", "appliance", "320.00"),
    ("appliance-pcb", "家电电脑板", "Appliance control board", "pcb", "appliance", "280.00"),
    ("anode-rod", "镁棒", "Magnesium anode rod", "consumable", "appliance", "49.00"),
    ("hepa-filter", "HEPA滤网", "HEPA filter", "filter", "appliance", "159.00"),
    ("softener-resin", "软水树脂", "Softener resin", "filter", "appliance", "199.00"),
    ("compressor", "压缩机", "Compressor", "compressor", "hvac", "1200.00"),
    ("eev", "电子膨胀阀", "Electronic expansion valve", "valve", "hvac", "380.00"),
    ("indoor-pcb", "室内机主板", "Indoor unit control board", "pcb", "hvac", "450.00"),
    ("drain-pump", "排水泵", "Drain pump", "pump", "hvac", "160.00"),
    ("fan-motor", "风机电机", "Fan motor", "motor", "hvac", "520.00"),
    ("refrigerant", "R410A 冷媒（每公斤）", "R410A refrigerant (per kg)", "refrigerant", "hvac", "120.00"),
    ("fresh-air-filter", "新风滤网", "Fresh-air filter", "filter", "hvac", "99.00"),
]

# The models a part is made for (a part not named here fits every model of its category).
_RO = ["RO-400G", "RO-600G", "RO-800P"]
_VRF = ["VRF-5", "VRF-8", "HP-12"]
PART_MODELS = {
    "ro-membrane": _RO, "booster-pump": _RO, "uf-membrane": ["UF-200"],
    "pre-carbon": [*_RO, "UF-200", "WD-5"], "post-carbon": [*_RO, "UF-200", "WD-5"],
    "inlet-valve": [*_RO, "WD-5"], "purifier-pcb": [*_RO, "WD-5"],
    "heating-element": ["EW-60", "DW-8"], "igniter": ["GW-16"], "wash-motor": ["DW-8"],
    "appliance-pcb": ["DW-8", "EW-60", "AP-300", "GW-16"], "anode-rod": ["EW-60"], "hepa-filter": ["AP-300"],
    "softener-resin": ["SW-3"],
    "compressor": _VRF, "eev": _VRF, "indoor-pcb": _VRF, "drain-pump": _VRF, "refrigerant": _VRF,
    "fan-motor": [*_VRF, "FA-250"], "fresh-air-filter": ["FA-250"],
}

# category (None: whole brand), part family ("" whole unit), months (None: catalogue term), counted from, grace
WARRANTY_RULES = [
    (None, "", None, CountedFrom.INSTALL, 15),  # whole unit: the model's catalogue term
    # Longer than any central air-conditioner's own term (up to 72 months), as a part's term is an
    # override: a compressor rule shorter than a model's catalogue term would cut that model's cover.
    ("hvac", "compressor", 120, CountedFrom.INSTALL, 15),
    (None, "filter", 0, CountedFrom.INSTALL, 0),  # filters and other consumables are never covered
    (None, "consumable", 0, CountedFrom.INSTALL, 0),
]

MISUSE, DAMAGE = ExclusionReason.MISUSE, ExclusionReason.ACCIDENTAL_DAMAGE
THIRD_PARTY, EXTERNAL = ExclusionReason.UNAUTHORISED_REPAIR, ExclusionReason.EXTERNAL_CAUSE
# category → (code, name, English name, exclusion)
SYMPTOMS = {
    "purifier": [
        ("no-water", "不出水", "No water comes out", ""),
        ("slow-flow", "出水很慢", "Water flows slowly", ""),
        ("leak", "漏水", "Leaking", ""),
        ("noisy", "制水时噪音大", "Noisy while filtering", ""),
        ("bad-taste", "TDS 值偏高，水有异味", "High TDS or odd taste", ""),
        ("never-stops", "一直制水不停机", "Never stops filtering", ""),
        ("error-code", "面板报故障代码", "Error code on the panel", ""),
        ("filter-due", "滤芯到期", "Filter due for replacement", ""),
        ("frozen", "冬季冻裂", "Cracked by frost", MISUSE),
        ("dropped", "摔落或撞击损坏", "Dropped or knocked", DAMAGE),
        ("third-party-repair", "非授权拆修", "Opened or repaired by a third party", THIRD_PARTY),
    ],
    "appliance": [
        ("no-heat", "不加热", "Does not heat", ""),
        ("no-ignition", "打不着火", "Does not ignite", ""),
        ("poor-clean", "洗不干净，有残留", "Does not wash clean", ""),
        ("leak", "漏水", "Leaking", ""),
        ("trips-breaker", "开机跳闸", "Trips the breaker", ""),
        ("noisy", "噪音大，有异响", "Noisy", ""),
        ("display-dead", "显示屏不亮", "Display is dark", ""),
        ("wrong-voltage", "电压不符或接错电源", "Wrong voltage or wiring", MISUSE),
        ("water-damage", "进水或受潮损坏", "Water damage", DAMAGE),
        ("power-surge", "雷击或电网浪涌损坏", "Lightning or power surge", EXTERNAL),
    ],
    "hvac": [
        ("no-cooling", "不制冷", "Does not cool", ""),
        ("no-heating", "不制热", "Does not heat", ""),
        ("indoor-leak", "室内机漏水", "Indoor unit leaks", ""),
        ("high-pressure", "外机报高压保护", "Outdoor unit high-pressure alarm", ""),
        ("odour", "出风有异味", "Air smells", ""),
        ("controller-error", "遥控器无反应，面板报错", "Controller does not respond", ""),
        ("fresh-air-noisy", "新风机噪音大", "Fresh-air unit is noisy", ""),
        ("renovation-damage", "装修损坏管路或线路", "Pipes or wires damaged in renovation", DAMAGE),
        ("rodent-damage", "虫鼠咬坏线路", "Wiring chewed by pests", EXTERNAL),
        ("third-party-repair", "非授权拆修", "Opened or repaired by a third party", THIRD_PARTY),
    ],
}


@transaction.atomic
def seed_pricing(brand: Organisation, *, today: dt.date | None = None) -> PriceList:
    """Parts, warranty rules, symptoms and two published price-list versions; returns the current list."""
    today = today or timezone.localdate()
    categories = {c.code: c for c in ProductCategory.objects.filter(brand=brand)}
    models = {m.code: m for m in ProductModel.objects.filter(category__brand=brand)}
    parts = _parts(brand, categories)
    _part_models(parts, models)
    _warranty_rules(brand, categories)
    _symptoms(categories)
    switch = add_months(today.replace(day=1), -2)
    _price_list(brand, PREVIOUS_NAME, add_months(switch, -24), switch - dt.timedelta(days=1), PREVIOUS_FACTOR,
                categories, models, parts)
    return _price_list(brand, CURRENT_NAME, switch, None, Decimal(1), categories, models, parts)


def _part_models(parts: dict[str, tuple[Part, Decimal]], models: dict[str, ProductModel]) -> None:
    links = [Part.product_models.through(part_id=parts[code][0].pk, productmodel_id=models[m].pk)
             for code, names in PART_MODELS.items() if code in parts for m in names if m in models]
    Part.product_models.through.objects.bulk_create(links, ignore_conflicts=True)


def _parts(brand: Organisation, categories: dict[str, ProductCategory]) -> dict[str, tuple[Part, Decimal]]:
    found = {}
    for code, name, name_en, family, category, price in PARTS:
        if category not in categories:
            continue
        part, _ = Part.objects.get_or_create(brand=brand, code=code, defaults=dict(
            name=name, name_en=name_en, family=family, category=categories[category]))
        found[code] = (part, Decimal(price))
    return found


def _warranty_rules(brand: Organisation, categories: dict[str, ProductCategory]) -> None:
    for category, family, months, counted_from, grace in WARRANTY_RULES:
        if category is not None and category not in categories:
            continue
        WarrantyRule.objects.get_or_create(
            brand=brand, category=categories.get(category), product_model=None, part=None, part_family=family,
            defaults=dict(months=months, counted_from=counted_from, grace_days=grace),
        )


def _symptoms(categories: dict[str, ProductCategory]) -> None:
    for category_code, rows in SYMPTOMS.items():
        category = categories.get(category_code)
        if category is None:
            continue
        for order, (code, name, name_en, exclusion) in enumerate(rows):
            Symptom.objects.get_or_create(category=category, code=code, defaults=dict(
                name=name, name_en=name_en, excludes_warranty=exclusion, sort_order=order * 10))


def _price_list(brand: Organisation, name: str, valid_from: dt.date, valid_to: dt.date | None, factor: Decimal,
                categories: dict[str, ProductCategory], models: dict[str, ProductModel],
                parts: dict[str, tuple[Part, Decimal]]) -> PriceList:
    existing = PriceList.objects.filter(brand=brand, name=name).first()
    if existing is not None:
        return existing
    price_list = PriceList(brand=brand, name=name, valid_from=valid_from, valid_to=valid_to, is_published=True)
    price_list.full_clean()  # refuses a version that would overlap a list the brand already publishes
    price_list.save()

    def scaled(amount: int | Decimal) -> Decimal:
        return (Decimal(amount) * factor).quantize(Decimal("1"))

    LabourPrice.objects.bulk_create(
        [LabourPrice(price_list=price_list, category=categories[c], service_type=t, amount=scaled(a))
         for c, prices in LABOUR.items() if c in categories for t, a in prices.items()]
        + [LabourPrice(price_list=price_list, category=models[m].category, product_model=models[m], service_type=t,
                       amount=scaled(a))
           for m, prices in LABOUR_BY_MODEL.items() if m in models for t, a in prices.items()]
    )
    CalloutBand.objects.bulk_create([CalloutBand(price_list=price_list, up_to_km=km, amount=scaled(a))
                                     for km, a in CALLOUT])
    PartPrice.objects.bulk_create([PartPrice(price_list=price_list, part=p, amount=a) for p, a in parts.values()])
    adjustments = [Adjustment(price_list=price_list, segment="premium", applies_to=AdjustmentTarget.LABOUR,
                              percent=Decimal("-10"), note="尊享客户工时九折")]
    adjustments += [Adjustment(price_list=price_list, region=region, applies_to=AdjustmentTarget.CALLOUT,
                               amount=Decimal("20"), note="偏远地区上门附加费")
                    for region in Region.objects.filter(brand=brand, code__in=REMOTE_REGIONS)]
    Adjustment.objects.bulk_create(adjustments)
    return price_list
