"""A stocked world on top of the shared personas (conftest.build_world): warehouses, parts, desks."""

from __future__ import annotations

from types import SimpleNamespace

from django.db import transaction

from accounts.choices import Role
from accounts.principal import principal_of
from accounts.tests.factories import MembershipFactory, OutletFactory, UserFactory
from catalog.models import Part
from catalog.tests.factories import PartFactory
from network.tests.factories import TechnicianFactory
from parts import services
from parts.services import Line
from workorders import services as order_services
from workorders import workflow


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


def rival_job(w, order=None):
    """An order of the rival brand (``order``, or a new one) accepted by the rival's technician."""
    rival_desk = principal_of(w.rival_dispatcher)
    if order is None:
        order = order_services.create_work_order(actor=rival_desk, customer=w.rival_customer, type="repair",
                                                  channel="hotline")
    if order.product_id:
        order.product.product_model.category.authorised_outlets.add(w.rival_outlet)
    order = workflow.transition(order, "assign", actor=rival_desk, outlet=w.rival_outlet)
    order = workflow.transition(order, "dispatch", actor=rival_desk, technician=w.rival_tech)
    return workflow.transition(order, "accept", actor=principal_of(w.rival_tech.user))


def access_probes(w, order_a, order_b, rival_order) -> dict[str, dict[str, int]]:
    """For core/tests/test_access.py: per persona, a warehouse, a part request and a defective part it must
    not see. Builds the stock (build_stock), an open request and an owed part on ``order_a`` (tech_a, outlet
    A), on ``order_b`` (tech_b, outlet B) and on ``rival_order`` (a new order of the rival brand, which this
    walks to accepted by the rival's technician)."""
    build_stock(w)
    clerk = principal_of(w.clerk)
    services.transfer_stock(source=w.central, target=w.store_b, actor=clerk, lines=[Line(w.pump, 10)])
    services.transfer_stock(source=w.central, target=w.van_b, actor=clerk, lines=[Line(w.pump, 5)])
    rival_clerk = principal_of(w.rival_central.moves.first().actor)
    services.transfer_stock(source=w.rival_central, target=w.rival_store, actor=rival_clerk,
                            lines=[Line(w.rival_part, 10)])
    services.transfer_stock(source=w.rival_central, target=w.rival_van, actor=rival_clerk,
                            lines=[Line(w.rival_part, 5)])
    rival_order = rival_job(w, rival_order)
    made = {}
    for key, order, tech, part in (("a", order_a, w.tech_a, w.pump), ("b", order_b, w.tech_b, w.pump),
                                   ("rival", rival_order, w.rival_tech, w.rival_part)):
        actor = principal_of(tech.user)
        request = services.request_parts(order=order, actor=actor, lines=[Line(part, 1)])
        used = services.consume_on_job(order=order, actor=actor, lines=[Line(part, 1)], idempotency_key=f"probe-{key}")
        made[key] = {"request_id": request.pk, "defective_id": used.defective_returns.get().pk}
    a, b, rival = made["a"], made["b"], made["rival"]
    brand_wide = {"warehouse_id": w.rival_central.pk, **rival}
    return {
        "dispatcher": brand_wide, "hotline": brand_wide, "analyst": brand_wide,
        "manager_a": {"warehouse_id": w.store_b.pk, **b},      # another outlet's store
        "manager_b": {"warehouse_id": w.van_a.pk, **a},        # another outlet's technician's van
        "tech_a": {"warehouse_id": w.van_a2.pk, **b},          # a colleague's van at the same outlet
        "tech_a2": {"warehouse_id": w.van_a.pk, **a},
        "tech_b": {"warehouse_id": w.store_a.pk, **a},         # another outlet's store
        "customer": {"warehouse_id": w.store_a.pk, **a},       # customers see no warehouse at all
        "other_customer": {"warehouse_id": w.van_a.pk, **a},
        "rival_dispatcher": {"warehouse_id": w.central.pk, **a},
    }
