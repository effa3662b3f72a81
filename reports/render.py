"""The report as a PDF: the template rendered to HTML, then to PDF by WeasyPrint.

WeasyPrint embeds (a subset of) every font it uses, so the Chinese text reads the same on any machine: the
CJK font is Noto Sans CJK SC (Debian's fonts-noto-cjk, installed by .ci/run). The renderer may fetch only
``data:`` URIs: the photos and the signature are inlined, and a text that found its way into the page can
make it read nothing from the disk or the network.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import weasyprint_classes
from reports.content import report_data
from workorders.models import WorkOrder

FONT_FAMILY = '"Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei", sans-serif'


@dataclass(frozen=True)
class RenderedReport:
    pdf: bytes
    pages: int
    language: str


def report_html(order: WorkOrder, *, language: str | None = None) -> str:
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        return render_to_string("reports/service_report.html", {
            "r": report_data(order), "font_family": FONT_FAMILY, "language": language,
        })


def render_report(order: WorkOrder, *, language: str | None = None) -> RenderedReport:
    HTML, URLFetcher = weasyprint_classes()  # noqa: N806 - the library's class names
    language = language or settings.LANGUAGE_CODE
    document = HTML(string=report_html(order, language=language),
                    url_fetcher=URLFetcher(allowed_protocols={"data"})).render()
    return RenderedReport(pdf=document.write_pdf(), pages=len(document.pages), language=language)
