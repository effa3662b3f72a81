"""Console forms: they parse and scope input; the rules themselves live in selectors and workflow."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation
from complaints.choices import ComplaintCategory, ComplaintStatus, Outcome, Remedy, ResponsibleParty, Severity
from complaints.models import DESCRIPTION_MAX as COMPLAINT_DESCRIPTION_MAX
from complaints.models import STATEMENT_MAX as COMPLAINT_STATEMENT_MAX
from complaints.workflow import ACTIONS as COMPLAINT_ACTIONS
from network.models import Region, Technician
from parts.models import REASON_MAX as PART_REASON_MAX
from revenue.choices import LeadKind, LeadStatus
from revenue.models import REASON_MAX as LEAD_REASON_MAX
from revenue.workflow import ACTIONS as LEAD_ACTIONS
from workorders.choices import HoldReason, SlaState, Status, WorkOrderType
from workorders.models import REASON_MAX
from workorders.selectors import OrderFilters
from workorders.workflow import ACTIONS

PAGE_MAX = 100_000


def _blank(label) -> list[tuple[str, object]]:
    return [("", label)]


def visible_outlets(user):
    return Organisation.objects.visible_to(user).filter(kind=OrgKind.OUTLET, is_active=True).order_by("name")


class OrderFilterForm(forms.Form):
    """The list's search box and filters; every field optional, every value checked."""

    q = forms.CharField(
        label=_("Search"), required=False, max_length=64, strip=True,
        widget=forms.TextInput(attrs={
            "type": "search", "placeholder": _("Order number, phone, serial, name or address"), "autocomplete": "off",
        }),
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=_blank(_("Any status")) + Status.choices)
    type = forms.ChoiceField(label=_("Type"), required=False, choices=_blank(_("Any type")) + WorkOrderType.choices)
    outlet = forms.ModelChoiceField(label=_("Outlet"), required=False, queryset=Organisation.objects.none(),
                                    empty_label=_("Any outlet"))
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none(),
                                    empty_label=_("Any region"))
    sla = forms.ChoiceField(label=_("SLA"), required=False, choices=_blank(_("Any SLA state")) + SlaState.choices)
    created_from = forms.DateField(label=_("Created from"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    created_to = forms.DateField(label=_("Created to"), required=False,
                                 widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = visible_outlets(user)
        self.fields["region"].queryset = Region.objects.visible_to(user).order_by("name")

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and end < start:
            self.add_error("created_to", _("The end date is before the start date."))
        return data

    def filters(self) -> OrderFilters:
        """The selector's filters; call only on a valid form."""
        data = self.cleaned_data
        return OrderFilters(
            q=data["q"],
            status=data["status"],
            type=data["type"],
            outlet=data["outlet"].pk if data["outlet"] else None,
            region=data["region"].pk if data["region"] else None,
            sla=data["sla"],
            created_from=data["created_from"],
            created_to=data["created_to"],
        )


def page_number(raw: str | None) -> int:
    """A page number from the query string; anything unusable is page 1."""
    try:
        page = int(raw or 1)
    except (TypeError, ValueError):
        return 1
    return min(max(page, 1), PAGE_MAX)


class TransitionForm(forms.Form):
    """One lifecycle step. Ids are resolved through visible_to; whether the step is allowed is workflow's call."""

    action = forms.ChoiceField(choices=[(a.name, a.label) for a in ACTIONS.values()], widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    outlet = forms.ModelChoiceField(label=_("Outlet"), required=False, queryset=Organisation.objects.none(),
                                    empty_label=_("Choose an outlet"))
    technician = forms.ModelChoiceField(label=_("Technician"), required=False, queryset=Technician.objects.none(),
                                        empty_label=_("Choose a technician"))
    hold_reason = forms.ChoiceField(label=_("Why on hold"), required=False,
                                    choices=_blank(_("Choose a reason")) + HoldReason.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = visible_outlets(user)
        # A posted id is resolved against every technician the user may see; workflow decides if it fits.
        self.fields["technician"].queryset = Technician.objects.visible_to(user).order_by("name")

    def offer_choices(self, order) -> None:
        """Narrow the technician list on display to the order's outlet's active technicians."""
        field = self.fields["technician"]
        field.queryset = field.queryset.filter(outlet_id=order.outlet_id, is_active=True) if order.outlet_id \
            else field.queryset.none()


class BoardForm(forms.Form):
    """The dispatch board's filters: which day, and which outlet or region (brand staff); every value checked
    and scoped."""

    date = forms.DateField(label=_("Day"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none(),
                                    empty_label=None)
    outlet = forms.ModelChoiceField(label=_("Outlet"), required=False, queryset=None,
                                    empty_label=_("Every outlet of the region"))
    q = forms.CharField(label=_("Find in the queue"), required=False, max_length=60, strip=True,
                        widget=forms.TextInput(attrs={"type": "search",
                                                      "placeholder": _("customer, district, product, number")}))
    type = forms.ChoiceField(label=_("Service type"), required=False,
                             choices=[("", _("Every service type")), *WorkOrderType.choices])

    def __init__(self, *args, user, brand_side: bool, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = visible_outlets(user)
        self.fields["region"].queryset = Region.objects.visible_to(user).filter(outlets__isnull=False).distinct() \
            .order_by("code")
        if not brand_side:
            del self.fields["region"]
            del self.fields["outlet"]

    def clean_date(self) -> dt.date | None:
        day = self.cleaned_data.get("date")
        if day is not None and not dt.date(2000, 1, 1) <= day <= dt.date(2100, 1, 1):
            raise forms.ValidationError(_("Choose a day between 2000 and 2100."))
        return day


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank(_("Any status")) + list(LeadStatus.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(_("Any kind")) + list(LeadKind.choices))


class LeadTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, a.label) for name, a in LEAD_ACTIONS.items()])
    version = forms.IntegerField(min_value=1)
    # Winning an extended-warranty lead sells one of the unit's offers (pricing.extended.offers_for).
    term = forms.TypedChoiceField(label=_("Extended warranty sold"), coerce=int, required=False, empty_value=None,
                                  choices=())
    value = forms.CharField(label=_("Value sold (¥)"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1280.00"}))
    reason = forms.CharField(label=_("Why was it lost?"), required=False, max_length=LEAD_REASON_MAX,
                             widget=forms.TextInput())

    def __init__(self, *args, terms: list[tuple[int, str]] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["term"].choices = [("", "—"), *terms]


class TransferForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class RefuseForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the technician"), max_length=PART_REASON_MAX, strip=True,
        error_messages={"required": _("Give a reason: the technician reads it.")},
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. out of stock until Friday")}),
    )


class WarehouseChoiceForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None, empty_label=None)

    def __init__(self, *args, warehouses, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses


class ComplaintFilterForm(forms.Form):
    """The complaints desk's filters (complaints.selectors.Filters)."""

    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank(_("Any status")) + list(ComplaintStatus.choices))
    severity = forms.ChoiceField(label=_("Severity"), required=False,
                                 choices=_blank(_("Any severity")) + list(Severity.choices))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=_blank(_("Any category")) + list(ComplaintCategory.choices))
    outlet = forms.ModelChoiceField(label=_("Outlet"), required=False, queryset=Organisation.objects.none(),
                                    empty_label=_("Any outlet"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, outlets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if outlets is not None:
            self.fields["outlet"].queryset = outlets


class ReworkForm(forms.Form):
    """Have the finished order done again (返修, workorders.rework): by which outlet, and what is still wrong."""

    outlet = forms.ModelChoiceField(label=_("Outlet that does it again"), queryset=Organisation.objects.none(),
                                    empty_label=_("Choose an outlet"))
    reason = forms.CharField(label=_("What is still wrong"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, order=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["outlet"].queryset = visible_outlets(user)
        if order is not None and not self.is_bound:
            self.fields["outlet"].initial = order.outlet_id


class HotlineComplaintForm(forms.Form):
    """A complaint the hotline takes down about the order on screen (complaints.services.open_complaint)."""

    category = forms.ChoiceField(label=_("What went wrong?"), choices=ComplaintCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL)
    description = forms.CharField(label=_("What the caller says"), max_length=COMPLAINT_DESCRIPTION_MAX,
                                  widget=forms.Textarea(attrs={"rows": 3}))


# What the note is called on the panel of each step that gives it a meaning of its own.
COMPLAINT_NOTE_LABELS = {"resolve": _("How it was resolved"), "appeal": _("The outlet's statement"),
                         "arbitrate": _("The arbiter's decision")}


class ComplaintStepForm(forms.Form):
    """One step of a complaint (complaints.workflow.transition): what the step's panel asks for; ``step`` names
    it, so the note is called what it is on that step."""

    action = forms.ChoiceField(choices=[(name, a.label) for name, a in COMPLAINT_ACTIONS.items()])
    note = forms.CharField(label=_("Note"), required=False, max_length=COMPLAINT_STATEMENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=_blank("—") + list(Outcome.choices))
    remedies = forms.MultipleChoiceField(label=_("Remedies"), required=False, choices=Remedy.choices,
                                         widget=forms.CheckboxSelectMultiple)
    compensation = forms.CharField(label=_("Compensation (¥)"), required=False, max_length=20,
                                   widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "50.00"}))
    responsible = forms.ChoiceField(label=_("Responsible party"), required=False,
                                    choices=_blank("—") + list(ResponsibleParty.choices))

    def __init__(self, *args, step: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        if step in COMPLAINT_NOTE_LABELS:
            self.fields["note"].label = COMPLAINT_NOTE_LABELS[step]


class StaffPreferencesForm(forms.Form):
    """The signed-in staff member's own notification choices (notifications.preferences.set_choices)."""

    in_app = forms.BooleanField(label=_("In the console"), required=False,
                                help_text=_("The notifications page and the count in the top bar."))
    email = forms.BooleanField(label=_("By e-mail"), required=False,
                               help_text=_("Each notification also as an e-mail, once."))
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)
