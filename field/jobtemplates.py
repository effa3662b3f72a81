"""Which job template applies to an order: the brand's for the service type and the product's category,
else the brand's for the service type in every category; none means nothing is required."""

from __future__ import annotations

from django.db.models import Prefetch

from field.models import ChecklistItem, JobTemplate, PhotoRequirement
from workorders.models import WorkOrder


def template_for(order: WorkOrder) -> JobTemplate | None:
    category_id = order.product.product_model.category_id if order.product_id else None
    candidates = (JobTemplate.objects.filter(brand_id=order.brand_id, service_type=order.type, is_active=True)
                  .prefetch_related(Prefetch("items", queryset=ChecklistItem.objects.order_by("sort_order", "pk")),
                                    Prefetch("photos", queryset=PhotoRequirement.objects.order_by("sort_order", "pk"))))
    by_category = {t.category_id: t for t in candidates if t.category_id in (None, category_id)}
    return by_category.get(category_id) if category_id in by_category else by_category.get(None)
