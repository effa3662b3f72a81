from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "dispatch"
    verbose_name = _("Dispatch")

    def ready(self) -> None:
        # The per-process copies of the dispatch rule, standards and crew (dispatch/masters.py): an edit
        # saved here applies at once. Not a business effect: nothing but the copy changes.
        from catalog.models import ProductCategory
        from dispatch import masters
        from network.models import Region, Technician

        for model in ("dispatch.DispatchRule", "catalog.ServiceStandard", "network.Skill", "catalog.ProductModel",
                      "network.Technician", "network.Certification", "network.Region", "accounts.Organisation"):
            post_save.connect(masters.forget, sender=model, dispatch_uid=f"dispatch-masters-{model}-saved")
            post_delete.connect(masters.forget, sender=model, dispatch_uid=f"dispatch-masters-{model}-deleted")
        for through in (Technician.skills.through, Region.outlets.through, ProductCategory.authorised_outlets.through):
            m2m_changed.connect(masters.forget, sender=through, dispatch_uid=f"dispatch-masters-{through.__name__}")
