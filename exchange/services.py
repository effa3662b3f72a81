"""Imports of the installed base as the API and the console ask for them: upload (the header checked at once),
then, after the preview, the go-ahead to write. The stages themselves run in the background (exchange/runner.py).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.choices import CUSTOMER_EDITORS
from accounts.principal import Principal
from core.errors import DomainError, IllegalTransition, InvalidInput, PermissionDenied
from exchange import sheets
from exchange.choices import ImportKind, ImportStatus
from exchange.models import ImportJob
from exchange.runner import take
from exchange.tasks import enqueue_import, enqueue_preview


class FileTooLarge(DomainError):
    code = "too_large"
    status = 413
    default_message = _("The file is too large.")


class UnknownKind(InvalidInput):
    code = "unknown_kind"
    default_message = _("Unknown kind of import.")


def require_importer(actor: Principal) -> None:
    """Imports write customers: the brand's roles that maintain them, and only those."""
    if not actor.is_brand_staff or actor.role not in CUSTOMER_EDITORS:
        raise PermissionDenied(_("Your role may not import customers."))


def may_import(actor: Principal | None) -> bool:
    return actor is not None and actor.is_brand_staff and actor.role in CUSTOMER_EDITORS


def create_job(*, actor: Principal, kind: str, upload: UploadedFile) -> ImportJob:
    """Store the upload as a job and check its header at once (a wrong file is refused before any work);
    the rows are checked by the background task (exchange.tasks.preview_import), queued on commit."""
    require_importer(actor)
    if kind not in ImportKind.values:
        raise UnknownKind(field="kind", allowed=list(ImportKind.values))
    if upload.size > settings.IMPORT_MAX_BYTES:
        raise FileTooLarge(field="file", limit=settings.IMPORT_MAX_BYTES)
    fmt = sheets.file_format(upload.name)
    upload.seek(0)
    sheets.read(upload.file, fmt)[0]  # the header: refused now, not in the background
    upload.seek(0)
    with transaction.atomic():
        job = ImportJob(brand_id=actor.brand_id, kind=kind, file_name=upload.name[:200], file_format=fmt,
                        created_by=actor.user)
        job.file.save(upload.name, upload, save=False)
        job.save()
        enqueue_preview(job.pk)
    return job


def commit_job(*, actor: Principal, job: ImportJob) -> ImportJob:
    """Write the checked file's valid rows: the job goes from previewed to importing (once: a second commit, or one
    racing it, is refused 409) and the background task imports it (exchange.tasks.import_rows)."""
    require_importer(actor)
    with transaction.atomic():
        if not take(job, ImportStatus.PREVIEWED, ImportStatus.IMPORTING):
            raise IllegalTransition(_("This import is not waiting to be written."), status=job.status)
        enqueue_import(job.pk)
    job.refresh_from_db()
    return job
