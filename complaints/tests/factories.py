import factory
from django.utils import timezone

from complaints.choices import ComplaintCategory
from complaints.models import Complaint
from customers.tests.factories import CustomerFactory


class ComplaintFactory(factory.django.DjangoModelFactory):
    """A complaint row as stored; tests of behaviour open complaints through complaints.services."""

    class Meta:
        model = Complaint

    customer = factory.SubFactory(CustomerFactory)
    brand = factory.SelfAttribute("customer.brand")
    category = ComplaintCategory.LATENESS
    description = "师傅迟到了两个小时"
    opened_at = factory.LazyFunction(timezone.now)
