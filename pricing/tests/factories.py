import datetime as dt

import factory

from accounts.tests.factories import BrandFactory
from catalog.tests.factories import CategoryFactory, PartFactory
from pricing.models import (
    Adjustment,
    CalloutBand,
    LabourPrice,
    PartPrice,
    PriceList,
    WarrantyExtensionTerm,
    WarrantyRule,
    WarrantyTermPrice,
)


class WarrantyRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyRule

    brand = factory.SubFactory(BrandFactory)
    months = 12


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


class ExtensionTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyExtensionTerm

    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory, brand=factory.SelfAttribute("..brand"))
    name = factory.Sequence(lambda n: f"延保 {n}")
    months = 12


class TermPriceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WarrantyTermPrice

    term = factory.SubFactory(ExtensionTermFactory)
    price_list = factory.SubFactory(PriceListFactory, brand=factory.SelfAttribute("..term.brand"))
    amount = "199.00"
