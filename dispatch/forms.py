"""The board's filters: which day, and which outlet or region (brand staff); every value checked and scoped."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from console.forms import visible_outlets
from network.models import Region


class BoardForm(forms.Form):
    date = forms.DateField(label=_("Day"), required=False,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    region = forms.ModelChoiceField(label=_("Region"), required=False, queryset=Region.objects.none(),
                                    empty_label=None)
    outlet = forms.ModelChoiceField(label=_("Outlet"), required=False, queryset=None,
                                    empty_label=_("Every outlet of the region"))

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
