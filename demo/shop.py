"""Demo shop (issue 16): ``seed_shop(brand, now=...)`` (called by the demo command; safe to run twice).

What the shop needs and the maintenance parts may not have seeded yet (consumable rules for the purifiers'
filters; a plan of each tier for purifiers, priced on today's list), then shop orders in every state, placed and
moved on through the real services: the WeChat Pay ones paid through the WeChat Pay stand-in (prepay over signed
HTTP, paid at its cashier, the payment read back with the platform-signed query), the others recorded by the desk.
Some come from a filter reminder, so the conversion report has reminders sent → visits or orders → revenue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from accounts.models import Organisation, User
from accounts.principal import principal_of, system_principal
from catalog.models import Part
from core.wechatpay import WeChatPayBackend, new_key_pair
from core.wechatpay_standin import WeChatPayStandIn
from customers.models import Customer, InstalledProduct
from demo import data
from maintenance.choices import ReminderStatus, ScheduleKind, Tier
from maintenance.models import ConsumableRule, MaintenancePlan, PlanPrice, Reminder, Schedule
from parts.models import StockMove
from pricing.selectors import price_list_on
from shop import services
from shop.choices import Delivery, LineKind, OrderStatus
from shop.models import ShopOrder, ShopOrderEvent, ShopPayment
from shop.selectors import offers_for
from workorders.models import WorkOrder, WorkOrderEvent

# part code, months, litres, the customer may replace it
RULES = [("pp-cotton", 6, 2000, True), ("pre-carbon", 6, None, True), ("post-carbon", 12, None, True),
         ("uf-membrane", 24, None, True), ("ro-membrane", 24, None, False)]
# tier, name, what is done, price
PLANS = [(Tier.BASIC, "净水器基础保养", "更换PP棉, 检查漏水; 400热线应急服务", "199.00"),
         (Tier.STANDARD, "净水器标准保养", "更换前后置滤芯, 清洗水路, 检测TDS", "329.00"),
         (Tier.FULL, "净水器全面保养", "更换全部滤芯, 消毒水路, 优先响应", "599.00")]
MCH_ID, APP_ID, MCH_SERIAL = "1900000109", "wx8888888888888888", "3775B6A45ACD588826D15E583A95F5DD"
API_V3_KEY = "aqualifeDemoApiV3Key0123456789ab"
NOWHERE = "http://127.0.0.1:9/api/v1/shop/payments/wechat/notify"  # the demo is built before any server runs


def _rules_and_plans(brand: Organisation, today: dt.date) -> None:
    parts = {p.code: p for p in Part.objects.filter(brand=brand, code__in=[r[0] for r in RULES])}
    category = next((p.category for p in parts.values() if p.category_id), None)
    if category is None:
        return
    for code, months, litres, self_replaceable in RULES:
        # Another part of the demo (the reminders') may have ruled the part already: theirs stands.
        if code in parts and not ConsumableRule.objects.filter(brand=brand, part=parts[code]).exists():
            ConsumableRule.objects.create(brand=brand, part=parts[code], category=category, months=months,
                                          litres=litres, self_replaceable=self_replaceable)
    price_list = price_list_on(brand_id=brand.pk, day=today)
    if MaintenancePlan.objects.filter(brand=brand, category=category).exclude(name__in=[p[1] for p in PLANS]).exists():
        return  # the contracts' part of the demo has its plans for purifiers
    for tier, name, tasks, price in PLANS:
        plan, _new = MaintenancePlan.objects.get_or_create(brand=brand, name=name, defaults={
            "tier": tier, "category": category, "tasks": tasks, "interval_months": 6, "visits_per_year": 2,
            "hotline_emergency": tier == Tier.BASIC, "priority_response": tier == Tier.FULL})
        PlanPrice.objects.get_or_create(plan=plan, price_list=price_list, region=None,
                                        defaults={"amount": Decimal(price)})


def _reminder(product: InstalledProduct, part_code: str, at: dt.datetime, sequence: int = 1) -> Reminder | None:
    rule = ConsumableRule.objects.filter(brand_id=product.brand_id, part__code=part_code).first()
    if rule is None:
        return None
    schedule, _new = Schedule.objects.get_or_create(product=product, rule=rule, defaults={
        "brand_id": product.brand_id, "customer_id": product.customer_id, "kind": ScheduleKind.CONSUMABLE,
        "due_on": timezone.localdate(at) + dt.timedelta(days=7)})
    return Reminder.objects.create(brand_id=product.brand_id, customer_id=product.customer_id, schedule=schedule,
                                   due_on=schedule.due_on, sequence=sequence, sent_at=at,
                                   segment=product.customer.segment,
                                   region_id=product.site.region_id if product.site_id else None)


class _Cashier:
    """The WeChat Pay stand-in for the demo's own payments: our backend prepays over signed HTTP, the customer
    pays at its cashier, and the payment is read back with the platform-signed query (no web server runs yet
    to take its callback)."""

    def __enter__(self) -> _Cashier:
        private, public = new_key_pair()
        self.stand_in = WeChatPayStandIn(mchid=MCH_ID, appid=APP_ID, merchant_serial=MCH_SERIAL,
                                         merchant_public_key=public, api_v3_key=API_V3_KEY).start()
        self.config = {"URL": self.stand_in.url, "MCH_ID": MCH_ID, "APP_ID": APP_ID, "SERIAL_NO": MCH_SERIAL,
                       "PRIVATE_KEY": private, "PLATFORM_SERIAL": self.stand_in.platform_serial,
                       "PLATFORM_PUBLIC_KEY": self.stand_in.platform_public_key, "API_V3_KEY": API_V3_KEY,
                       "TIMEOUT": 5}
        return self

    def __exit__(self, *exc: object) -> None:
        self.stand_in.stop()

    def pay(self, order: ShopOrder, customer: Customer) -> ShopOrder:
        with override_settings(PAYMENT_BACKEND="core.wechatpay.WeChatPayBackend", WECHATPAY=self.config):
            services.start_payment(order=order, actor=principal_of(customer.user) if customer.user_id
                                   else system_principal(order.brand_id),
                                   notify_url=NOWHERE)
            self.stand_in.pay(order.number)
            return services.confirm_payment(result=WeChatPayBackend(self.config).query(order.number))


def _backdate(order: ShopOrder, at: dt.datetime) -> None:
    """The demo's story happened over the past days: its rows say so (the services stamp the present)."""
    ShopOrder.objects.filter(pk=order.pk).update(created_at=at, paid_at=at + dt.timedelta(minutes=3)
                                                 if order.paid_at else None)
    ShopPayment.objects.filter(order=order).update(paid_at=at + dt.timedelta(minutes=3))
    StockMove.objects.filter(reason__startswith=f"shop {order.number}").update(created_at=at)
    for i, event in enumerate(ShopOrderEvent.objects.filter(order=order).order_by("pk")):
        ShopOrderEvent.objects.filter(pk=event.pk).update(created_at=at + dt.timedelta(minutes=3, hours=i * 20))
    order.refresh_from_db()
    if order.work_order_id:
        WorkOrder.objects.filter(pk=order.work_order_id).update(created_at=at + dt.timedelta(minutes=3))
        WorkOrderEvent.objects.filter(work_order_id=order.work_order_id).update(
            created_at=at + dt.timedelta(minutes=3))


