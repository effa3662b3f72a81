"""The finance desk's forms (console/views/settlement.py): the month and state of the desk, a statement's move, an
outlet's dispute of a line, finance's decision on a dispute and on a fraud flag. They check the shape of what was
typed; settlement.workflow, settlement.disputes and settlement.fraud decide and refuse (their refusals are put
beside the field they name with core.forms.add_domain_error)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.dates import add_months, brand_tz
from settlement.choices import StatementState
from settlement.disputes import REASON_MAX
from settlement.workflow import ACTIONS

AMOUNT = {"max_digits": 12, "decimal_places": 2, "min_value": Decimal("-9999999999.99"),
          "max_value": Decimal("9999999999.99")}
NOTE_MAX = 500


def last_month() -> dt.date:
    """The first day of the month before this one, in the brand's zone: the month finance settles now."""
    today = timezone.now().astimezone(brand_tz()).date()
    return add_months(today.replace(day=1), -1)


class MonthField(forms.DateField):
    """A month as the browser's month input gives it (2026-11), kept as its first day."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m"]

    def to_python(self, value):
        day = super().to_python(value)
        return day.replace(day=1) if day else day


class DeskForm(forms.Form):
    period = MonthField(label=_("Month"), required=False)
    state = forms.ChoiceField(label=_("State"), required=False,
                              choices=[("", _("All states")), *StatementState.choices])

    def period_or_default(self) -> dt.date:
        if self.is_bound and self.is_valid() and self.cleaned_data.get("period"):
            return self.cleaned_data["period"]
        return last_month()


class GenerateForm(forms.Form):
    period = MonthField(label=_("Month"))


class MoveForm(forms.Form):
    """A move of a statement by its action's name, against the version the page showed."""

    action = forms.ChoiceField(choices=[(name, name) for name in ACTIONS])
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    payment_reference = forms.CharField(label=_("Payment reference"), max_length=80, required=False)


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("Why the line is wrong"), max_length=REASON_MAX,
                             widget=forms.Textarea(attrs={"rows": 2}))
    claimed_amount = forms.DecimalField(label=_("The amount it should be (yuan)"), required=False, **AMOUNT)


class ResolveForm(forms.Form):
    UPHOLD, REJECT = "uphold", "reject"
    decision = forms.ChoiceField(label=_("Decision"), choices=[(UPHOLD, _("Uphold")), (REJECT, _("Reject"))],
                                 widget=forms.RadioSelect)
    decided_amount = forms.DecimalField(label=_("Amount decided (yuan)"), required=False, **AMOUNT)
    resolution = forms.CharField(label=_("Resolution"), max_length=REASON_MAX, required=False,
                                 widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.REJECT and not (data.get("resolution") or "").strip():
            self.add_error("resolution", _("Say why the line stands."))
        return data


class FlagDecisionForm(forms.Form):
    CLEAR, UPHOLD = "clear", "uphold"
    decision = forms.ChoiceField(choices=[(CLEAR, _("Clear")), (UPHOLD, _("Uphold"))])
    note = forms.CharField(label=_("Reviewer's note"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean(self):
        data = super().clean()
        if data.get("decision") == self.UPHOLD and not (data.get("note") or "").strip():
            self.add_error("note", _("Say why the flag is upheld."))
        return data
