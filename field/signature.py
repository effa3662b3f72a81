"""The customer's signature from the phone's canvas: a PNG, checked by its content and stored clean.

A canvas export is small; anything that is not a PNG, is huge, or carries no ink is refused (a blank
canvas is not a signature). The stored file is a fresh PNG of the pixels only.
"""

from __future__ import annotations

import io
import warnings

from django.core.files.base import ContentFile
from PIL import Image, UnidentifiedImageError

from field.errors import InvalidSignature

MAX_BYTES = 1024 * 1024
MAX_SIDE = 3000
MIN_INK_PIXELS = 50
FIELD = "signature"


def accept_signature(upload) -> ContentFile:
    if upload is None:
        raise InvalidSignature(field=FIELD)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)[: MAX_BYTES + 1]
    if not data or len(data) > MAX_BYTES:
        raise InvalidSignature(field=FIELD)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=["PNG"])
            width, height = image.size
            if not (20 <= width <= MAX_SIDE and 20 <= height <= MAX_SIDE):
                raise InvalidSignature(field=FIELD)
            image.load()
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError,
                Image.DecompressionBombWarning):
            raise InvalidSignature(field=FIELD) from None
    rgba = image.convert("RGBA")
    # Ink: pixels that are opaque and darker than the paper.
    alpha = rgba.getchannel("A").point(lambda a: 255 if a > 128 else 0)
    dark = rgba.convert("L").point(lambda v: 255 if v < 160 else 0)
    ink = Image.new("L", rgba.size, 0)
    ink.paste(dark, mask=alpha)
    if ink.histogram()[255] < MIN_INK_PIXELS:
        raise InvalidSignature(field=FIELD)
    out = io.BytesIO()
    rgba.save(out, format="PNG", optimize=True)
    content = ContentFile(out.getvalue(), name="signature.png")
    content.width, content.height = rgba.size
    return content