def seed_shop(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    _rules_and_plans(brand, today)
    if ShopOrder.objects.filter(brand=brand).exists():
        return _counts(brand)
    desk = User.objects.filter(username="dispatcher").first() or User.objects.filter(username="admin").first()
    if desk is None or principal_of(desk) is None:
        return _counts(brand)
    staff = principal_of(desk)
    pool = (InstalledProduct.objects.filter(brand=brand, product_model__category__code="purifier")
            .exclude(customer__phone=data.CUSTOMER_PHONE).select_related("customer", "site").order_by("serial"))
    models = sorted(set(pool.values_list("product_model_id", flat=True)))
    others = [p for model_id in models for p in pool.filter(product_model_id=model_id)[:6]]
    mine = InstalledProduct.objects.filter(brand=brand, customer__phone=data.CUSTOMER_PHONE,
                                           product_model__category__code="purifier").select_related(
        "customer", "site").order_by("serial").first()
    by_model: dict[int, list[InstalledProduct]] = {}
    for product in others:
        by_model.setdefault(product.product_model_id, []).append(product)
    others = [p for batch in zip(*by_model.values(), strict=False) for p in batch]
    if mine is None or len(others) < 12:
        return _counts(brand)

    def items_for(product: InstalledProduct, wants: list[str]) -> list[services.Item]:
        """What the unit's shop offers: "filter" (one it may replace itself, twice), "extra" (another),
        "fitted" (one a technician fits), "plan" (the plan of the customer's tier); [] if one is missing."""
        offers = offers_for(product, on=today)
        own = [o for o in offers if o.kind == LineKind.PART and o.self_replaceable and o.in_stock]
        pick = {"filter": own[:1], "extra": own[1:2],
                "fitted": [o for o in offers if o.kind == LineKind.PART and not o.self_replaceable][:1],
                "plan": [o for o in offers if o.kind == LineKind.PLAN and o.recommended][:1]}
        if not all(pick[want] for want in wants):
            return []
        return [services.Item(o.kind, o.ref, 2 if want == "filter" else 1) for want in wants for o in pick[want]]

    def take(wants: list[str]) -> tuple[InstalledProduct, list[str]]:
        """The next unit of the pool whose shop offers all of ``wants`` (else the first of them)."""
        for tried in (wants, wants[:1]):
            for product in list(others):
                if items_for(product, tried):
                    others.remove(product)
                    return product, tried
        raise LookupError(wants)

    def place(product: InstalledProduct, wants: list[str], *, delivery: str = Delivery.COURIER,
              reminder: Reminder | None = None) -> ShopOrder:
        items = items_for(product, wants)
        customer = product.customer
        actor = principal_of(customer.user) if customer.user_id else staff
        return services.place_order(actor=actor, customer=customer, product=product, items=items,
                                    delivery=delivery, address=product.site.address if product.site_id else "上门自取",
                                    reminder_token=reminder.token if reminder else "")

    made: list[tuple[ShopOrder, dt.datetime]] = []
    with _Cashier() as cashier, transaction.atomic():
        # The demo customer: one waiting for payment, one on its way (paid by WeChat Pay, from a reminder).
        at = now - dt.timedelta(days=3)
        reminder = _reminder(mine, "pp-cotton", at - dt.timedelta(days=1))
        order = cashier.pay(place(mine, ["filter", "extra"], reminder=reminder), mine.customer)
        made.append((services.ship(order=order, actor=staff, waybill="SF1402876539210"), at))
        made.append((place(mine, ["extra"]), now))
        # Others: every other state. (Not "installed" nor a plan: they book a real visit or sign a contract, whose
        # numbers, timelines and messages are the present's, not the demo's story time; shop/tests has both.)
        story = [
            ("paid", ["filter"], Delivery.COURIER, True),
            ("delivered", ["filter", "extra"], Delivery.COURIER, True),
            ("done", ["filter"], Delivery.COURIER, True),
            ("cancelled", ["extra"], Delivery.COURIER, False),
        ]
        for i, (state, items, delivery, from_reminder) in enumerate(story):
            product, items = take(items)
            at = now - dt.timedelta(days=12 - i)
            reminder = _reminder(product, "pp-cotton", at - dt.timedelta(days=2)) if from_reminder else None
            order = place(product, items, delivery=delivery, reminder=reminder)
            if state == "cancelled":
                made.append((services.cancel(order=order, actor=staff, reason="客户改为线下购买"), at))
                continue
            if state == "delivered":  # the recorded path: the courier took the money at the door
                order = services.record_payment(order=order, actor=staff, method="on_delivery", amount=order.total,
                                                note="快递代收货款")
            else:
                order = cashier.pay(order, product.customer)
            if state in ("delivered", "done"):
                order = services.ship(order=order, actor=staff, waybill=f"SF14028765{i:05d}")
                order = services.mark_delivered(order=order, actor=staff)
            if state == "done":
                order = services.close(order=order, actor=staff)
            made.append((order, at))
        # Reminders that led nowhere yet, and one that booked a visit, for the conversion report.
        for i, product in enumerate(others[:6]):
            reminder = _reminder(product, "pp-cotton", now - dt.timedelta(days=5 + i))
            visit = WorkOrder.objects.filter(product=product).order_by("pk").first() if i == 0 else None
            if reminder is not None and visit is not None:
                Reminder.objects.filter(pk=reminder.pk).update(work_order=visit, status=ReminderStatus.BOOKED,
                                                               acted_at=reminder.sent_at)
        for order, at in made:
            _backdate(order, at)
    return _counts(brand)


def _counts(brand: Organisation) -> dict[str, int]:
    return {"shop_orders": ShopOrder.objects.filter(brand=brand).count(),
            "shop_paid": ShopOrder.objects.filter(brand=brand).exclude(
                status__in=[OrderStatus.AWAITING_PAYMENT, OrderStatus.CANCELLED]).count()}
