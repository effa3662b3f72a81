"""The shared test world made ready for settlement: a finance user, a published tariff for purifier repairs, and
a helper that completes an order at a chosen moment of a month."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from catalog.choices import ServiceType
from core.dates import brand_tz
from settlement.models import Tariff, TariffFee
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.tests.factories import make_order

PERIOD = dt.date(2026, 11, 1)


def prepare_settlement(world):
    world.finance = UserFactory(username="finance")
    MembershipFactory(user=world.finance, organisation=world.brand, role=Role.FINANCE)
    world.tariff = Tariff.objects.create(
        brand=world.brand, name="2026", valid_from=dt.date(2026, 1, 1), valid_to=dt.date(2026, 12, 31),
        is_published=True, free_km=Decimal("10.0"), per_km=Decimal("1.50"), travel_cap=Decimal("60.00"),
        night_surcharge=Decimal("30.00"), holiday_surcharge=Decimal("20.00"), remote_surcharge=Decimal("15.00"),
        failed_visit_fee=Decimal("25.00"))
    world.fee_any = TariffFee.objects.create(tariff=world.tariff, service_type=ServiceType.REPAIR,
                                             fee=Decimal("80.00"))
    world.fee_category = TariffFee.objects.create(tariff=world.tariff, service_type=ServiceType.REPAIR,
                                                  category=world.category, fee=Decimal("100.00"))
    world.fee_partner = TariffFee.objects.create(tariff=world.tariff, service_type=ServiceType.REPAIR,
                                                 category=world.category, outlet_type="partner",
                                                 fee=Decimal("90.00"))
    return world


def completed(world, *, outlet=None, technician=None, at: dt.datetime | None = None, status=Status.COMPLETED,
              **kw) -> WorkOrder:
    """An order completed through the real lifecycle, its completion then moved to ``at`` (local time)."""
    technician = technician or (world.tech_b if outlet == world.outlet_b else world.tech_a)
    order = make_order(world, status=status, outlet=outlet or world.outlet_a, technician=technician, **kw)
    at = at or dt.datetime(2026, 11, 10, 14, 0, tzinfo=brand_tz())
    WorkOrder.objects.filter(pk=order.pk).update(completed_at=at, arrived_at=at - dt.timedelta(hours=1))
    order.refresh_from_db()
    return order
