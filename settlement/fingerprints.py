"""Perceptual fingerprints of order photos, for the reused-photo check (settlement.fraud): a 64-bit difference hash
per photo, computed once and kept (``PhotoFingerprint``), so a photo used again on another order is an index
lookup, not a second read of every image."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from PIL import Image, ImageOps

from settlement.models import PhotoFingerprint
from workorders.models import AttachmentKind, WorkOrderAttachment

HASH_SIZE = 8  # 8 × 8 comparisons: a 64-bit hash, 16 hex digits
# A hash with fewer set (or unset) bits than this is a featureless picture (a covered lens, a blank wall): it
# would "match" every other one, so it is not compared.
FEATURELESS_BITS = 4


def fingerprint(image_file: Any) -> str:
    """The 64-bit perceptual difference hash ("dHash") of an image, as 16 hex digits.

    The method of Neal Krawetz, "Kind of Like That" (The Hacker Factor Blog, 21 January 2013): turn the picture
    grey, shrink it to 9 × 8 pixels (which drops the detail, the size and the compression), and set one bit per
    pair of horizontally adjacent pixels, 1 when the left one is brighter. A copy re-saved at another quality or
    resized keeps almost every bit; a different photo differs in about half of them (``hamming``). It does not
    survive a rotation or a heavy crop. ``image_file`` is a path or an open binary file.
    """
    with Image.open(image_file) as image:
        image.draft("L", (HASH_SIZE * 16, HASH_SIZE * 16))  # a JPEG decodes at 1/2…1/8 scale: much faster
        upright = ImageOps.exif_transpose(image)  # a phone's "rotate on display" tag, as the photo is seen
        small = upright.convert("L").resize((HASH_SIZE + 1, HASH_SIZE), Image.Resampling.LANCZOS)
    pixels = list(small.tobytes())  # one byte per grey pixel, row by row
    bits = 0
    for row in range(HASH_SIZE):
        line = pixels[row * (HASH_SIZE + 1):(row + 1) * (HASH_SIZE + 1)]
        for left, right in zip(line, line[1:], strict=False):
            bits = (bits << 1) | (left > right)
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    """How many bits two hex hashes differ in."""
    return (int(a, 16) ^ int(b, 16)).bit_count()


def featureless(phash: str) -> bool:
    ones = int(phash, 16).bit_count()
    return ones < FEATURELESS_BITS or ones > HASH_SIZE * HASH_SIZE - FEATURELESS_BITS


# Unreadable, truncated or oversized files: skipped, the others are still fingerprinted.
UNREADABLE = (OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError)


def fingerprint_photos(brand_id: int, order_ids: Iterable[int] | QuerySet) -> int:
    """Fingerprint the photos of these orders (the brand's) that have none yet, in one insert; a file that cannot
    be read is skipped (it is tried again next time). ``order_ids`` is a list or a queryset of ids. Returns how
    many fingerprints were added."""
    photos = (WorkOrderAttachment.objects
              .filter(work_order_id__in=order_ids, work_order__brand_id=brand_id, kind=AttachmentKind.PHOTO)
              .exclude(Exists(PhotoFingerprint.objects.filter(attachment_id=OuterRef("pk"))))
              .only("pk", "work_order_id", "file").order_by("pk"))
    rows = []
    for photo in photos.iterator(chunk_size=500):
        try:
            with photo.file.open("rb") as handle:
                phash = fingerprint(handle)
        except UNREADABLE:
            continue
        rows.append(PhotoFingerprint(brand_id=brand_id, attachment_id=photo.pk, work_order_id=photo.work_order_id,
                                     phash=phash))
    # A run at the same time may have fingerprinted a photo meanwhile: its row stands.
    PhotoFingerprint.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    return len(rows)
