"""The shared world (conftest.build_world) made ready for a technician's day.

``prepare_field(world)`` adds: the demo price lists, symptoms and standards (workorders.tests.intake_setup),
a repair job template for the brand (four checklist items, three photos of which two are required),
and stock through the parts services: outlet A's store and tech_a's van hold PP filters and booster pumps
(tech_b's van a few filters). ``dispatched_job(world)`` is a repair order dispatched to tech_a with the
reported symptom "no water"; ``on_site(world, order)`` walks it there through the field services.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

from django.db import transaction
from PIL import Image, ImageDraw

from accounts.choices import Role
from accounts.principal import principal_of
from catalog.models import Part, Symptom
from field import services
from field.choices import ItemKind
from field.geo import Position
from field.models import ChecklistItem, JobTemplate, PhotoRequirement
from parts import services as parts
from parts.services import Line
from parts.tests.factories import member
from workorders.choices import Status
from workorders.tests.factories import make_order
from workorders.tests.intake_setup import photo_bytes, prepare_intake

FILTER_CODE, PUMP_CODE = "pp-cotton", "booster-pump"
VAN_FILTERS, VAN_PUMPS = 10, 3
SITE = (30.28, 120.13)  # SiteFactory's coordinates


def repair_template(brand) -> JobTemplate:
    template = JobTemplate.objects.create(brand=brand, service_type="repair", name="维修")
    w = SimpleNamespace(template=template)
    w.tick = ChecklistItem.objects.create(template=template, label="断电断水后检修", label_en="Power and water off",
                                          kind=ItemKind.CHECK, sort_order=1)
    w.leak = ChecklistItem.objects.create(template=template, label="试机无渗漏", label_en="No leak after the test run",
                                          kind=ItemKind.YES_NO, sort_order=2)
    w.pressure = ChecklistItem.objects.create(template=template, label="进水压力", label_en="Inlet pressure",
                                              kind=ItemKind.NUMBER, unit="MPa", sort_order=3)
    w.remark = ChecklistItem.objects.create(template=template, label="备注", label_en="Remarks", kind=ItemKind.TEXT,
                                            required=False, sort_order=4)
    for order, (code, label, label_en, required) in enumerate([
        ("before", "维修前", "Before the repair", True), ("after", "维修后", "After the repair", True),
        ("serial", "铭牌", "Serial plate", False)]):
        PhotoRequirement.objects.create(template=template, code=code, label=label, label_en=label_en,
                                        required=required, sort_order=order)
    return w


def prepare_field(world) -> SimpleNamespace:
    prepare_intake(world)
    world.items = repair_template(world.brand)
    world.clerk = member(world.brand, Role.PARTS_CLERK, "clerk")
    world.filter = Part.objects.get(brand=world.brand, code=FILTER_CODE)
    world.pump = Part.objects.get(brand=world.brand, code=PUMP_CODE)
    clerk = principal_of(world.clerk)
    with transaction.atomic():
        central = parts.ensure_central(world.brand)
        world.store_a = parts.ensure_store(world.outlet_a)
        world.van_a = parts.ensure_van(world.tech_a)
        world.van_b = parts.ensure_van(world.tech_b)
        for part in (world.filter, world.pump):
            parts.receive_stock(warehouse=central, part=part, quantity=100, actor=clerk, reason="factory")
        parts.transfer_stock(source=central, target=world.store_a, actor=clerk,
                             lines=[Line(world.filter, 30), Line(world.pump, 10)])
        parts.transfer_stock(source=world.store_a, target=world.van_a, actor=clerk,
                             lines=[Line(world.filter, VAN_FILTERS), Line(world.pump, VAN_PUMPS)])
        parts.transfer_stock(source=central, target=world.van_b, actor=clerk, lines=[Line(world.filter, 2)])
    return world


def dispatched_job(world, **kw):
    kw.setdefault("reported_symptom", Symptom.objects.get(category=world.category, code="no-water"))
    return make_order(world, status=Status.DISPATCHED, **kw)


def tech(world, name: str = "tech_a"):
    return principal_of(getattr(world, name).user)


def on_site(world, order, *, where: Position | None = None):
    actor = tech(world)
    services.accept(order=order, actor=actor)
    services.depart(order=order, actor=actor)
    services.arrive(order=order, actor=actor, where=where)
    order.refresh_from_db()
    return order


def signature_png(ink: bool = True) -> bytes:
    image = Image.new("RGBA", (600, 200), (255, 255, 255, 255))
    if ink:
        ImageDraw.Draw(image).line([(40, 150), (200, 40), (320, 160), (560, 60)], fill=(10, 20, 60, 255), width=6)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def photo(size=(800, 600)) -> bytes:
    return photo_bytes(size=size)


def ready_to_complete(world, order) -> None:
    """Everything a repair needs before completion: checklist, both required photos, the signature."""
    actor = tech(world)
    items = world.items
    services.answer_checklist(order=order, actor=actor, answers=[
        (items.tick.pk, "done"), (items.leak.pk, "yes"), (items.pressure.pk, "0.25")])
    for code in ("before", "after"):
        services.add_visit_photo(order=order, actor=actor, upload=photo(), requirement=code)
    services.sign(order=order, actor=actor, upload=signature_png(), signer="王女士")
