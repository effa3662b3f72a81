import datetime as dt

import factory

from accounts.tests.factories import BrandFactory, OutletFactory, UserFactory
from network.models import Certification, Region, Skill, Technician


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    brand = factory.SubFactory(BrandFactory)
    code = factory.Sequence(lambda n: f"region-{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    province = "浙江"
    latitude = "30.274084"
    longitude = "120.155070"


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill

    brand = factory.SubFactory(BrandFactory)
    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.Sequence(lambda n: f"Skill {n}")


class TechnicianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Technician

    user = factory.SubFactory(UserFactory)
    outlet = factory.SubFactory(OutletFactory)
    name = factory.Sequence(lambda n: f"Technician {n}")
    home_latitude = "30.280000"
    home_longitude = "120.160000"


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    technician = factory.SubFactory(TechnicianFactory)
    skill = factory.SubFactory(SkillFactory)
    valid_from = factory.LazyFunction(lambda: dt.date.today() - dt.timedelta(days=365))
    expires_on = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=365))
