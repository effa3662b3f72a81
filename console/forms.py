"""Console forms: they parse and scope input; the rules themselves live in selectors and workflow."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation
from core.errors import DomainError
from network.models import Region, Technician
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


def add_domain_error(form: forms.Form, error: DomainError) -> None:
    """Show a domain error beside its field, or above the form when it names none we render."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, str(error.message))
