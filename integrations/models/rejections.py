from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from integrations.choices import Source
from network.models import BrandAdminQuerySet

RING_SIZE = 100


class RejectedRequest(models.Model):
    """The last refused integration requests, kept for the brand admin in a ring of fixed size.

    Each (source, brand) has RING_SIZE slots that are overwritten in turn, and every request naming an
    unknown brand shares one ring: whatever an attacker sends, the table cannot grow past
    (brands + 1) × sources × RING_SIZE rows.
    """

    ring = models.CharField(max_length=40, editable=False)
    slot = models.PositiveSmallIntegerField(editable=False)
    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, null=True,
                              blank=True, related_name="+")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    code = models.CharField(_("code"), max_length=40)
    detail = models.CharField(_("detail"), max_length=200, blank=True)
    remote_addr = models.GenericIPAddressField(_("remote address"), null=True, blank=True)
    at = models.DateTimeField(_("time"))

    objects = BrandAdminQuerySet.as_manager()

    class Meta:
        verbose_name = _("refused request")
        verbose_name_plural = _("refused requests")
        ordering = ["-at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["ring", "slot"], name="rejected_request_slot")]

    def __str__(self) -> str:
        return f"{self.source} {self.code} {self.at:%Y-%m-%d %H:%M:%S}"
