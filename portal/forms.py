"""Portal forms: they parse input; the rules live in otp, services and the intake functions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from portal.services import SERIAL_MAX


def add_domain_error(form: forms.Form, error: DomainError, default_field: str | None = None) -> None:
    """A refusal from a service, shown beside its field (or above the form when it names none)."""
    field = error.field if error.field in form.fields else default_field
    form.add_error(field, str(error.message))


class PhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"), max_length=32, strip=True,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": _("e.g. 138 0013 8000")}),
        error_messages={"required": _("Enter your mobile number.")},
    )


class CodeForm(PhoneForm):
    code = forms.CharField(
        label=_("Code from the text message"), max_length=12, strip=True,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code",
                                      "pattern": "[0-9]*", "placeholder": "······"}),
        error_messages={"required": _("Enter the 6-digit code from the text message.")},
    )


class SerialForm(forms.Form):
    serial = forms.CharField(
        label=_("Serial number"), max_length=SERIAL_MAX, strip=True,
        help_text=_("On the label on the side or back of the unit, next to the barcode."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
        error_messages={"required": _("Enter the serial number."),
                        "max_length": _("A serial number has at most 40 characters.")},
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Your rating"), coerce=int, choices=[(i, str(i)) for i in range(1, 6)], widget=forms.RadioSelect,
        error_messages={"required": _("Choose 1 to 5 stars."), "invalid_choice": _("Choose 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=500, strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("Keep the comment under 500 characters.")},
    )
