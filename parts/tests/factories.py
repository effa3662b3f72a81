"""A stocked world on top of the shared personas (conftest.build_world): warehouses, parts, desks."""

from __future__ import annotations

from types import SimpleNamespace

from django.db import transaction

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, OutletFactory, UserFactory
from network.tests.factories import TechnicianFactory
from parts import services
from parts.services import Line
from pricing.models import Part
from pricing.tests.factories import PartFactory


def member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


def build_stock(w: SimpleNamespace) -> SimpleNamespace:
    """Adds to the world ``w``: a parts clerk, outlet A's dispatcher, every warehouse, four parts, stock.

    Stock: central 500 of each part; store A 20 pumps, 30 filters, 5 boards; tech_a's van 6 pumps,
    10 filters. The rival brand has its own central warehouse, store, van and a part.
    """
    w.clerk = member(w.brand, Role.PARTS_CLERK, "clerk")
    w.desk_a = member(w.outlet_a, Role.OUTLET_DISPATCHER, "desk_a")
    w.pump = PartFactory(brand=w.brand, code="booster-pump", name="增压泵", name_en="Booster pump", family="pump",
                         category=w.category)
    w.filter = PartFactory(brand=w.brand, code="pp-cotton", name="PP棉滤芯", name_en="PP sediment filter",
                           family="filter", category=w.category)
    w.board = PartFactory(brand=w.brand, code="purifier-pcb", name="净水器电脑板", name_en="Control board",
                          family="pcb", category=w.category)
    w.valve = PartFactory(brand=w.brand, code="inlet-valve", name="进水电磁阀", name_en="Inlet valve", family="valve",
                          category=w.category)
    w.central = services.ensure_central(w.brand)
    w.store_a = services.ensure_store(w.outlet_a)
    w.store_b = services.ensure_store(w.outlet_b)
    w.van_a = services.ensure_van(w.tech_a)
    w.van_a2 = services.ensure_van(w.tech_a2)
    w.van_b = services.ensure_van(w.tech_b)
    rival = w.other_brand
    w.rival_outlet = OutletFactory(brand=rival, code="rival-store-outlet")
    w.rival_tech = TechnicianFactory(outlet=w.rival_outlet, name="rival tech",
                                     user=member(w.rival_outlet, Role.TECHNICIAN, "rival_tech"))
    w.rival_part = PartFactory(brand=rival, code="rival-pump", family="pump")
    w.rival_central = services.ensure_central(rival)
    w.rival_store = services.ensure_store(w.rival_outlet)
    w.rival_van = services.ensure_van(w.rival_tech)
    clerk = principal_of(w.clerk)
    with transaction.atomic():
        for part in (w.pump, w.filter, w.board, w.valve):
            services.receive_stock(warehouse=w.central, part=part, quantity=500, actor=clerk, reason="factory")
        services.transfer_stock(source=w.central, target=w.store_a, actor=clerk, lines=[
            Line(w.pump, 26), Line(w.filter, 40), Line(w.board, 5)])
        services.transfer_stock(source=w.store_a, target=w.van_a, actor=clerk, lines=[
            Line(w.pump, 6), Line(w.filter, 10)])
        services.receive_stock(warehouse=w.rival_central, part=w.rival_part, quantity=50,
                               actor=principal_of(member(rival, Role.PARTS_CLERK, "rival_clerk")))
    return w


def parts_of(w) -> list[Part]:
    return [w.pump, w.filter, w.board, w.valve]
