"""The PDF service report of a completed order: one per order, stored as the order's report attachment."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class ServiceReportQuerySet(ScopedQuerySet):
    parent_field = "attachment"


class ServiceReport(models.Model):
    # One per order: the unique key is what makes rendering twice (or two workers at once) keep one report.
    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                      related_name="service_report")
    attachment = models.OneToOneField("workorders.WorkOrderAttachment", verbose_name=_("file"),
                                      on_delete=models.PROTECT, related_name="service_report")
    language = models.CharField(_("language"), max_length=10)
    pages = models.PositiveSmallIntegerField(_("pages"))
    rendered_at = models.DateTimeField(_("rendered at"))

    objects = ServiceReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")

    def __str__(self) -> str:
        return f"{self.work_order_id}"
