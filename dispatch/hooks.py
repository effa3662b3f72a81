"""What dispatch supplies to the layers below it and connects at start-up (core/hooks.py autodiscovers this
module once every model is loaded)."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from catalog.models import ProductCategory
from dispatch import masters, selectors
from network.models import Region, Technician
from workorders.slots import free_capacity, offer_slots, serves, slot_windows

# Intake (workorders) offers and books the slots dispatch computes.
slot_windows.register(selectors.slot_windows)
offer_slots.register(selectors.offer_slots)
free_capacity.register(selectors.free_capacity)
serves.register(selectors.serves)

# The per-process copies of the dispatch rule, standards and crew (dispatch/masters.py): an edit saved in this
# process applies at once. Not a business effect: nothing but the copy changes, so model signals are right here.
for model in ("dispatch.DispatchRule", "catalog.ServiceStandard", "network.Skill", "catalog.ProductModel",
              "network.Technician", "network.Certification", "network.Region", "accounts.Organisation"):
    post_save.connect(masters.forget, sender=model, dispatch_uid=f"dispatch-masters-{model}-saved")
    post_delete.connect(masters.forget, sender=model, dispatch_uid=f"dispatch-masters-{model}-deleted")
for through in (Technician.skills.through, Region.outlets.through, ProductCategory.authorised_outlets.through):
    m2m_changed.connect(masters.forget, sender=through, dispatch_uid=f"dispatch-masters-{through.__name__}")
