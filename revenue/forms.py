from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from revenue.choices import LeadKind, LeadStatus
from revenue.models import NOTE_MAX, REASON_MAX
from revenue.workflow import ACTIONS


def _blank(label) -> list[tuple[str, object]]:
    return [("", label)]


class LeadFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=_blank(_("Any status")) + list(LeadStatus.choices))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_blank(_("Any kind")) + list(LeadKind.choices))


class LeadTransitionForm(forms.Form):
    action = forms.ChoiceField(choices=[(name, a.label) for name, a in ACTIONS.items()])
    version = forms.IntegerField(min_value=1)
    value = forms.CharField(label=_("Value sold (¥)"), required=False, max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1280.00"}))
    reason = forms.CharField(label=_("Why was it lost?"), required=False, max_length=REASON_MAX,
                             widget=forms.TextInput())


class LeadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What does the customer want to hear about?"), choices=LeadKind.choices,
                             widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note for whoever calls back"), required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))
    consented_by = forms.CharField(label=_("Who agreed"), max_length=80)
    contact_phone = forms.CharField(label=_("Number to call"), max_length=30, required=False,
                                    widget=forms.TextInput(attrs={"inputmode": "tel"}))
    consent = forms.BooleanField(label=_("The customer has read this and agrees."), required=False)
    consent_wording = forms.CharField(widget=forms.HiddenInput, max_length=2000)
