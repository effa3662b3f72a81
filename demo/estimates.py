"""The estimate each past order would have had at intake, so a customer's lifetime spend is not ¥0.00 for everyone.

The bulk-loaded orders are made before the price lists exist; once they do, each completed or closed order with a
product is priced by the real engine (workorders.intake), as the hotline or the portal would have priced it.
"""

from __future__ import annotations

from accounts.models import Organisation
from workorders.choices import Status
from workorders.intake import _estimate
from workorders.models import WorkOrder


def price_past_orders(brand: Organisation) -> int:
    orders = list(
        WorkOrder.objects.filter(brand=brand, status__in=[Status.COMPLETED, Status.CLOSED], product__isnull=False,
                                 estimate_total__isnull=True)
        .select_related("product", "product__product_model", "product__site", "outlet", "reported_symptom", "site")
    )
    for order in orders:
        order.estimate, order.estimate_total = _estimate(order.product, order.type, order.reported_symptom,
                                                         order.created_at, order.outlet)
    WorkOrder.objects.bulk_update(orders, ["estimate", "estimate_total"], batch_size=500)
    return sum(1 for o in orders if o.estimate_total is not None)
