from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def _forget_sla_policies(sender, instance, **kwargs) -> None:
    from workorders.sla import forget_policies

    forget_policies(instance.brand_id)


def _forget_all_sla(sender, instance, **kwargs) -> None:
    from workorders.sla import forget_policies

    forget_policies()


class WorkordersConfig(AppConfig):
    name = "workorders"
    verbose_name = _("Work orders")

    def ready(self) -> None:
        # Not a business effect: creation reads SLA policies from a per-process copy (workorders/sla.py),
        # and an edit saved in this process (the admin, a test) must apply to the next order at once.
        post_save.connect(_forget_sla_policies, sender="workorders.SlaPolicy", dispatch_uid="sla-policy-saved")
        post_delete.connect(_forget_sla_policies, sender="workorders.SlaPolicy", dispatch_uid="sla-policy-deleted")
        # Enterprise contracts travel in the same copy; a term does not know its brand cheaply, so forget all.
        for model in ("SlaContract", "SlaContractTerm"):
            post_save.connect(_forget_all_sla, sender=f"workorders.{model}", dispatch_uid=f"sla-{model}-saved")
            post_delete.connect(_forget_all_sla, sender=f"workorders.{model}", dispatch_uid=f"sla-{model}-deleted")
