"""Complaints (投诉): a customer's grievance, linked to the order, the technician and the outlet it is about.

A first cut of PRODUCT.md's complaints loop: who complained about what, and whether it is resolved. SLA
clocks, escalation and channels come with that loop later.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from complaints.choices import ComplaintCategory, ComplaintStatus
from core.models import ScopedQuerySet

DESCRIPTION_MAX = 2000
RESOLUTION_MAX = 1000


class ComplaintQuerySet(ScopedQuerySet):
    """Scoped like orders: an outlet sees the complaints about its orders, a technician those about theirs."""

    def _scope(self, principal):
        if principal.is_brand_staff:
            return self.filter(brand_id=principal.brand_id)
        if principal.is_outlet_staff:
            return self.filter(outlet_id=principal.outlet_id)
        if principal.is_technician:
            return self.filter(technician_id=principal.technician_id)
        if principal.is_customer:
            return self.filter(customer_id=principal.customer_id)
        return self.none()

    def open(self) -> ComplaintQuerySet:
        return self.filter(status=ComplaintStatus.OPEN)


class Complaint(models.Model):
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT,
                                 related_name="complaints")
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="complaints")
    # The outlet and technician of the order when the complaint was made: it stays theirs if the order moves on.
    outlet = models.ForeignKey(Organisation, verbose_name=_("outlet"), on_delete=models.PROTECT, null=True,
                               blank=True, related_name="complaints")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="complaints")
    category = models.CharField(_("category"), max_length=12, choices=ComplaintCategory.choices)
    description = models.TextField(_("description"), max_length=DESCRIPTION_MAX)
    status = models.CharField(_("status"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)
    resolution = models.TextField(_("resolution"), max_length=RESOLUTION_MAX, blank=True)
    opened_at = models.DateTimeField(_("opened at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    opened_by = models.ForeignKey(User, verbose_name=_("opened by"), on_delete=models.SET_NULL, null=True,
                                  blank=True, related_name="+")
    resolved_by = models.ForeignKey(User, verbose_name=_("resolved by"), on_delete=models.SET_NULL, null=True,
                                    blank=True, related_name="+")

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-opened_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "status"], name="complaint_customer_status"),
            models.Index(fields=["brand", "status", "-opened_at"], name="complaint_brand_status"),
            models.Index(fields=["outlet", "-opened_at"], name="complaint_outlet_opened"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status=ComplaintStatus.OPEN, resolved_at__isnull=True)
                | models.Q(status=ComplaintStatus.RESOLVED, resolved_at__isnull=False),
                name="complaint_resolved_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.customer_id}"

    def clean(self) -> None:
        if self.work_order_id and self.customer_id and self.work_order.customer_id != self.customer_id:
            raise ValidationError({"work_order": _("The order belongs to another customer.")})
        if self.outlet_id and self.customer_id and self.outlet.brand_id != self.customer.brand_id:
            raise ValidationError({"outlet": _("The outlet serves another brand.")})
