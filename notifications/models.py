from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.models import ScopedQuerySet


class NotificationQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        # Addressed to one person: nobody else sees it, whatever their role.
        return self.filter(recipient_id=principal.user.pk)


class Notification(models.Model):
    """One message to one person in the console (notifications.backends.InAppBackend writes these).

    ``key`` names the event: the same event delivered twice is one row (unique per recipient). The text
    is made when shown, from ``kind`` and ``data``, so it reads in the reader's language.
    """

    recipient = models.ForeignKey(User, verbose_name=_("recipient"), on_delete=models.CASCADE,
                                  related_name="notifications", db_index=False)
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+",
                              db_index=False)
    kind = models.CharField(_("kind"), max_length=20)
    key = models.CharField(_("key"), max_length=120)
    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   null=True, blank=True, related_name="+", db_index=False)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("time"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_key")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient_time"),
            # The navigation's unread badge counts only these.
            models.Index(fields=["recipient"], condition=models.Q(read_at__isnull=True), name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.key}"
