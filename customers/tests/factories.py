import datetime as dt

import factory

from accounts.tests.factories import BrandFactory
from catalog.tests.factories import ProductModelFactory
from customers.models import Customer, InstalledProduct, Site


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    phone = factory.Sequence(lambda n: f"+86139{n:08d}")


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site

    customer = factory.SubFactory(CustomerFactory)
    name = "Home"
    address = factory.Sequence(lambda n: f"西湖区文三路 {n} 号")
    latitude = "30.280000"
    longitude = "120.130000"


class InstalledProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InstalledProduct

    customer = factory.SubFactory(CustomerFactory)
    brand = factory.SelfAttribute("customer.brand")
    serial = factory.Sequence(lambda n: f"SN{n:08d}")
    product_model = factory.SubFactory(ProductModelFactory, category__brand=factory.SelfAttribute("...brand"))
    site = factory.SubFactory(SiteFactory, customer=factory.SelfAttribute("..customer"))
    purchase_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=100))
    install_date = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=95))
