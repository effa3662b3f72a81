from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind, OutletType, Role
from core.models import TimeStampedModel
from core.names import full_name
from core.scoping import ScopedQuerySet


class User(AbstractUser):
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        # Family name first for Chinese names (林晓峰), Django's "given family" only for Western ones.
        return full_name(self.last_name, self.first_name)


class OrganisationQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        if principal.is_brand_staff:
            return self.filter(models.Q(pk=principal.brand_id) | models.Q(brand_id=principal.brand_id))
        if principal.outlet_id:
            return self.filter(pk=principal.outlet_id)
        return self.none()


class Organisation(TimeStampedModel):
    """The brand, or one of its service outlets."""

    kind = models.CharField(_("kind"), max_length=10, choices=OrgKind.choices)
    outlet_type = models.CharField(_("outlet type"), max_length=12, choices=OutletType.choices, blank=True)
    brand = models.ForeignKey(
        "self", verbose_name=_("brand"), on_delete=models.PROTECT, null=True, blank=True, related_name="outlets"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    city = models.CharField(_("city"), max_length=60, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    daily_capacity = models.PositiveIntegerField(_("daily capacity (jobs)"), default=40)
    # A central repair centre (中央维修) takes mail-in repairs at its bench (logistics): an outlet so flagged.
    is_repair_centre = models.BooleanField(_("repair centre"), default=False, db_default=False,
                                           help_text=_("Receives mail-in repairs by courier at its bench."))
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(kind=OrgKind.BRAND, brand__isnull=True, outlet_type="")
                           | models.Q(kind=OrgKind.OUTLET, brand__isnull=False) & ~models.Q(outlet_type="")),
                name="organisation_kind_consistent",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def brand_id_or_self(self) -> int:
        return self.brand_id or self.pk

    @property
    def is_in_house(self) -> bool:
        return self.outlet_type == OutletType.OWN


class Membership(TimeStampedModel):
    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} @ {self.organisation}"


def _hash_token(raw: str) -> str:
    # Tokens are 256-bit random strings: a fast hash is enough and keeps lookups O(1).
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet):
    def _scope(self, principal):
        return self.filter(user_id=principal.user.pk)

    def active(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(TimeStampedModel):
    """A bearer token for integrations and apps. Only its hash is stored."""

    PREFIX = "as_"

    user = models.ForeignKey(User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    last_four = models.CharField(max_length=4, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (…{self.last_four})"

    @classmethod
    def issue(cls, *, user: User, name: str, expires_at=None) -> tuple[ApiToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, token_hash=_hash_token(raw), last_four=raw[-4:], expires_at=expires_at
        )
        return token, raw

    @classmethod
    def hash_of(cls, raw: str) -> str | None:
        """The stored hash of a presented token; None for a string no token can be (nothing to look up).

        Authentication itself is ``accounts.principal.authenticate_token``, which also resolves the principal.
        """
        if not raw or not raw.startswith(cls.PREFIX) or len(raw) > 100:
            return None
        return _hash_token(raw)
