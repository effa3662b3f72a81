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
    category = ComplaintCategory.NO_SHOW
    description = "师傅迟到了两个小时"
    opened_at = factory.LazyFunction(timezone.now)


def access_probes(w, order_a, order_b, rival_order) -> dict[str, dict[str, int]]:
    """For core/tests/test_access.py: per persona, a complaint it must not see.

    A complaint about ``order_a`` (the customer's, outlet A, tech_a), one about ``order_b`` (the other customer's,
    outlet B, tech_b) and one of the rival brand's; opened by each brand's system, as another app would.
    """
    from accounts.principal import system_principal
    from complaints.services import open_complaint

    made = {}
    for key, order in (("a", order_a), ("b", order_b), ("rival", rival_order)):
        made[key] = open_complaint(actor=system_principal(order.brand_id), customer=order.customer, order=order,
                                   category="other", description=f"probe {key}").pk
    a, b, rival = made["a"], made["b"], made["rival"]
    return {
        "dispatcher": {"complaint_id": rival}, "hotline": {"complaint_id": rival}, "analyst": {"complaint_id": rival},
        "manager_a": {"complaint_id": b}, "manager_b": {"complaint_id": a}, "tech_a": {"complaint_id": b},
        "tech_a2": {"complaint_id": a},  # a colleague's job
        "tech_b": {"complaint_id": a}, "customer": {"complaint_id": b}, "other_customer": {"complaint_id": a},
        "rival_dispatcher": {"complaint_id": a},
    }


def snapshot():
    from complaints.models import Complaint, ComplaintEvent

    return (list(Complaint.objects.order_by("pk").values_list("pk", "status", "escalation_level", "outcome")),
            ComplaintEvent.objects.count())
