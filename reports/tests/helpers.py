"""A repair completed through the technician app's real services, in Chinese, for the report tests."""

from __future__ import annotations

import io

from field import services as field
from field.tests.setup import dispatched_job, on_site, prepare_field, ready_to_complete, tech


def completed_repair(world, capture):
    """The whole visit: diagnosis, a pump from the van, checklist, photos, signature, payment, completion.

    ``capture`` is pytest-django's django_capture_on_commit_callbacks: the completion's on-commit callbacks
    (the report task) run as they would after a real commit.
    """
    prepare_field(world)
    order = on_site(world, dispatched_job(world, symptom="净水器不出水，指示灯一直闪烁"))
    actor = tech(world)
    field.record_diagnosis(order=order, actor=actor, fault_code="e3", symptom_code="frozen",
                           note="冬季室外管路冻裂，增压泵损坏，已更换并做保温")
    field.use_parts(order=order, actor=actor, lines=[(world.pump.pk, 1)], idempotency_key="pump")
    ready_to_complete(world, order)
    field.record_payment(order=order, actor=actor, method="wechat", amount="340", reference="WX-8848")
    with capture(execute=True) as callbacks:
        field.complete(order=order, actor=actor, shown_total="340.00")
    order.refresh_from_db()
    return order, callbacks


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_fonts(data: bytes) -> list[tuple[str, bool]]:
    """(base font name, embedded?) of every font the pages use, descending into CID descendants."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            for candidate in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
                descriptor = candidate.get("/FontDescriptor")
                if descriptor is None:
                    continue
                descriptor = descriptor.get_object()
                embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                found.append((str(candidate["/BaseFont"]), embedded))
    return found


def pdf_images(data: bytes) -> int:
    from pypdf import PdfReader

    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)
