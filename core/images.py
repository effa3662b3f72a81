"""Photos from the public: checked by their content, cleaned and made small before anything keeps them.

``accept_photo`` is the one way an uploaded image enters the system (intake photos now, the technician's
photos and the customer's signature later). It trusts neither the file name nor the declared type: Pillow
must recognise the bytes as JPEG, PNG, WEBP or HEIC/HEIF (pillow-heif, the maintained libheif binding).
Oversized files are refused before decoding and decompression bombs before their pixels are read. The
result is a fresh JPEG: EXIF orientation applied, then every piece of metadata dropped (a phone's photo
carries its GPS position), at most 1600 px on the long side.
"""

from __future__ import annotations

import io
import warnings
from typing import Any

from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.errors import InvalidInput

try:  # HEIC is what iPhones take photos in; without the plugin such photos are refused as unknown images.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF = ("HEIF",)
except ImportError:  # pragma: no cover - the plugin is a pinned requirement
    HEIF = ()
Image.init()  # every bundled plugin (WEBP), so Image.open can be limited to the formats below

MAX_PHOTOS = 5
MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 50_000_000  # about 8700 x 5800: larger than any phone camera, far below a bomb
MAX_SIDE = 1600
JPEG_QUALITY = 85
# "JPEG" includes MPO, how many phones store an ordinary JPEG (Pillow opens it through the JPEG plugin).
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", *HEIF)
FIELD = "photos"


class InvalidImage(InvalidInput):
    code = "invalid_image"
    default_message = _("This file is not a photo we can use: send a JPEG, PNG, WEBP or HEIC image.")


class ImageTooLarge(InvalidInput):
    code = "image_too_large"
    status = 413
    default_message = _("This photo is too large: send one of at most 10 MB.")


class AcceptedPhoto(ContentFile):
    """A cleaned JPEG, ready to be saved in a FileField, with what the attachment row records."""

    content_type = "image/jpeg"

    def __init__(self, content: bytes, *, width: int, height: int) -> None:
        super().__init__(content, name="photo.jpg")
        self.width = width
        self.height = height


def _read_limited(upload: Any) -> bytes:
    declared = getattr(upload, "size", None)
    if isinstance(declared, int) and declared > MAX_BYTES:
        raise ImageTooLarge(field=FIELD)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1) if hasattr(upload, "read") else bytes(upload)[: MAX_BYTES + 1]
    if len(data) > MAX_BYTES:
        raise ImageTooLarge(field=FIELD)
    if not data:
        raise InvalidImage(field=FIELD)
    return data


def _opened(data: bytes) -> Image.Image:
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here a warning is a refusal.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise ImageTooLarge(_("This photo has too many pixels."), field=FIELD) from None
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
            raise InvalidImage(field=FIELD) from None
    width, height = image.size
    if width < 1 or height < 1:
        raise InvalidImage(field=FIELD)
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(_("This photo has too many pixels."), field=FIELD)
    try:
        image.load()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        # Truncated or corrupt pixel data behind a valid header.
        raise InvalidImage(field=FIELD) from None
    return image


def _flattened(image: Image.Image) -> Image.Image:
    """RGB for JPEG; transparent pixels become white rather than black."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB") if image.mode != "RGB" else image


def accept_photo(upload: Any) -> AcceptedPhoto:
    """Check, clean and shrink one uploaded photo; raise InvalidImage / ImageTooLarge on refusal.

    ``upload`` is an uploaded file (or any object with ``read``, or bytes). Nothing is stored here.
    """
    data = _read_limited(upload)
    image = _opened(data)
    try:
        upright = ImageOps.exif_transpose(image)
        picture = _flattened(upright)
        picture.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        # No exif=, icc_profile= or comment: the new file carries pixels only.
        picture.save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except (OSError, ValueError) as exc:
        raise InvalidImage(field=FIELD) from exc
    finally:
        image.close()
    return AcceptedPhoto(out.getvalue(), width=picture.width, height=picture.height)
