from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    # Customers, their sites and their installed products from one sheet, as a shop or dealer system exports them.
    INSTALLED_BASE = "installed_base", _("Customers, sites and installed products")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWING = "previewing", _("Checking")
    PREVIEWED = "previewed", _("Checked")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class FileFormat(models.TextChoices):
    XLSX = "xlsx", "xlsx"
    CSV = "csv", "csv"


# The job's lifecycle (STYLE.md §3): each edge is taken by one compare-and-set in exchange/services.py.
ALLOWED = {
    ImportStatus.UPLOADED: {ImportStatus.PREVIEWING, ImportStatus.FAILED},
    ImportStatus.PREVIEWING: {ImportStatus.PREVIEWED, ImportStatus.FAILED},
    ImportStatus.PREVIEWED: {ImportStatus.IMPORTING},
    ImportStatus.IMPORTING: {ImportStatus.DONE, ImportStatus.FAILED},
    ImportStatus.DONE: set(),
    ImportStatus.FAILED: set(),
}
RUNNING = frozenset({ImportStatus.UPLOADED, ImportStatus.PREVIEWING, ImportStatus.IMPORTING})
