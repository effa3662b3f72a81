import datetime as dt

import factory
from django.utils import timezone

from catalog.tests.factories import PartFactory
from maintenance.choices import Tier
from maintenance.models import ConsumableRule, MaintenancePlan, PlanPrice, Reminder, Schedule

START = dt.date(2027, 1, 4)


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MaintenancePlan

    brand = factory.SelfAttribute("category.brand")
    name = factory.Sequence(lambda n: f"保养计划 {n}")
    tier = Tier.STANDARD
    category = None
    product_model = None
    tasks = "清洗、检测、更换滤芯"
    interval_months = 6
    visits_per_year = 2
    standard_minutes = 90
    term_months = 12


class PlanPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanPrice

    plan = factory.SubFactory(PlanFactory)
    region = None
    amount = "199.00"


class ConsumableRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsumableRule

    brand = factory.SubFactory("accounts.tests.factories.BrandFactory")
    part = factory.SubFactory(PartFactory, brand=factory.SelfAttribute("..brand"))
    months = 6
    lead_days = 14
    repeat_after_days = 7
    max_reminders = 3


def access_probes(w, order_a, order_b, rival_order) -> dict[str, dict[str, int]]:
    """For core/tests/test_access.py: per persona, a contract and a plan it must not see.

    A contract of the customer (on order A's unit), of the other customer (order B's) and of the rival brand's
    customer; a plan of the brand and one of the rival. Contracts are the brand's and their customer's only:
    outlet staff and technicians see none, so any contract is foreign to them.
    """
    from catalog.tests.factories import CategoryFactory
    from maintenance.choices import ContractKind, SoldVia
    from maintenance.contracts import create_contract

    def contract(order, plan):
        return create_contract(customer=order.customer, plan=plan, products=[order.product], starts_on=START,
                               kind=ContractKind.HOUSEHOLD, sold_via=SoldVia.HOTLINE, price="199.00").pk

    plan = PlanFactory(category=w.category)
    rival_plan = PlanFactory(category=CategoryFactory(brand=rival_order.brand, code="rival-mc"))
    rival_order.product.product_model.category = rival_plan.category
    rival_order.product.product_model.save()
    own, other, rival = contract(order_a, plan), contract(order_b, plan), contract(rival_order, rival_plan)
    brand_wide = {"contract_id": rival, "plan_id": rival_plan.pk}
    outlet = {"contract_id": own, "plan_id": rival_plan.pk}
    return {
        "dispatcher": brand_wide, "hotline": brand_wide, "analyst": brand_wide,
        "manager_a": outlet, "manager_b": outlet, "tech_a": outlet, "tech_a2": outlet,
        "tech_b": {"contract_id": other, "plan_id": rival_plan.pk},
        "customer": {"contract_id": other, "plan_id": plan.pk},
        "other_customer": {"contract_id": own, "plan_id": plan.pk},
        "rival_dispatcher": {"contract_id": own, "plan_id": plan.pk},
    }


def reminder_for(product, *, code: str = "probe-pp"):
    """A consumable rule for the product's category, its schedule and a sent reminder (made directly)."""
    brand = product.brand
    rule = ConsumableRuleFactory(brand=brand, part=PartFactory(brand=brand, code=code),
                                 category=product.product_model.category)
    schedule = Schedule.objects.create(brand=brand, customer=product.customer, product=product, kind="consumable",
                                       rule=rule, due_on=timezone.localdate() + dt.timedelta(days=7))
    return Reminder.objects.create(brand=brand, customer=product.customer, schedule=schedule,
                                   due_on=schedule.due_on, sent_at=timezone.now())


def reminder_access_probes(w, rival_product) -> tuple[dict[str, dict[str, int]], dict[str, set[int]]]:
    """For core/tests/test_access.py: per persona, a reminder it must not see, and the reminders it must list.

    One reminder for the customer's unit, one for the other customer's, one for the rival brand's customer's.
    The brand's staff see the brand's; outlets and technicians see none (reminders are the brand's and the
    customer's business); a customer sees their own."""
    mine, theirs = reminder_for(w.product), reminder_for(w.other_product, code="probe-pp-2")
    rival = reminder_for(rival_product, code="probe-rival")
    brand = {"dispatcher", "hotline", "analyst"}
    foreign = {persona: {"reminder_id": rival.pk if persona in brand else mine.pk}
               for persona in ("dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_a2",
                               "tech_b", "other_customer", "rival_dispatcher")}
    foreign["customer"] = {"reminder_id": theirs.pk}
    own = {persona: set() for persona in foreign}
    own.update({p: {mine.pk, theirs.pk} for p in brand})
    own.update(customer={mine.pk}, other_customer={theirs.pk}, rival_dispatcher={rival.pk})
    return foreign, own


def reminder_snapshot():
    return (list(Reminder.objects.order_by("pk").values_list("pk", "status", "work_order_id")),
            list(Schedule.objects.order_by("pk").values_list("pk", "due_on", "version")))
