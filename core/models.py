from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class ScopedQuerySet(models.QuerySet):
    """The one scoping point (STYLE.md §5).

    Every tenant-owned model's manager is built from a subclass that implements
    ``_scope(principal)``; views and endpoints fetch only through ``visible_to``.
    """

    def visible_to(self, user: User | None) -> ScopedQuerySet:
        from accounts.principal import principal_of

        principal = principal_of(user)
        if principal is None:
            return self.none()
        return self._scope(principal)

    def _scope(self, principal):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def _through(self, field: str, parents: models.QuerySet) -> ScopedQuerySet:
        """The rows whose foreign key ``field`` points at a row of ``parents``: how a child's scope
        is built from its parent's.

        The same rows as ``filter(field__in=parents)``, written as a correlated EXISTS because SQLite
        runs an IN's subquery whole before the outer query: for one order's timeline that was every
        order id of the brand (385 ms at 1M orders, against 0.6 ms for the EXISTS, which it runs per
        candidate row as a primary-key lookup). PostgreSQL plans the two as the same semi-join.
        The other direction, parents through a column of their children (customers through their
        orders), stays an IN: there the EXISTS would search the children once per parent row, which
        makes a count of an outlet's customers ten times slower on SQLite.
        """
        return self.filter(Exists(parents.filter(pk=OuterRef(field))))


class Counter(models.Model):
    """Named sequences (work-order numbers per month), advanced by compare-and-set."""

    key = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class IdempotencyRecord(models.Model):
    """The first response to an Idempotency-Key, replayed for a retry with the same body."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    scope = models.CharField(max_length=40)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique")]
