"""Forms of the technician's pages: they parse input; the rules are the services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from revenue.choices import LeadKind
from revenue.models import NOTE_MAX


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
