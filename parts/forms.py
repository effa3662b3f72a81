"""Forms of the parts pages: they parse input; the rules are parts.services'."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parts.models import REASON_MAX


class TransferForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class RefuseForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason for the technician"), max_length=REASON_MAX, strip=True,
        error_messages={"required": _("Give a reason: the technician reads it.")},
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("e.g. out of stock until Friday")}),
    )


class WarehouseChoiceForm(forms.Form):
    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=None, empty_label=None)

    def __init__(self, *args, warehouses, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
