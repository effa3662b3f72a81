"""Files on an order: stored under MEDIA_ROOT with the row that scopes them, or not at all.

A database transaction cannot take a written file back, so whoever stores files inside one goes through
``files_rolled_back``: when the block fails, the files it wrote are deleted again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.principal import Principal
from core.errors import InvalidInput, PermissionDenied
from core.images import MAX_PHOTOS, AcceptedPhoto, accept_photo
from workorders.choices import OPEN_STATUSES
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment

# Who may add photos to an order they can see (a customer only to their own open order).
PHOTO_ROLES = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER, Role.HOTLINE_AGENT, Role.OUTLET_MANAGER,
                         Role.OUTLET_DISPATCHER, Role.TECHNICIAN, Role.CUSTOMER})


class TooManyPhotos(InvalidInput):
    code = "too_many_photos"
    default_message = _("Send at most 5 photos.")


@contextmanager
def files_rolled_back() -> Iterator[list[WorkOrderAttachment]]:
    """Collect the attachments stored in the block; delete their files if the block raises."""
    stored: list[WorkOrderAttachment] = []
    try:
        yield stored
    except BaseException:
        for attachment in stored:
            attachment.file.storage.delete(attachment.file.name)
        raise


def store_attachment(
    *, order: WorkOrder, content: Any, kind: str, content_type: str, uploaded_by=None,
    customer_visible: bool = True, width: int | None = None, height: int | None = None,
    stored: list[WorkOrderAttachment] | None = None,
) -> WorkOrderAttachment:
    """Write one already checked file and its row. Call inside a transaction and ``files_rolled_back``."""
    attachment = WorkOrderAttachment(
        work_order=order, kind=kind, content_type=content_type, size=content.size, width=width, height=height,
        uploaded_by=uploaded_by, customer_visible=customer_visible,
    )
    attachment.file.save(content.name, content, save=False)
    if stored is not None:
        stored.append(attachment)
    attachment.save()
    return attachment


def store_photo(*, order: WorkOrder, photo: AcceptedPhoto, uploaded_by=None, customer_visible: bool = True,
                stored: list[WorkOrderAttachment] | None = None) -> WorkOrderAttachment:
    return store_attachment(order=order, content=photo, kind=AttachmentKind.PHOTO, content_type=photo.content_type,
                            uploaded_by=uploaded_by, customer_visible=customer_visible, width=photo.width,
                            height=photo.height, stored=stored)


def check_photo_count(photos: list, *, already: int = 0) -> None:
    if len(photos) + already > MAX_PHOTOS:
        raise TooManyPhotos(field="photos", max=MAX_PHOTOS, already=already)


def add_photos(*, order: WorkOrder, actor: Principal, photos: Iterable[Any],
               customer_visible: bool = True) -> list[WorkOrderAttachment]:
    """Add photos to an order fetched through ``visible_to(actor.user)``: all of them, or none."""
    if actor.role not in PHOTO_ROLES:
        raise PermissionDenied(_("Your role may not add photos to orders."))
    photos = list(photos)
    if not photos:
        raise InvalidInput(_("Choose at least one photo."), field="photos")
    already = 0
    if actor.is_customer:
        if order.customer_id != actor.customer_id:
            raise PermissionDenied()
        if order.status not in OPEN_STATUSES:
            raise InvalidInput(_("Photos can be added while the order is open."), field="photos")
        # Customers add to what they sent at intake, within the same limit; staff photos do not count.
        customer_visible = True
        already = order.attachments.filter(kind=AttachmentKind.PHOTO, uploaded_by=actor.user).count()
    check_photo_count(photos, already=already)
    accepted = [accept_photo(p) for p in photos]
    with files_rolled_back() as stored, transaction.atomic():
        for photo in accepted:
            store_photo(order=order, photo=photo, uploaded_by=actor.user, customer_visible=customer_visible,
                        stored=stored)
    return stored
