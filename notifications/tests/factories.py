from __future__ import annotations

from django.utils import timezone

from notifications.models import Notification


def make_notification(user, *, brand, work_order=None, key: str = "test:1", data: dict | None = None) -> Notification:
    return Notification.objects.create(recipient=user, brand=brand, kind="sla", key=key, work_order=work_order,
                                       data=data or {"clock": "onsite", "state": "at_risk"},
                                       created_at=timezone.now())


def access_probes(world) -> dict[str, dict[str, int]]:
    """For each persona of core/tests/test_access.py, a notification addressed to someone else."""
    for_dispatcher = make_notification(world.dispatcher, brand=world.brand, key="probe:dispatcher")
    for_manager = make_notification(world.manager_a, brand=world.brand, key="probe:manager")
    personas = ["dispatcher", "hotline", "analyst", "manager_a", "manager_b", "tech_a", "tech_a2", "tech_b",
                "customer", "other_customer", "rival_dispatcher"]
    # The brand's desks share one dict of foreign ids there: the manager's notification is foreign to all three.
    brand_desk = {"dispatcher", "hotline", "analyst"}
    return {p: {"notification_id": (for_manager if p in brand_desk else for_dispatcher).pk} for p in personas}


def snapshot() -> list:
    return list(Notification.objects.order_by("pk").values_list("pk", "recipient_id", "read_at"))
