"""Urges (催单): a customer or an agent pressing a late order, one row each (workorders/urges.py writes them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from core.scoping import ScopedQuerySet


class UrgeChannel(models.TextChoices):
    PORTAL = "portal", _("Customer portal")
    HOTLINE = "hotline", _("Hotline")
    WECHAT = "wechat", _("WeChat")
    API = "api", _("API")


class UrgeQuerySet(ScopedQuerySet):
    """Seen with the order: an outlet the urges of its orders, a customer those of their own."""

    parent_field = "work_order"


class Urge(models.Model):
    """One urge of one order. ``seq`` counts the order's urges (1, 2, 3, ...): unique per order, so two urges
    racing for the same number make one row, and the loser finds the winner within the quiet period."""

    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   related_name="urges", db_index=False)
    seq = models.PositiveSmallIntegerField(_("urge number"))
    channel = models.CharField(_("channel"), max_length=10, choices=UrgeChannel.choices)
    actor = models.ForeignKey(User, verbose_name=_("by"), on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", db_index=False)
    actor_role = models.CharField(_("actor role"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # What the order had been promised for when it was urged (the booked window's end, else the on-site due).
    promised = models.DateTimeField(_("promised by"), null=True, blank=True)
    # Which urge of that promise this is (1, 2, 3, ...): a new promise (a re-booked window, a moved deadline) starts
    # the count again, and the brand's ``urges_to_complaint`` counts these (workorders/urges.py).
    since_promise = models.PositiveSmallIntegerField(_("urge number since the promise"), default=1, db_default=1)
    escalated = models.BooleanField(_("escalated"), default=False)
    created_at = models.DateTimeField(_("time"))

    objects = UrgeQuerySet.as_manager()

    class Meta:
        verbose_name = _("urge")
        verbose_name_plural = _("urges")
        ordering = ["work_order_id", "seq"]
        constraints = [models.UniqueConstraint(fields=["work_order", "seq"], name="urge_seq_unique")]

    def __str__(self) -> str:
        return f"{self.work_order_id} #{self.seq}"
