import factory

from catalog.tests.factories import PartFactory
from maintenance.choices import Tier
from maintenance.models import ConsumableRule, MaintenancePlan, PlanPrice


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
