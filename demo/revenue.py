"""Demo sales on site: ``seed_revenue(brand, now=...)`` (called by the demo command; safe to run twice).

The brand's commission rules (extended warranty in two versions: the earlier 6 % ended last month), and
leads the demo technician recorded on finished jobs, worked through the real workflow: some won (this
month and last, so the earnings page has both), one contacted, one lost, one new in each queue.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation

from accounts.models import Organisation, User
from accounts.principal import principal_of
from core.dates import add_months
from pricing.extended import offers_for
from revenue import workflow
from revenue.consent import consent_wording
from revenue.models import Commission, CommissionRule, Lead, LeadEvent
from revenue.selectors import queue_for
from workorders.choices import Status
from workorders.models import WorkOrder

# kind, queue, percent, fixed
RULES = [
    ("filter_subscription", "outlet", "10.00", "0.00"),
    ("extended_warranty", "brand", "8.00", "20.00"),
    ("trade_in", "outlet", "0.00", "50.00"),
    ("upgrade", "brand", "3.00", "0.00"),
]
# kind, what happens (None: still new), value or reason, note
LEADS = [
    ("extended_warranty", "win", "1280.00", "客户想给净水器加三年延保"),
    ("filter_subscription", "win", "598.00", "每半年换一次滤芯，想包年"),
    ("trade_in", "win", "300.00", "旧热水器想以旧换新"),
    ("upgrade", "contact", "", "想了解带 UV 杀菌的新款"),
    ("filter_subscription", "lose", "客户已在网上买了滤芯", ""),
    ("extended_warranty", None, "", "晚上七点后方便接电话"),
    ("trade_in", None, "", ""),
]


def seed_revenue(brand: Organisation, *, now: dt.datetime) -> dict[str, int]:
    today = timezone.localdate(now)
    if not CommissionRule.objects.filter(brand=brand).exists():
        first_of_month = today.replace(day=1)
        CommissionRule.objects.create(brand=brand, kind="extended_warranty", queue="brand", percent=Decimal("6.00"),
                                      valid_from=add_months(first_of_month, -12),
                                      valid_to=add_months(first_of_month, -1) - dt.timedelta(days=1))
        for kind, queue, percent, fixed in RULES:
            CommissionRule.objects.create(brand=brand, kind=kind, queue=queue, percent=Decimal(percent),
                                          fixed_amount=Decimal(fixed), valid_from=add_months(first_of_month, -1))
    tech = User.objects.filter(username="tech").first()
    if tech is not None and not Lead.objects.filter(brand=brand).exists():
        _leads(brand, tech, now)
    return {"commission_rules": CommissionRule.objects.filter(brand=brand).count(),
            "leads": Lead.objects.filter(brand=brand).count()}


def _leads(brand: Organisation, tech_user: User, now: dt.datetime) -> None:
    seat = principal_of(tech_user)
    if seat is None or not seat.is_technician:
        return
    # The demo technician's finished jobs; other technicians' of the same outlet when they have too few.
    finished = WorkOrder.objects.filter(brand=brand, status__in=[Status.COMPLETED, Status.CLOSED],
                                        technician__outlet_id=seat.outlet_id).select_related(
        "brand", "customer", "technician").order_by("-completed_at")
    pool = (list(finished.filter(technician_id=seat.technician_id))
            + list(finished.exclude(technician_id=seat.technician_id)))
    jobs = pool[:len(LEADS)]
    # The extended-warranty lead that is won (the first) is on a unit that can still buy one: winning sells it.
    today = timezone.localdate(now)
    fitting = next((o for o in pool[:80] if o.product_id and offers_for(product=o.product, on=today)), None)
    if fitting is not None:
        jobs = [fitting, *(o for o in jobs if o.pk != fitting.pk)][:len(LEADS)]
    desks = {"brand": principal_of(User.objects.filter(username="hotline").first()),
             "outlet": principal_of(User.objects.filter(username="outlet_manager").first())}
    with translation.override("zh-hans"):
        for index, (order, (kind, step, detail, note)) in enumerate(zip(jobs, LEADS, strict=False)):
            lead = _recorded_on_site(order, kind=kind, note=note, at=min(order.completed_at, now))
            desk = desks.get(lead.queue)
            if step is None or desk is None:
                continue
            lead.refresh_from_db()
            kwargs = {"value": detail} if step == "win" else {"reason": detail} if step == "lose" else {}
            if step == "win" and kind == "extended_warranty" and order.product_id is not None:
                # Winning it sells the unit's extended warranty: the term the customer chose, at its price.
                offers = offers_for(product=order.product, on=timezone.localdate(now))
                if not offers:
                    continue
                kwargs = {"term_id": offers[-1].term.pk}
            workflow.transition(lead, step, actor=desk, **kwargs)
            if step == "win" and index == 2:
                # One of them was won last month: the earnings page shows both months.
                with transaction.atomic():
                    Commission.objects.filter(lead=lead).update(earned_at=now - dt.timedelta(days=32))


def _recorded_on_site(order: WorkOrder, *, kind: str, note: str, at: dt.datetime) -> Lead:
    """The lead as revenue.services.record_lead records it on site (these jobs are finished by now, so the
    service, which takes leads on a job in progress or just completed, cannot be asked any more)."""
    wording = consent_wording(brand_name=order.brand.name, kind=kind)
    lead = Lead.objects.create(
        brand_id=order.brand_id, outlet_id=order.technician.outlet_id,
        queue=queue_for(brand_id=order.brand_id, kind=kind, day=timezone.localdate(at)), kind=kind, work_order=order,
        customer_id=order.customer_id, technician=order.technician, note=note, contact_phone=order.customer.phone,
        consented_by=order.customer.name, consent_at=at, consent_text=wording, consent_language="zh-hans",
        recorded_by=order.technician.user, created_at=at,
    )
    LeadEvent.objects.create(lead=lead, action="record", to_status="new", actor=order.technician.user,
                             actor_role="technician", note=note, created_at=at,
                             data={"queue": lead.queue, "consented_by": lead.consented_by})
    return lead
