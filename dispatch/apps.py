from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        # The per-process copies of the dispatch rule and service standards (dispatch/masters.py): an edit
        # saved here applies at once. Not a business effect: nothing but the copy changes.
        from dispatch import masters

        for model in ("dispatch.DispatchRule", "catalog.ServiceStandard", "network.Skill", "catalog.ProductModel"):
            post_save.connect(masters.forget, sender=model, dispatch_uid=f"dispatch-masters-{model}-saved")
            post_delete.connect(masters.forget, sender=model, dispatch_uid=f"dispatch-masters-{model}-deleted")
