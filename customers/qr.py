"""Each unit's QR code: a URL that opens the brand's portal on that unit (segno draws it)."""

from __future__ import annotations

import io

import segno
from django.http import HttpRequest
from django.urls import reverse

from customers.models import InstalledProduct, new_qr_token


def ensure_token(product: InstalledProduct) -> str:
    """The unit's token; a unit that has none yet (bulk-loaded) gets one, by compare-and-set."""
    if not product.qr_token:
        InstalledProduct.objects.filter(pk=product.pk, qr_token__isnull=True).update(qr_token=new_qr_token())
        product.qr_token = InstalledProduct.objects.values_list("qr_token", flat=True).get(pk=product.pk)
    return product.qr_token


def qr_url(request: HttpRequest, product: InstalledProduct) -> str:
    path = reverse("portal:qr", kwargs={"brand": product.brand.code, "token": ensure_token(product)})
    return request.build_absolute_uri(path)


def qr_svg(url: str, *, scale: int = 4) -> str:
    # Error correction M survives a scuffed sticker; the quiet zone is part of the drawing.
    return segno.make(url, error="m").svg_inline(scale=scale, dark="#000", light="#fff")


def qr_png(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
