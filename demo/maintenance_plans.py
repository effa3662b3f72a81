"""Demo maintenance plans and contracts: ``seed_maintenance_plans(brand, now=...)`` (safe to run twice).

Plans of every tier for the water purifiers and the central air-conditioners (basic with the 400 hotline's
emergency service, standard, full with priority response; a model's own plan for the commercial multi-split),
priced per region on the current price list; an enterprise 维保合同 over two sites of an enterprise customer and a
household plan for the demo customer, started months ago, so each has visits done, overdue and due this week; the
order-ahead job run as of the demo's day, its orders stamped at the demo's clock.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from accounts.models import Organisation
from catalog.models import Part, ProductCategory, ProductModel
from customers.choices import CustomerKind
from customers.models import Customer, InstalledProduct
from demo import data
from demo.common import align_outbox, allocate_numbers
from maintenance.choices import ContractKind, SoldVia, Tier, VisitStatus
from maintenance.contracts import create_contract
from maintenance.models import Contract, ContractVisit, MaintenancePlan, PlanPart, PlanPrice
from maintenance.plans import fits, plans_for
from maintenance.visitplan import WEEK, monday_of
from maintenance.visits import order_due_visits
from network.models import Region
from pricing.models import PriceList
from workorders.models import WorkOrder, WorkOrderEvent
from workorders.sla import due_times_of

# category or model code, tier, name, tasks, months, litres, visits a year, minutes, hotline, priority, parts,
# price, dearer regions (+%)
PLANS = [
    ("purifier", Tier.BASIC, "净水器基础保养", "检查管路与接头渗漏，冲洗 RO 膜，测试出水 TDS",
     6, 2000, 2, 40, True, False, (), "199.00"),
    ("purifier", Tier.STANDARD, "净水器标准保养", "基础保养内容，更换 PP 棉与前置活性炭滤芯，消毒储水桶",
     6, 2000, 2, 60, False, False, ("pp-cotton", "pre-carbon"), "398.00"),
    ("purifier", Tier.FULL, "净水器全面保养", "标准保养内容，更换全部滤芯（含 RO 膜），水质全项检测，优先响应",
     3, 1500, 4, 90, False, True, ("pp-cotton", "pre-carbon", "post-carbon", "ro-membrane"), "1280.00"),
    ("hvac", Tier.BASIC, "中央空调基础保养", "清洗过滤网，检查冷媒压力与排水，400 热线应急抢修",
     12, None, 2, 90, True, False, (), "600.00"),
    ("hvac", Tier.STANDARD, "中央空调标准保养", "基础保养内容，清洗室内机蒸发器与冷凝器，检测电气安全",
     6, None, 4, 120, False, False, (), "1200.00"),
    ("hvac", Tier.FULL, "中央空调全面维保", "标准保养内容，季度巡检，冷媒补充，主板与排水泵检测，优先响应",
     3, None, 4, 180, False, True, ("drain-pump",), "2800.00"),
    ("VRF-8", Tier.FULL, "商用多联机全面维保（8匹）", "全面维保内容，外机换热器高压清洗，压缩机运行参数记录，优先响应",
     3, None, 6, 240, False, True, ("drain-pump",), "4800.00"),
]
DEARER = {"shanghai": Decimal("1.15"), "beijing": Decimal("1.10")}
# The contracts began so many weeks before this week's Monday: the visits fall done, overdue and due this week.
ENTERPRISE_WEEKS_AGO = 32
HOUSEHOLD_WEEKS_AGO = 32


def seed_maintenance_plans(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    if not MaintenancePlan.objects.filter(brand=brand).exists():
        _plans(brand, today)
    if not Contract.objects.filter(brand=brand).exists():
        _contracts(brand, now, today)
    return {"maintenance_plans": MaintenancePlan.objects.filter(brand=brand).count(),
            "contracts": Contract.objects.filter(brand=brand).count(),
            "contract_visits": ContractVisit.objects.filter(contract__brand=brand).count()}


def _plans(brand: Organisation, today: dt.date) -> None:
    categories = {c.code: c for c in ProductCategory.objects.filter(brand=brand)}
    models = {m.code: m for m in ProductModel.objects.filter(category__brand=brand)}
    parts = {p.code: p for p in Part.objects.filter(brand=brand)}
    price_list = (PriceList.objects.filter(brand=brand).published().valid_on(today).order_by("-valid_from").first())
    regions = list(Region.objects.filter(brand=brand).order_by("code"))
    for scope, tier, name, tasks, months, litres, per_year, minutes, hotline, priority, used, price in PLANS:
        if scope not in categories and scope not in models:
            continue
        plan = MaintenancePlan.objects.create(
            brand=brand, name=name, tier=tier, category=categories.get(scope), product_model=models.get(scope),
            tasks=tasks, interval_months=months, interval_litres=litres, visits_per_year=per_year,
            standard_minutes=minutes, term_months=12, hotline_emergency=hotline, priority_response=priority)
        PlanPart.objects.bulk_create([PlanPart(plan=plan, part=parts[code]) for code in used if code in parts])
        if price_list is None:
            continue
        amount = Decimal(price)
        PlanPrice.objects.create(plan=plan, price_list=price_list, amount=amount)
        PlanPrice.objects.bulk_create([
            PlanPrice(plan=plan, price_list=price_list, region=r, amount=(amount * DEARER[r.code]).quantize(
                Decimal("1"))) for r in regions if r.code in DEARER])


def _enterprise_units(brand: Organisation) -> tuple[Customer, list[InstalledProduct]] | None:
    """An enterprise customer with central air-conditioners on two sites or more: one unit of each of two sites."""
    hvac = (InstalledProduct.objects.filter(brand=brand, customer__kind=CustomerKind.ENTERPRISE,
                                            product_model__category__code="hvac", site__isnull=False)
            .values("customer_id").annotate(sites=Count("site", distinct=True)).filter(sites__gte=2)
            .order_by("customer_id"))
    first = hvac.first()
    if first is None:
        return None
    units, seen = [], set()
    for product in (InstalledProduct.objects.filter(customer_id=first["customer_id"],
                                                    product_model__category__code="hvac")
                    .select_related("site", "product_model").order_by("serial")):
        if product.site_id not in seen:
            seen.add(product.site_id)
            units.append(product)
    return Customer.objects.get(pk=first["customer_id"]), units[:2]


def _contracts(brand: Organisation, now: dt.datetime, today: dt.date) -> None:
    monday = monday_of(today)
    month = f"{today:%Y%m}"
    found = _enterprise_units(brand)
    if found is not None:
        customer, units = found
        # The category's full plan: it fits every unit of the category (a model's own plan only its model).
        plan = MaintenancePlan.objects.filter(brand=brand, category__code="hvac", tier=Tier.FULL).first()
        if plan is not None and len(units) == 2 and all(fits(plan, u) for u in units):
            contract = create_contract(
                customer=customer, plan=plan, products=units, starts_on=monday - ENTERPRISE_WEEKS_AGO * WEEK,
                kind=ContractKind.ENTERPRISE, sold_via=SoldVia.CONTRACT, number=f"WB-{month}-0001",
                price=Decimal("9600.00") * len(units))
            _history(contract, today)
    demo_customer = Customer.objects.filter(brand=brand, phone=data.CUSTOMER_PHONE).first()
    unit = (InstalledProduct.objects.filter(customer=demo_customer, product_model__category__code="purifier")
            .select_related("product_model", "site", "customer").order_by("serial").first()
            if demo_customer else None)
    if unit is not None:
        plan = _tier_plan(unit, today)
        if plan is not None:
            contract = create_contract(
                customer=demo_customer, plan=plan, products=[unit], starts_on=monday - HOUSEHOLD_WEEKS_AGO * WEEK,
                kind=ContractKind.HOUSEHOLD, sold_via=SoldVia.HOTLINE, number=f"MC-{month}-0001",
                price=_price(unit, plan, today))
            _history(contract, today)
    _order_ahead(brand, now, today)


def _tier_plan(unit: InstalledProduct, today: dt.date) -> MaintenancePlan | None:
    """The plan of the customer's segment's tier for the unit, as the shop offers it (else the first that fits)."""
    offered = plans_for(unit, on=today)
    chosen = [f for f in offered if f.for_segment] or offered
    return chosen[0].plan if chosen else None


def _price(unit: InstalledProduct, plan: MaintenancePlan, today: dt.date) -> Decimal:
    found = [f.price for f in plans_for(unit, on=today) if f.plan.pk == plan.pk and f.price is not None]
    return found[0] if found else Decimal("0.00")


def _history(contract: Contract, today: dt.date) -> None:
    """Visits whose week ended before the last one were done on their week's Wednesday (before the order-ahead job
    existed, so without an order); the last past one is left undone: overdue."""
    past = list(contract.visits.filter(target_week__lte=today - WEEK).order_by("target_week", "pk"))
    last_week = past[-1].target_week if past else None
    for visit in past:
        if visit.target_week != last_week:
            ContractVisit.objects.filter(pk=visit.pk).update(status=VisitStatus.DONE,
                                                             done_on=visit.target_week + dt.timedelta(days=2))


def _order_ahead(brand: Organisation, now: dt.datetime, today: dt.date) -> None:
    """The periodic job as of the demo's day, then its orders stamped as opened at the demo's clock (the service
    stamps the real one): the morning of the demo's day."""
    order_due_visits(today=today)
    ids = list(ContractVisit.objects.filter(contract__brand=brand).exclude(work_order=None).order_by("pk")
               .values_list("work_order_id", flat=True))
    if not ids:
        return
    tz = timezone.get_default_timezone()
    opened = min(now, dt.datetime.combine(today, dt.time(6, 0), tzinfo=tz))
    numbers = allocate_numbers(brand.pk, [opened] * len(ids), tz)
    for order_id, number in zip(ids, numbers, strict=True):
        order = WorkOrder.objects.select_related("customer").get(pk=order_id)
        response_due, onsite_due = due_times_of(order, opened_at=opened)
        WorkOrder.objects.filter(pk=order_id).update(number=number, created_at=opened, updated_at=opened,
                                                     response_due=response_due, onsite_due=onsite_due)
        WorkOrderEvent.objects.filter(work_order_id=order_id).update(created_at=opened)
    align_outbox(ids)
