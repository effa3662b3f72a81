import factory

from accounts.tests.factories import BrandFactory
from catalog.models import Part, ProductCategory, ProductModel, Symptom


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory

    brand = factory.SubFactory(BrandFactory)
    code = factory.Sequence(lambda n: f"cat-{n}")
    name = factory.Sequence(lambda n: f"Category {n}")


class ProductModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductModel

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"M{n:04d}")
    name = factory.Sequence(lambda n: f"Purifier {n}")
    warranty_months = 12
    list_price = "1999.00"


class PartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Part

    brand = factory.SubFactory(BrandFactory)
    code = factory.Sequence(lambda n: f"part-{n}")
    name = factory.Sequence(lambda n: f"配件 {n}")
    name_en = factory.Sequence(lambda n: f"Part {n}")


class SymptomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Symptom

    category = factory.SubFactory(CategoryFactory)
    code = factory.Sequence(lambda n: f"symptom-{n}")
    name = factory.Sequence(lambda n: f"故障 {n}")
    name_en = factory.Sequence(lambda n: f"Fault {n}")
