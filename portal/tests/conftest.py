from __future__ import annotations

import re

import pytest

from core.sms import MemoryBackend

CODE = re.compile(r"\b(\d{6})\b")


@pytest.fixture
def sms(settings):
    """Texts go to a list instead of the log: sms.outbox, sms.last_code(phone)."""
    settings.SMS_BACKEND = "core.sms.MemoryBackend"
    MemoryBackend.outbox.clear()

    class Outbox:
        outbox = MemoryBackend.outbox

        @staticmethod
        def last_code(phone: str) -> str:
            for message in reversed(MemoryBackend.outbox):
                if message.phone == phone:
                    return CODE.search(message.text).group(1)
            raise AssertionError(f"no text to {phone}")

    yield Outbox
    MemoryBackend.outbox.clear()


@pytest.fixture
def ready(world, settings, tmp_path):
    """The world with prices, symptoms, a repair standard, sites in the served region, and self-help."""
    from catalog.models import ServiceStandard
    from demo.knowledge import seed_articles
    from demo.pricing import seed_pricing

    settings.MEDIA_ROOT = tmp_path / "media"
    seed_pricing(world.brand)
    seed_articles(world.brand)
    ServiceStandard.objects.create(product_model=world.model, service_type="repair", standard_minutes=60,
                                   required_skill=world.skill)
    for product in (world.product, world.other_product):
        product.site.region = world.region
        product.site.save(update_fields=["region"])
    return world


def photo(name: str = "leak.jpg", fmt: str = "JPEG", size=(1200, 900)):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")
