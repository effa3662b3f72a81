"""Ratings of completed service (1-5 and a comment, once per order, by the order's customer), and the callbacks
(回访): the brand's policy, the survey sent after completion, and the desk's callbacks with their calls."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.choices import ServiceType
from core.scoping import BrandScopedQuerySet, ScopedQuerySet
from feedback.choices import CallbackReason, CallbackStatus, Decision, Outcome, Question


class RatingQuerySet(ScopedQuerySet):
    parent_field = "work_order"


class Rating(models.Model):
    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                      related_name="rating")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="ratings")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"))

    objects = RatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["-created_at"]
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5),
                                              name="rating_score_1_to_5")]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.score}"


def default_questions() -> list[str]:
    return list(Question.values)


class SurveyPolicy(models.Model):
    """A brand's callback rules (回访): which questions each type of service asks, which orders are sampled for a
    call, and the clocks. The row with no service type is the brand's default."""

    brand = models.ForeignKey("accounts.Organisation", verbose_name=_("brand"), on_delete=models.CASCADE,
                              related_name="+")
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices, blank=True,
                                    help_text=_("Leave empty for every type without a row of its own."))
    questions = models.JSONField(_("questions"), default=default_questions,
                                 help_text=_("Asked beside the overall score: solved, on_time, tidy, charge, nps, "
                                             "comment."))
    sample_premium = models.BooleanField(_("call every premium customer"), default=True)
    sample_rework = models.BooleanField(_("call every order with a rework history"), default=True)
    sample_percent = models.PositiveSmallIntegerField(_("call this share of the others (%)"), default=10,
                                                      validators=[MaxValueValidator(100)])
    low_score = models.PositiveSmallIntegerField(_("a low score is at most"), default=2,
                                                 validators=[MinValueValidator(1), MaxValueValidator(5)])
    answer_hours = models.PositiveIntegerField(_("call when no answer within (hours)"), default=48)
    link_days = models.PositiveIntegerField(_("survey link valid for (days)"), default=7,
                                            validators=[MinValueValidator(1)])
    callback_hours = models.PositiveIntegerField(_("call within (hours)"), default=24,
                                                 help_text=_("The callback's own deadline, from when it is due."))
    retry_hours = models.PositiveIntegerField(_("retry an unreached customer after (hours)"), default=4)
    max_attempts = models.PositiveSmallIntegerField(_("attempts before giving up"), default=3,
                                                    validators=[MinValueValidator(1)])
    close_after_days = models.PositiveIntegerField(_("close without a callback after (days)"), default=7)

    objects = BrandScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback policy")
        verbose_name_plural = _("callback policies")
        constraints = [models.UniqueConstraint(fields=["brand", "service_type"], name="survey_policy_unique")]

    def __str__(self) -> str:
        return f"{self.brand_id} {self.service_type or '*'}"

    def clean(self) -> None:
        unknown = set(self.questions or []) - set(Question.values)
        if not isinstance(self.questions, list) or unknown:
            raise ValidationError({"questions": _("Name questions from: %(known)s.")
                                   % {"known": ", ".join(Question.values)}})


class SurveyQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    outlet_field = "work_order__outlet_id"
    customer_field = "customer_id"


class Survey(models.Model):
    """The survey sent after an order's completion: its questions as sent, its link's life and the answers."""

    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                      related_name="survey")
    brand = models.ForeignKey("accounts.Organisation", verbose_name=_("brand"), on_delete=models.CASCADE,
                              related_name="+")
    customer = models.ForeignKey("customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE,
                                 related_name="surveys")
    questions = models.JSONField(_("questions"), default=list)
    sent_at = models.DateTimeField(_("sent at"))
    expires_at = models.DateTimeField(_("link expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_via = models.CharField(_("answered via"), max_length=10, blank=True)
    overall = models.PositiveSmallIntegerField(_("overall"), null=True, blank=True,
                                               validators=[MinValueValidator(1), MaxValueValidator(5)])
    solved = models.BooleanField(_("solved"), null=True, blank=True)
    on_time = models.BooleanField(_("on time"), null=True, blank=True)
    tidy = models.BooleanField(_("tidy"), null=True, blank=True)
    charge_as_quoted = models.BooleanField(_("charge as quoted"), null=True, blank=True)
    nps = models.PositiveSmallIntegerField(_("NPS"), null=True, blank=True, validators=[MaxValueValidator(10)])
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    objects = SurveyQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-sent_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(overall__isnull=True) | models.Q(overall__gte=1, overall__lte=5),
                                   name="survey_overall_1_to_5"),
            models.CheckConstraint(condition=models.Q(nps__isnull=True) | models.Q(nps__lte=10),
                                   name="survey_nps_0_to_10"),
        ]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.overall or '-'}"


class CallbackQuerySet(ScopedQuerySet):
    brand_field = "brand_id"
    outlet_field = "work_order__outlet_id"


class Callback(models.Model):
    """An order on the callback desk (回访): why it is due, its deadline, the calls made and the review's end."""

    work_order = models.OneToOneField("workorders.WorkOrder", verbose_name=_("work order"), on_delete=models.CASCADE,
                                      related_name="callback")
    brand = models.ForeignKey("accounts.Organisation", verbose_name=_("brand"), on_delete=models.CASCADE,
                              related_name="+")
    reason = models.CharField(_("reason"), max_length=12, choices=CallbackReason.choices)
    status = models.CharField(_("status"), max_length=8, choices=CallbackStatus.choices, default=CallbackStatus.DUE)
    created_at = models.DateTimeField(_("created at"))
    due_at = models.DateTimeField(_("call by"))
    next_call_at = models.DateTimeField(_("next call from"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, blank=True)
    rework_order = models.ForeignKey("workorders.WorkOrder", verbose_name=_("rework order"), on_delete=models.PROTECT,
                                     null=True, blank=True, related_name="+")
    complaint_id = models.PositiveBigIntegerField(_("complaint"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey("accounts.User", verbose_name=_("done by"), on_delete=models.SET_NULL, null=True,
                                blank=True, related_name="+")
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "pk"]
        indexes = [models.Index(fields=["brand", "status", "due_at"], name="callback_queue")]

    def __str__(self) -> str:
        return f"{self.work_order_id}: {self.get_status_display()}"


class CallbackAttemptQuerySet(ScopedQuerySet):
    parent_field = "callback"


class CallbackAttempt(models.Model):
    """One call of the desk to the customer about a callback, with what it came to."""

    callback = models.ForeignKey(Callback, verbose_name=_("callback"), on_delete=models.CASCADE,
                                 related_name="calls")
    outcome = models.CharField(_("outcome"), max_length=14, choices=Outcome.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    by = models.ForeignKey("accounts.User", verbose_name=_("by"), on_delete=models.SET_NULL, null=True,
                           related_name="+")
    at = models.DateTimeField(_("at"))

    objects = CallbackAttemptQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback call")
        verbose_name_plural = _("callback calls")
        ordering = ["at", "pk"]
