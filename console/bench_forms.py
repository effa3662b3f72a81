"""The repair bench's forms (console/views/bench.py): they parse what the bench types or scans; logistics.bench
decides what is allowed. Each step's form carries the case's version, so a step taken on a page someone else has
moved on since is refused, not applied to a unit in another hop."""

from __future__ import annotations

import re
from itertools import zip_longest

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from catalog.choices import ExclusionReason
from catalog.models import Part
from core.bounds import MAX_ID
from core.text import render_lazy
from logistics.bench import NOTE_MAX, QC_POINTS, SERIAL_MAX
from logistics.booking import WAYBILL_MAX
from logistics.selectors import SCAN_MAX, WEEKS_MAX

PART_ROWS = 4  # the rows a parts list offers; more parts than that are rare at one bench
PART_QTY_MAX = 99
ACCESSORY_SPLIT = re.compile(r"[,\n\r;，、；]+")

QC_LABELS = {
    "powers_on": _("Powers on and runs"),
    "fault_gone": _("The reported fault is gone"),
    "no_leak": _("No leak"),
    "clean": _("Cleaned"),
    "accessories_packed": _("Accessories packed back"),
    "serial_checked": _("Serial checked against the case"),
}
assert set(QC_LABELS) == set(QC_POINTS), "every quality check point has its label"


class ScanForm(forms.Form):
    q = forms.CharField(label=_("Scan or type a waybill, serial or order number"), max_length=SCAN_MAX, strip=True,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false",
                                                      "placeholder": _("Waybill, serial or order number")}))


class PartRowsWidget(forms.Widget):
    """Parts as rows of a code and a quantity (``<name>-code`` and ``<name>-qty``, repeated); the template draws
    the rows itself (``part_rows``)."""

    def value_from_datadict(self, data, files, name):
        codes = data.getlist(f"{name}-code") if hasattr(data, "getlist") else []
        quantities = data.getlist(f"{name}-qty") if hasattr(data, "getlist") else []
        return [(str(c).strip(), str(q).strip()) for c, q in zip_longest(codes, quantities, fillvalue="")]

    def value_omitted_from_data(self, data, files, name):
        return False


class PartRowsField(forms.Field):
    """The rows filled in, as (code, quantity) with each code once (a code twice adds up); blank rows skipped."""

    widget = PartRowsWidget

    def to_python(self, value) -> list[tuple[str, int]]:
        wanted: dict[str, int] = {}
        for code, quantity in value or ():
            if not code and not quantity:
                continue
            if not code:
                raise forms.ValidationError(_("Give the part's code on each row with a quantity."), code="no_code")
            quantity = quantity or "1"
            if not quantity.isdigit() or not 1 <= int(quantity) <= PART_QTY_MAX:
                raise forms.ValidationError(_("Give each quantity as a whole number from 1 to 99."), code="qty")
            if len(code) > 40:
                raise forms.ValidationError(_("Unknown part."), code="unknown")
            wanted[code] = wanted.get(code, 0) + int(quantity)
        return list(wanted.items())


def part_rows(form: forms.Form, name: str = "parts") -> list[tuple[str, str]]:
    """The rows a parts list shows: what was posted (a refused form keeps it), else the initial rows, padded with
    blank ones."""
    if form.is_bound:
        rows = [r for r in form.fields[name].widget.value_from_datadict(form.data, None, form.add_prefix(name))
                if r[0] or r[1]]
    else:
        rows = [(code, str(n)) for code, n in form.initial.get(name) or ()]
    return rows + [("", "")] * max(PART_ROWS - len(rows), 1)


class StepForm(forms.Form):
    """A step with nothing to fill in (quote, ship): only the version of the case it was taken on."""

    version = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)


class PhotosInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input; each is checked by the service (core.images), which says what is wrong."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("widget", PhotosInput(attrs={"accept": "image/*", "multiple": True}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


class ReceiveForm(StepForm):
    serial = forms.CharField(label=_("Serial on the unit"), max_length=SERIAL_MAX, strip=True,
                             widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false",
                                                           "autofocus": True}))
    condition = forms.CharField(label=_("Condition on arrival"), max_length=NOTE_MAX, required=False,
                                widget=forms.Textarea(attrs={"rows": 2}))
    accessories = forms.CharField(label=_("Accessories in the box"), max_length=1000, required=False,
                                  help_text=_("One per line, or separated by commas."),
                                  widget=forms.Textarea(attrs={"rows": 2}))
    photos = PhotosField(label=_("Photos of the unit as it arrived"), required=False,
                         help_text=_("Up to 5: each side, the nameplate, any damage. The customer sees them too."))

    def clean_accessories(self) -> list[str]:
        return [a.strip() for a in ACCESSORY_SPLIT.split(self.cleaned_data["accessories"]) if a.strip()]


class DiagnoseForm(StepForm):
    finding = forms.CharField(label=_("Finding"), max_length=NOTE_MAX,
                              widget=forms.Textarea(attrs={"rows": 3, "autofocus": True}))
    parts = PartRowsField(label=_("Parts the repair needs"), required=False)
    exclusion = forms.ChoiceField(label=_("Warranty"), required=False,
                                  choices=[("", _("As judged at booking"))] + [
                                      (value, render_lazy(_("Not covered: %(reason)s"), {"reason": label}))
                                      for value, label in ExclusionReason.choices])


class RepairForm(StepForm):
    parts = PartRowsField(label=_("Parts used, from the centre's store"), required=False)
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    exchange_serial = forms.CharField(label=_("Exchanged: serial of the replacement unit"), max_length=SERIAL_MAX,
                                      required=False, strip=True,
                                      help_text=_("Only when the unit is exchanged instead of repaired."),
                                      widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))

    def __init__(self, *args, brand_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.brand_id = brand_id

    def clean_parts(self) -> list[tuple[Part, int]]:
        wanted = self.cleaned_data["parts"]
        found = {p.code: p for p in Part.objects.filter(brand_id=self.brand_id, is_active=True,
                                                           code__in=[code for code, _n in wanted])}
        unknown = [code for code, _n in wanted if code not in found]
        if unknown:
            raise forms.ValidationError(_("Unknown part: %(codes)s."), code="unknown",
                                        params={"codes": ", ".join(unknown)})
        return [(found[code], n) for code, n in wanted]


class QcForm(StepForm):
    note = forms.CharField(label=_("Note"), max_length=NOTE_MAX, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for point in QC_POINTS:
            self.fields[point] = forms.BooleanField(label=QC_LABELS[point], required=False)

    def checks(self) -> dict[str, bool]:
        return {point: bool(self.cleaned_data.get(point)) for point in QC_POINTS}

    def points(self) -> list[forms.BoundField]:
        return [self[point] for point in QC_POINTS]


class WaybillForm(forms.Form):
    shipment = forms.IntegerField(min_value=1, max_value=MAX_ID, widget=forms.HiddenInput)
    waybill = forms.CharField(label=_("Waybill number"), max_length=WAYBILL_MAX, strip=True,
                              widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}))


class TurnaroundForm(forms.Form):
    centre = forms.ModelChoiceField(label=_("Repair centre"), queryset=Organisation.objects.none(), required=False,
                                    empty_label=_("All repair centres"))
    weeks = forms.IntegerField(label=_("Weeks"), min_value=1, max_value=WEEKS_MAX, required=False)

    def __init__(self, *args, centres, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"].queryset = centres
