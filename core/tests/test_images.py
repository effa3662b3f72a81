"""core.images.accept_photo on real images made with Pillow (and bytes that only pretend to be images)."""

from __future__ import annotations

import io

import pillow_heif
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image

from core.images import MAX_BYTES, MAX_PHOTOS, ImageTooLarge, InvalidImage, accept_photo


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def reopened(photo) -> Image.Image:
    return Image.open(io.BytesIO(photo.read()))


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = orientation
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (30.0, 16.0, 12.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (120.0, 9.0, 5.0)
    return exif


def test_a_large_jpeg_becomes_a_jpeg_of_at_most_1600_px():
    photo = accept_photo(SimpleUploadedFile("p.jpg", encoded(Image.new("RGB", (4000, 3000), "red"), "JPEG")))

    image = reopened(photo)
    assert (image.format, image.size, photo.width, photo.height) == ("JPEG", (1600, 1200), 1600, 1200)
    assert photo.content_type == "image/jpeg" and photo.name == "photo.jpg"


def test_a_small_png_keeps_its_size_and_transparency_turns_white():
    transparent = Image.new("RGBA", (300, 200), (0, 0, 0, 0))

    image = reopened(accept_photo(encoded(transparent, "PNG")))

    assert (image.format, image.size, image.mode) == ("JPEG", (300, 200), "RGB")
    assert all(channel > 245 for channel in image.getpixel((150, 100)))


def _heic(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    pillow_heif.from_pillow(image).save(buffer, quality=70)
    return buffer.getvalue()


def test_webp_and_heic_are_accepted():
    for data in (encoded(Image.new("RGB", (800, 2000), "blue"), "WEBP"), _heic(Image.new("RGB", (640, 480), "green"))):
        image = reopened(accept_photo(data))
        assert image.format == "JPEG" and max(image.size) <= 1600


def test_gps_and_every_other_metadata_are_stripped():
    source = encoded(Image.new("RGB", (1200, 900), "gray"), "JPEG", exif=gps_exif())
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(ExifTags.IFD.GPSInfo)  # the source does carry it

    cleaned = accept_photo(source).read()

    image = Image.open(io.BytesIO(cleaned))
    assert dict(image.getexif()) == {}
    assert b"Exif" not in cleaned and b"PhoneMaker" not in cleaned


def test_exif_orientation_is_applied_before_it_is_dropped():
    # Orientation 6: the camera was held upright, the pixels are stored sideways (wide).
    sideways = Image.new("RGB", (1000, 500), "white")
    sideways.paste((255, 0, 0), (0, 0, 100, 500))  # a red band on the stored image's left edge

    photo = accept_photo(encoded(sideways, "JPEG", exif=gps_exif(orientation=6)))

    upright = reopened(photo)
    assert upright.size == (500, 1000) == (photo.width, photo.height)
    red, green, blue = upright.getpixel((250, 20))  # the band is now along the top
    assert red > 200 and green < 60 and blue < 60


@pytest.mark.parametrize("data", [
    b"just some text, named photo.jpg",
    b"\xff\xd8\xff\xe0" + b"\x00" * 40,  # a JPEG's first bytes and nothing behind them
    b"%PDF-1.7\n" + b"0" * 100,
    b"",
])
def test_what_is_not_an_image_is_refused(data):
    with pytest.raises(InvalidImage) as refused:
        accept_photo(SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg"))
    assert (refused.value.code, refused.value.status, refused.value.field) == ("invalid_image", 422, "photos")


def test_other_image_formats_are_refused():
    for fmt in ("GIF", "BMP", "TIFF"):
        with pytest.raises(InvalidImage):
            accept_photo(encoded(Image.new("RGB", (50, 50)), fmt))


def test_a_truncated_jpeg_is_refused():
    whole = encoded(Image.effect_noise((800, 600), 64).convert("RGB"), "JPEG")
    with pytest.raises(InvalidImage):
        accept_photo(whole[: len(whole) // 2])


def test_more_than_10_mb_is_refused_before_decoding():
    huge = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * MAX_BYTES, content_type="image/jpeg")

    with pytest.raises(ImageTooLarge) as refused:
        accept_photo(huge)
    assert (refused.value.code, refused.value.status) == ("image_too_large", 413)

    class Unsized(io.BytesIO):
        pass  # no declared size: the read itself stops past the limit

    with pytest.raises(ImageTooLarge):
        accept_photo(Unsized(b"\x89PNG" + b"\x00" * MAX_BYTES))


def test_a_decompression_bomb_is_refused():
    # 20000 x 20000 one-bit pixels: a few tens of kB on disk, 400 megapixels decoded.
    bomb = encoded(Image.new("1", (20000, 20000)), "PNG")
    assert len(bomb) < 200_000

    with pytest.raises(ImageTooLarge):
        accept_photo(bomb)
    moderate = encoded(Image.new("1", (9000, 7000)), "PNG")  # 63 Mpx: below Pillow's own limit, above ours
    with pytest.raises(ImageTooLarge):
        accept_photo(moderate)


def test_max_photos_is_five():
    assert MAX_PHOTOS == 5
