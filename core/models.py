from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.scoping import ScopedQuerySet


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class DatedVersion(TimeStampedModel):
    """Master data a brand versions by days (price lists, settlement tariffs): valid from ``valid_from`` to
    ``valid_to``, both inclusive, an empty end open; published versions of one brand never share a day (``clean``).
    A concrete model sets ``objects`` to a core.scoping.DatedQuerySet manager, its Meta's names, and the two
    messages ``ends_before_start`` and ``overlaps``."""

    brand = models.ForeignKey("accounts.Organisation", verbose_name=_("brand"), on_delete=models.PROTECT,
                              related_name="+")
    name = models.CharField(_("name"), max_length=120)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Inclusive; empty for no end."))
    is_published = models.BooleanField(_("published"), default=False)

    ends_before_start = _("The version must end on or after the day it starts.")
    overlaps = _("Another published version of this brand is valid on some of these days.")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.name} ({self.valid_from.isoformat()} – {end})"

    def overlapping_published(self):
        return (type(self)._default_manager.filter(brand_id=self.brand_id).published()
                .overlapping(self.valid_from, self.valid_to).exclude(pk=self.pk))

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": self.ends_before_start})
        if self.is_published and self.valid_from and self.brand_id and self.overlapping_published().exists():
            raise ValidationError(self.overlaps)


class Counter(models.Model):
    """Named sequences (work-order numbers per month), advanced by compare-and-set."""

    key = models.CharField(max_length=64, unique=True)
    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"


class IdempotencyRecord(models.Model):
    """The first response to an Idempotency-Key, replayed for a retry with the same body."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=128)
    scope = models.CharField(max_length=40)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "scope", "key"], name="idempotency_unique")]


class EventRow(models.Model):
    """The part every lifecycle's event row shares: who took the step, in which role, and when (the row is
    written by the lifecycle's events.py; the concrete model adds what moved and why)."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), on_delete=models.SET_NULL,
                              null=True, blank=True, related_name="+", db_index=False)
    actor_role = models.CharField(_("actor role"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("time"))

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]


class OutboxEventQuerySet(ScopedQuerySet):
    """Events are the brand's: its staff see them (the admin); outlets, technicians and customers do not
    (what reaches them is the sinks' own rows, scoped by those)."""

    brand_field = "brand_id"


class OutboxEvent(models.Model):
    """A domain event recorded in the transaction of the change it tells of (core/outbox.py); the worker
    hands it to every sink registered for its kind. Brand and order are plain ids: core sits below the
    apps that own them."""

    kind = models.CharField(_("kind"), max_length=60, db_index=True)
    brand_id = models.BigIntegerField(_("brand"), null=True, blank=True, db_index=True)
    work_order_id = models.BigIntegerField(_("work order"), null=True, blank=True, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.BigIntegerField(_("subject id"), null=True, blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(_("created at"), db_index=True)

    objects = OutboxEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("outbox event")
        verbose_name_plural = _("outbox events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="outbox_event_subject")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("outbox delivery", "Pending")
    DELIVERED = "delivered", pgettext_lazy("outbox delivery", "Delivered")
    DEAD = "dead", pgettext_lazy("outbox delivery", "Dead")


class DeliveryQuerySet(ScopedQuerySet):
    parent_field = "event"


class Delivery(models.Model):
    """One event for one sink: pending until the sink took it, retried with backoff, dead after the last
    attempt. A worker holds it by a lease (token and expiry) while it calls the sink."""

    event = models.ForeignKey(OutboxEvent, verbose_name=_("event"), on_delete=models.CASCADE,
                              related_name="deliveries")
    sink = models.CharField(_("sink"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=DeliveryStatus.choices,
                              default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    lease_token = models.CharField(_("lease"), max_length=32, blank=True)
    leased_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["event", "sink"], name="outbox_delivery_once_per_sink")]
        # The worker's one question: which pending deliveries are due.
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event_id} → {self.sink} ({self.status})"


class DeliveryAttemptQuerySet(ScopedQuerySet):
    parent_field = "delivery"


class DeliveryAttempt(models.Model):
    """One try of one delivery; ``ok`` stays None when the worker died during it."""

    delivery = models.ForeignKey(Delivery, verbose_name=_("delivery"), on_delete=models.CASCADE,
                                 related_name="attempt_rows")
    number = models.PositiveIntegerField(_("attempt"))
    started_at = models.DateTimeField(_("started at"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    ok = models.BooleanField(_("succeeded"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=80, blank=True)

    objects = DeliveryAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")
        ordering = ["delivery", "number", "pk"]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
