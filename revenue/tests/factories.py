import datetime as dt
from decimal import Decimal

import factory

from accounts.principal import principal_of
from revenue import services
from revenue.choices import DEFAULT_QUEUE
from revenue.consent import consent_wording
from revenue.models import CommissionRule
from workorders.choices import Status
from workorders.tests.factories import make_order


class RuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommissionRule

    kind = "extended_warranty"
    queue = factory.LazyAttribute(lambda o: DEFAULT_QUEUE[o.kind])
    percent = Decimal("10.00")
    fixed_amount = Decimal("0.00")
    valid_from = dt.date(2020, 1, 1)


def lead_on(world, *, kind="extended_warranty", order=None, technician=None, **kw):
    """A lead recorded through the real service by the technician on site (tech_a unless told)."""
    technician = technician or world.tech_a
    if order is None:
        extra = {}
        if technician == world.tech_b:
            extra = dict(customer=world.other_customer, product=world.other_product, outlet=world.outlet_b)
        order = make_order(world, status=Status.ON_SITE, technician=technician, **extra)
    order.refresh_from_db()
    return services.record_lead(
        actor=principal_of(technician.user), order=order, kind=kind, consent=True,
        consented_by=kw.pop("consented_by", order.customer.name),
        consent_wording=kw.pop("consent_wording", consent_wording(brand_name=order.brand.name, kind=kind)), **kw,
    )


def _probe_lead(order, *, kind, queue, technician, outlet):
    from revenue.models import Lead

    return Lead.objects.create(
        brand_id=order.brand_id, outlet=outlet, queue=queue, kind=kind, work_order=order,
        customer_id=order.customer_id, technician=technician, contact_phone="+8613900000009",
        consented_by="probe", consent_at=order.created_at, consent_text="probe", consent_language="en",
        created_at=order.created_at,
    )


def _probe_commission(lead):
    from revenue.models import Commission

    return Commission.objects.create(lead=lead, brand_id=lead.brand_id, outlet_id=lead.outlet_id,
                                     technician_id=lead.technician_id, base_value=Decimal("100.00"),
                                     percent=Decimal("10.00"), fixed_amount=Decimal("0.00"),
                                     amount=Decimal("10.00"), earned_at=lead.created_at)


def access_probes(w, order_a, order_b, rival_order) -> dict[str, dict[str, int]]:
    """For core/tests/test_access.py: per persona, a lead and a commission it must not see.

    Leads on ``order_a`` in the brand's queue and in outlet A's (tech_a), on ``order_b`` in outlet B's
    (tech_b), and on ``rival_order`` (the rival brand's); a commission on the brand-queue lead of order A,
    on order B's and on the rival's. The rows are made directly: probes need them whatever the orders' status.
    """
    from network.models import Technician

    rival_tech = Technician.objects.filter(outlet__brand=rival_order.brand).first()
    brand_a = _probe_lead(order_a, kind="extended_warranty", queue="brand", technician=w.tech_a, outlet=w.outlet_a)
    outlet_a = _probe_lead(order_a, kind="filter_subscription", queue="outlet", technician=w.tech_a,
                           outlet=w.outlet_a)
    outlet_b = _probe_lead(order_b, kind="trade_in", queue="outlet", technician=w.tech_b, outlet=w.outlet_b)
    rival = _probe_lead(rival_order, kind="upgrade", queue="brand", technician=rival_tech,
                        outlet=rival_tech.outlet)
    paid_a, paid_b, paid_rival = (_probe_commission(lead).pk for lead in (brand_a, outlet_b, rival))
    brand_wide = {"lead_id": outlet_a.pk, "commission_id": paid_rival}  # brand staff see the brand's queue only
    return {
        "dispatcher": brand_wide, "hotline": brand_wide, "analyst": brand_wide,
        "manager_a": {"lead_id": brand_a.pk, "commission_id": paid_b},  # its own order, but the brand's queue
        "manager_b": {"lead_id": outlet_a.pk, "commission_id": paid_a},
        "tech_a": {"lead_id": outlet_b.pk, "commission_id": paid_b},
        "tech_a2": {"lead_id": brand_a.pk, "commission_id": paid_a},    # a colleague's lead and pay
        "tech_b": {"lead_id": outlet_a.pk, "commission_id": paid_a},
        "customer": {"lead_id": brand_a.pk, "commission_id": paid_a},   # a lead on their own order
        "other_customer": {"lead_id": outlet_b.pk, "commission_id": paid_b},
        "rival_dispatcher": {"lead_id": brand_a.pk, "commission_id": paid_a},
    }


def snapshot():
    from revenue.models import Commission, Lead, LeadEvent

    return (list(Lead.objects.order_by("pk").values_list("pk", "status", "version", "value")),
            list(Commission.objects.order_by("pk").values_list("pk", "amount")), LeadEvent.objects.count())
