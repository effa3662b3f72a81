import datetime as dt

import factory

from accounts.tests.factories import BrandFactory
from catalog.tests.factories import CategoryFactory
from pricing.models import (
    Adjustment,
    CalloutBand,
    LabourPrice,
    Part,
    PartPrice,
    PriceList,
    Symptom,
    WarrantyRule,
)


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part

    brand = factory.SubFactory(BrandFactory)
    code = factory.Sequence(lambda n: f"part-{n}")
    name = factory.Sequence(lambda n: f"配件 {n}")
    name_en = factory.Sequence(lambda n: f"Part {n}")


class WarrantyRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyRule

    brand = factory.SubFactory(BrandFactory)
    months = 12


class SymptomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Symptom

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"symptom-{n}")
    name = factory.Sequence(lambda n: f"故障 {n}")
    name_en = factory.Sequence(lambda n: f"Fault {n}")


class PriceListFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriceList

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"价目表 {n}")
    valid_from = dt.date(2025, 1, 1)
    valid_to = None
    is_published = True


class LabourPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LabourPrice

    price_list = factory.SubFactory(PriceListFactory)
    category = factory.SubFactory(CategoryFactory, brand=factory.SelfAttribute("..price_list.brand"))
    service_type = "repair"
    amount = "80.00"


class CalloutBandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CalloutBand

    price_list = factory.SubFactory(PriceListFactory)
    up_to_km = "10.0"
    amount = "0.00"


class PartPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartPrice

    price_list = factory.SubFactory(PriceListFactory)
    part = factory.SubFactory(PartFactory, brand=factory.SelfAttribute("..price_list.brand"))
    amount = "39.00"


class AdjustmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Adjustment

    price_list = factory.SubFactory(PriceListFactory)
    applies_to = "labour"
    percent = "-10.00"
