"""An import of a spreadsheet (the job, polled for its progress) and the rows it refused, with their reasons."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import TimeStampedModel
from core.scoping import ScopedQuerySet
from exchange.choices import FileFormat, ImportKind, ImportStatus


class ImportJobQuerySet(ScopedQuerySet):
    # The brand's own staff only: outlets, technicians and customers see no imports.
    brand_field = "brand_id"


def import_path(job: ImportJob, filename: str) -> str:
    # A random name: the path says nothing of the brand's customers and cannot be guessed.
    return f"imports/{job.brand_id}/{secrets.token_hex(12)}.{job.file_format}"


class ImportJob(TimeStampedModel):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=import_path, max_length=200)
    file_name = models.CharField(_("file name"), max_length=200)
    file_format = models.CharField(_("format"), max_length=4, choices=FileFormat.choices)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices,
                              default=ImportStatus.UPLOADED)
    created_by = models.ForeignKey(User, verbose_name=_("uploaded by"), on_delete=models.SET_NULL, null=True,
                                   related_name="+")
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    refused_rows = models.PositiveIntegerField(_("refused rows"), default=0)
    written_rows = models.PositiveIntegerField(_("written rows"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged rows"), default=0)
    # Rows gone through in the running stage (checking, then importing): the progress bar's numerator.
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    # Why the job failed as a whole (an unreadable file, a missing column); its rows' reasons are ImportRowError.
    failure = models.CharField(_("why it failed"), max_length=300, blank=True, default="")
    # The first valid rows as read, shown in the preview beside the refused ones.
    sample = models.JSONField(_("sample rows"), default=list, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["brand", "-created_at"], name="import_brand_created")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def progress(self) -> int:
        """Percent of the running stage done (0–100): rows gone through of the sheet's rows (counted at upload)."""
        if self.status in (ImportStatus.DONE, ImportStatus.PREVIEWED):
            return 100
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))


class ImportRowErrorQuerySet(ScopedQuerySet):
    parent_field = "job"


class ImportRowError(models.Model):
    """One reason a row was refused: a row with two faults has two."""

    job = models.ForeignKey(ImportJob, verbose_name=_("import"), on_delete=models.CASCADE, related_name="errors")
    row_number = models.PositiveIntegerField(_("row"))  # as the spreadsheet numbers it: the header is row 1
    column = models.CharField(_("column"), max_length=40, blank=True)
    code = models.CharField(_("code"), max_length=40)
    message = models.CharField(_("message"), max_length=300)
    # The row as read (header → text), shown beside its reasons.
    values = models.JSONField(_("values"), default=dict)

    objects = ImportRowErrorQuerySet.as_manager()

    class Meta:
        verbose_name = _("refused row")
        verbose_name_plural = _("refused rows")
        ordering = ["row_number", "pk"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_job_row")]

    def __str__(self) -> str:
        return f"{self.row_number}: {self.code}"
