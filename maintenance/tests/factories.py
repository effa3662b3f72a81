import datetime as dt

import factory

from catalog.tests.factories import PartFactory
from maintenance.choices import Tier
from maintenance.models import ConsumableRule, MaintenancePlan, PlanPrice

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
