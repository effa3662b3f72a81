"""Rate a finished order (STYLE.md §1): the rating row and its timeline event in one transaction."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.principal import Principal
from core.errors import DomainError, InvalidInput, NotFound
from feedback.models import Rating
from workorders import events
from workorders.choices import Status
from workorders.models import WorkOrder

RATEABLE = frozenset({Status.COMPLETED, Status.CLOSED})
COMMENT_MAX = 500


class AlreadyRated(DomainError):
    code = "already_rated"
    status = 409
    default_message = _("You have already rated this service. Thank you!")


class NotRateable(DomainError):
    code = "not_rateable"
    status = 409
    default_message = _("You can rate the service once the job is done.")


def rate_order(*, order: WorkOrder, actor: Principal, score: int, comment: str = "") -> Rating:
    """The order's own customer rates it, once, when it is completed or closed."""
    if not actor.is_customer or order.customer_id != actor.customer_id:
        raise NotFound()
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidInput(_("Choose 1 to 5 stars."), field="score")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise InvalidInput(_("Keep the comment under 500 characters."), field="comment", max_length=COMMENT_MAX)
    status = WorkOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    if status not in RATEABLE:
        raise NotRateable(field="score")
    now = timezone.now()
    try:
        with transaction.atomic():
            rating = Rating.objects.create(work_order=order, customer_id=order.customer_id, score=score,
                                           comment=comment, created_at=now)
            events.rated(order=order, actor=actor, score=score, comment=comment, at=now)
    except IntegrityError:  # the one-per-order constraint: a second rating, perhaps at the same moment
        raise AlreadyRated(field="score") from None
    return rating
