import factory

from accounts.tests.factories import BrandFactory
from catalog.models import ProductCategory, ProductModel


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
