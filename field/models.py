"""The technician's side of a job: what to check and photograph per service type, and the visit record.

``JobTemplate`` (admin-edited per brand and service type, optionally per category) lists the checklist
and the required photos. A ``Visit`` is one technician's go at one order: where they checked in, how
long they worked against the standard, the diagnosis, the payment they recorded, the signature and the
charge frozen at completion. Only field.services writes a visit, by compare-and-set on its version.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from catalog.choices import ServiceType
from core.models import TimeStampedModel
from core.scoping import BrandScopedQuerySet, ScopedQuerySet
from core.text import bilingual
from field.choices import ItemKind, PaymentMethod

TEXT_MAX = 1000
FAULT_CODE_MAX = 40
ANSWER_MAX = 200


class JobTemplate(TimeStampedModel):
    """What a technician must tick and photograph on one kind of job (安装: serial plate, installed unit …)."""

    brand = models.ForeignKey(Organisation, verbose_name=_("brand"), on_delete=models.CASCADE, related_name="+")
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices)
    category = models.ForeignKey(
        "catalog.ProductCategory", verbose_name=_("product category"), on_delete=models.CASCADE, null=True,
        blank=True, related_name="+",
        help_text=_("Leave empty for every category; a template for the category wins over that one."),
    )
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("job template")
        verbose_name_plural = _("job templates")
        ordering = ["brand", "service_type", "category"]
        constraints = [
            models.UniqueConstraint(fields=["brand", "service_type", "category"], name="job_template_unique"),
            models.UniqueConstraint(fields=["brand", "service_type"], condition=Q(category__isnull=True),
                                    name="job_template_unique_all_categories"),
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistItem(models.Model):
    template = models.ForeignKey(JobTemplate, verbose_name=_("job template"), on_delete=models.CASCADE,
                                 related_name="items")
    label = models.CharField(_("label"), max_length=160)
    label_en = models.CharField(_("English label"), max_length=160, blank=True)
    kind = models.CharField(_("answer"), max_length=10, choices=ItemKind.choices, default=ItemKind.CHECK)
    unit = models.CharField(_("unit"), max_length=16, blank=True, help_text=_("For a number, e.g. MPa or ppm."))
    required = models.BooleanField(_("required"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self):
        return bilingual(self.label, self.label_en)


class PhotoRequirement(models.Model):
    template = models.ForeignKey(JobTemplate, verbose_name=_("job template"), on_delete=models.CASCADE,
                                 related_name="photos")
    code = models.SlugField(_("code"), max_length=40)
    label = models.CharField(_("label"), max_length=160)
    label_en = models.CharField(_("English label"), max_length=160, blank=True)
    required = models.BooleanField(_("required"), default=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    class Meta:
        verbose_name = _("required photo")
        verbose_name_plural = _("required photos")
        ordering = ["sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "code"], name="photo_requirement_unique")]

    def __str__(self) -> str:
        return self.label

    @property
    def display_label(self):
        return bilingual(self.label, self.label_en)


class VisitQuerySet(ScopedQuerySet):
    parent_field = "work_order"

    def _scope(self, principal):
        if principal.is_customer:
            return self.none()
        visits = super()._scope(principal)
        if principal.is_technician:
            visits = visits.filter(technician_id=principal.technician_id)
        return visits


class Visit(models.Model):
    """One technician's visit for one order, from accepting it to completing it."""

    work_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                   related_name="visits")
    technician = models.ForeignKey("network.Technician", verbose_name=_("technician"), on_delete=models.PROTECT,
                                   related_name="visits")
    departed_at = models.DateTimeField(_("set off at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checkin_latitude = models.DecimalField(_("check-in latitude"), max_digits=9, decimal_places=6, null=True,
                                           blank=True)
    checkin_longitude = models.DecimalField(_("check-in longitude"), max_digits=9, decimal_places=6, null=True,
                                            blank=True)
    checkin_accuracy_m = models.PositiveIntegerField(_("check-in accuracy (m)"), null=True, blank=True)
    checkin_distance_m = models.PositiveIntegerField(_("distance from the site at check-in (m)"), null=True,
                                                     blank=True)
    checked_out_at = models.DateTimeField(_("checked out at"), null=True, blank=True)
    labour_minutes = models.PositiveIntegerField(_("labour (minutes)"), null=True, blank=True)
    standard_minutes = models.PositiveIntegerField(_("standard (minutes)"), null=True, blank=True)
    labour_variance_minutes = models.IntegerField(
        _("labour variance (minutes)"), null=True, blank=True,
        help_text=_("Labour minus the standard for the model and service type: positive is over the standard."))
    fault_code = models.CharField(_("fault code"), max_length=FAULT_CODE_MAX, blank=True)
    symptom = models.ForeignKey("catalog.Symptom", verbose_name=_("diagnosed symptom"), on_delete=models.PROTECT,
                                null=True, blank=True, related_name="+")
    diagnosis = models.TextField(_("diagnosis"), max_length=TEXT_MAX, blank=True)
    payment_method = models.CharField(_("payment method"), max_length=10, choices=PaymentMethod.choices,
                                      blank=True)
    payment_amount = models.DecimalField(_("amount paid"), max_digits=12, decimal_places=2, null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    payment_recorded_at = models.DateTimeField(_("payment recorded at"), null=True, blank=True)
    signature = models.OneToOneField("workorders.WorkOrderAttachment", verbose_name=_("customer's signature"),
                                     on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    signed_by = models.CharField(_("signed by"), max_length=80, blank=True)
    # The charge as priced at completion (workorders.estimates.estimate_json: lines in every language).
    charge = models.JSONField(_("charge"), default=dict, blank=True)
    charge_total = models.DecimalField(_("charge to the customer"), max_digits=12, decimal_places=2, null=True,
                                       blank=True)
    shown_total = models.DecimalField(
        _("total shown on the phone"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("What the phone showed the customer, when it priced the job offline."))
    # The serial the technician read off the unit's nameplate on site, normalised as printed (any job; settlement
    # compares it with the unit's).
    serial_seen = models.CharField(_("serial on the nameplate"), max_length=40, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = VisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-created_at", "-pk"]
        constraints = [
            # One visit in progress per order and technician; a rework or a second dispatch starts another.
            models.UniqueConstraint(fields=["work_order", "technician"], condition=Q(completed_at__isnull=True),
                                    name="visit_one_open_per_technician"),
            models.CheckConstraint(condition=Q(payment_amount__isnull=True) | Q(payment_amount__gte=0),
                                   name="visit_payment_not_negative"),
        ]
        indexes = [models.Index(fields=["technician", "-created_at"], name="visit_technician_created")]

    def __str__(self) -> str:
        return f"{self.work_order_id} · {self.technician_id}"


class ChecklistAnswer(models.Model):
    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, verbose_name=_("checklist item"), on_delete=models.SET_NULL, null=True,
                             related_name="+")
    # The item's label as the technician saw it: the template may change later.
    label = models.CharField(_("label"), max_length=160)
    value = models.CharField(_("answer"), max_length=ANSWER_MAX, blank=True)
    answered_by = models.ForeignKey(User, verbose_name=_("answered by"), on_delete=models.SET_NULL, null=True,
                                    related_name="+", db_index=False)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["visit", "item"], name="checklist_answer_unique")]

    def __str__(self) -> str:
        return f"{self.label}: {self.value}"


class VisitPhoto(models.Model):
    """A photo the technician took for one of the job's required shots (or as an extra)."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="photos")
    attachment = models.OneToOneField("workorders.WorkOrderAttachment", verbose_name=_("attachment"),
                                      on_delete=models.CASCADE, related_name="visit_photo")
    requirement = models.SlugField(_("required photo"), max_length=40, blank=True)
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.visit_id}: {self.requirement or '-'}"
