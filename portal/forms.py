"""Portal forms: they parse input; the rules live in otp, services and the intake functions."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from portal.services import SERIAL_MAX


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


class WarrantyCardForm(forms.Form):
    """A unit the brand has not seen: the electronic warranty card (customers.warranty_cards decides)."""

    serial = forms.CharField(label=_("Serial number"), max_length=SERIAL_MAX, strip=True,
                             widget=forms.TextInput(attrs={"readonly": True, "class": "mono"}))
    product_model = forms.ModelChoiceField(
        label=_("Model"), required=False, queryset=ProductModel.objects.none(), empty_label=_("Choose the model"),
        help_text=_("On the label beside the serial number."))
    purchase_date = forms.DateField(
        label=_("Purchase date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date you bought it."), "invalid": _("Give the date you bought it.")})
    purchased_from = forms.CharField(
        label=_("Where you bought it"), max_length=120, strip=True,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. JD.com flagship store, a Suning shop in Hangzhou")}),
        error_messages={"required": _("Say where you bought it (shop or online store), in at most 120 characters."),
                        "max_length": _("Say where you bought it (shop or online store), in at most 120 "
                                        "characters.")})
    invoice = forms.FileField(
        label=_("Photo of the invoice or receipt"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
        help_text=_("JPEG, PNG, WEBP or HEIC, at most 10 MB. It shows the purchase date for the warranty."))

    def __init__(self, *args, models, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product_model"].queryset = models
        self.fields["product_model"].label_from_instance = lambda m: f"{m.name} ({m.code})"
        self.fields["purchase_date"].widget.attrs["max"] = timezone.localdate().isoformat()


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
