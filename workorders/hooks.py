"""Start-up wiring of workorders (imported by core.apps.CoreConfig.ready, after every model is loaded), and
what it provides to the layers below it (core/hooks.py)."""

from django.db.models.signals import post_delete, post_save

from customers.models import orders_seen_by
from workorders.models import (
    HolidayDate,
    HolidayYear,
    ServiceCalendar,
    SlaContract,
    SlaContractTerm,
    SlaPolicy,
    WorkOrder,
)
from workorders.sla import forget_policies

# Outlets and technicians see the customers and products of the orders they were given (customers.models).
orders_seen_by.register(WorkOrder.objects.scoped_for)


def _forget_sla_policies(sender, instance, **kwargs) -> None:
    forget_policies(instance.brand_id)


def _forget_all_sla(sender, instance, **kwargs) -> None:
    forget_policies()


# Not a business effect: creation reads SLA policies from a per-process copy (workorders/sla.py), and an edit
# saved in this process (the admin, a test) must apply to the next order at once.
post_save.connect(_forget_sla_policies, sender=SlaPolicy, dispatch_uid="sla-policy-saved")
post_delete.connect(_forget_sla_policies, sender=SlaPolicy, dispatch_uid="sla-policy-deleted")
# Enterprise contracts travel in the same copy; a term does not know its brand cheaply, so forget all.
# So do the service calendars and the official holidays they count in.
for _model in (SlaContract, SlaContractTerm, ServiceCalendar, HolidayYear, HolidayDate):
    post_save.connect(_forget_all_sla, sender=_model, dispatch_uid=f"sla-{_model.__name__}-saved")
    post_delete.connect(_forget_all_sla, sender=_model, dispatch_uid=f"sla-{_model.__name__}-deleted")
