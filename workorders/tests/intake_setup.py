"""The shared test world made ready for intake: prices, symptoms, service standards, regions on sites.

``prepare_intake(world)`` adds to conftest.build_world: the demo's price lists and purifier symptoms,
a repair standard of 60 minutes needing the world's skill, both outlets' technicians (tech_a, tech_a2,
tech_b; Mon-Sat 08:30-17:30, six jobs a day), and the customers' sites placed in the region both outlets
serve. ``photo_bytes`` makes a real image with Pillow.
"""

from __future__ import annotations

import io

from django.utils import timezone
from PIL import Image

from catalog.models import ServiceStandard
from demo.pricing import seed_pricing


def prepare_intake(world):
    seed_pricing(world.brand, today=timezone.localdate())
    world.standard = ServiceStandard.objects.create(
        product_model=world.model, service_type="repair", standard_minutes=60, required_skill=world.skill)
    ServiceStandard.objects.create(product_model=world.model, service_type="maintenance", standard_minutes=40,
                                   required_skill=world.skill)
    for product in (world.product, world.other_product):
        product.site.region = world.region
        product.site.save(update_fields=["region"])
    return world


def photo_bytes(fmt: str = "JPEG", size=(2400, 1800), color=(30, 120, 200), **save) -> bytes:
    buffer = io.BytesIO()
    mode = "RGBA" if fmt == "PNG" and save.pop("alpha", False) else "RGB"
    Image.new(mode, size, color).save(buffer, fmt, **save)
    return buffer.getvalue()


def only_outlet_a_with_one_job_per_window(world):
    """Outlet A alone serves the region, and only tech_a works: each window has room for one job."""
    world.region.outlets.remove(world.outlet_b)
    world.tech_a2.is_active = False
    world.tech_a2.save(update_fields=["is_active"])
