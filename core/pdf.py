"""Drawing a PDF from HTML with WeasyPrint: the one place it is imported (the service report, settlement exports).

Its CJK font is Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by .ci/run), found by fontconfig.
"""

from __future__ import annotations

from PIL import ImageFile


def weasyprint_classes():
    """WeasyPrint's HTML and URLFetcher, imported without its side effect on Pillow.

    Importing weasyprint sets ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES = True`` for the whole process, which
    would let a truncated upload pass core.images.accept_photo in every web process that ever drew a PDF.
    The images our PDFs embed are re-encoded whole, so it does not need it.
    """
    before = ImageFile.LOAD_TRUNCATED_IMAGES
    try:
        # Here, not at the top: WeasyPrint (with its fonts and Pango) loads only in a process that draws a
        # PDF, and the flag it sets is put back at once.
        import weasyprint
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = before
    return weasyprint.HTML, weasyprint.URLFetcher
