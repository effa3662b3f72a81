from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.principal import principal_of
from complaints import services, workflow
from complaints.choices import Outcome, Remedy, ResponsibleParty
from complaints.models import Complaint, ComplaintClock, ComplaintEvent, LadderContact
from core.errors import DomainError

# What the lifecycle owns: never typed in the admin, only moved by a step (complaints.workflow).
LIFECYCLE_FIELDS = (
    "status", "escalation_level", "acknowledge_due", "resolve_due", "acknowledged_at", "escalate_at", "outcome",
    "remedies", "compensation", "responsible", "resolution", "resolved_at", "resolved_by", "appeal_statement",
    "appealed_at", "appealed_by", "appealed_outcome", "arbitration", "arbitrated_at", "arbitrated_by", "opened_by",
    "region",
)
# What the admin's form edits; a change saves only these (and the region the order names).
OWN_FIELDS = ("customer", "work_order", "outlet", "technician", "category", "severity", "channel", "description",
              "opened_at")


def _actor(user, brand_id: int):
    """The user's own seat when they hold one in the brand, else the admin site acting for them."""
    principal = principal_of(user)
    if principal is not None and principal.brand_id == brand_id:
        return principal
    return workflow.admin_principal(user, brand_id)


class ComplaintAdminForm(forms.ModelForm):
    """A complaint's own fields, and one step of its lifecycle: the steps offered are those the workflow allows
    from here; saving takes the step through complaints.workflow.transition (a refusal is said beside the field)."""

    step = forms.ChoiceField(label=_("Step"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Resolve: how it was resolved. Other steps: an optional note."))
    verdict_outcome = forms.ChoiceField(label=_("outcome"), required=False, choices=[("", "---"), *Outcome.choices])
    verdict_remedies = forms.MultipleChoiceField(label=_("remedies"), required=False, choices=Remedy.choices,
                                                 widget=forms.CheckboxSelectMultiple)
    verdict_compensation = forms.DecimalField(label=_("compensation"), required=False, max_digits=10,
                                              decimal_places=2)
    verdict_responsible = forms.ChoiceField(label=_("responsible party"), required=False,
                                            choices=[("", "---"), *ResponsibleParty.choices])

    class Meta:
        model = Complaint
        fields = ("customer", "work_order", "outlet", "technician", "category", "severity", "channel", "description",
                  "opened_at")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        steps = []
        if self.instance.pk is not None:
            actor = _actor(user, self.instance.brand_id)
            steps = [(a.name, a.label) for a in workflow.available_actions(self.instance, actor)]
        self.fields["step"].choices = [("", "---"), *steps]

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if customer is not None and self.instance.pk is None:
            self.instance.brand_id = customer.brand_id
        if data.get("step") == "resolve" and not (data.get("note") or "").strip():
            self.add_error("note", workflow.RESOLUTION_NEEDED)
        return data


class ComplaintEventInline(admin.TabularInline):
    model = ComplaintEvent
    extra = 0
    can_delete = False
    fields = ("created_at", "action", "from_status", "to_status", "level", "actor", "actor_role", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    form = ComplaintAdminForm
    inlines = [ComplaintEventInline]
    list_display = ("pk", "opened_at", "customer", "category", "severity", "outlet", "status", "escalation_level",
                    "outcome")
    list_filter = ("status", "severity", "category", "escalation_level", "outcome", "outlet")
    search_fields = ("customer__name", "=customer__phone", "=work_order__number", "description")
    raw_id_fields = ("customer", "work_order", "outlet", "technician")
    date_hierarchy = "opened_at"

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)

        class WithUser(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, user=request.user, **kw)

        return WithUser

    def get_readonly_fields(self, request, obj=None):
        return LIFECYCLE_FIELDS

    def get_fieldsets(self, request, obj=None):
        own = OWN_FIELDS
        if obj is None:
            return [(None, {"fields": own})]
        return [
            (None, {"fields": own}),
            (_("Lifecycle"), {"fields": LIFECYCLE_FIELDS}),
            (_("Take a step"), {"fields": ("step", "note", "verdict_outcome", "verdict_remedies",
                                           "verdict_compensation", "verdict_responsible")}),
        ]

    def save_model(self, request, obj: Complaint, form, change) -> None:
        order = obj.work_order
        if order is not None:
            obj.outlet_id = obj.outlet_id or order.outlet_id
            obj.technician_id = obj.technician_id or order.technician_id
            obj.region_id = obj.region_id or order.region_id
        if not change:
            obj.opened_by = request.user
            services.record_new(complaint=obj, actor=_actor(request.user, obj.brand_id))
            return
        # Only what this form edits: the lifecycle fields read at the start of the request may be stale by now
        # (the ladder's watch or a desk may have moved the complaint meanwhile).
        obj.save(update_fields=[*OWN_FIELDS, "region"])
        data = form.cleaned_data
        if data.get("step"):
            verdict = workflow.Verdict(outcome=data.get("verdict_outcome") or "",
                                       remedies=tuple(data.get("verdict_remedies") or ()),
                                       compensation=data.get("verdict_compensation"),
                                       responsible=data.get("verdict_responsible") or "")
            try:
                workflow.transition(obj, data["step"], actor=_actor(request.user, obj.brand_id),
                                    note=data.get("note") or "", verdict=verdict)
            except DomainError as error:
                self.message_user(request, str(error.message), level="error")


@admin.register(LadderContact)
class LadderContactAdmin(admin.ModelAdmin):
    list_display = ("brand", "role", "region", "user")
    list_filter = ("role", "brand")
    raw_id_fields = ("user",)


@admin.register(ComplaintClock)
class ComplaintClockAdmin(admin.ModelAdmin):
    """The brand's complaint clocks per severity (service minutes); a severity without a row keeps the defaults."""

    list_display = ("brand", "severity", "acknowledge_minutes", "resolve_minutes", "rung_minutes")
    list_filter = ("brand", "severity")
