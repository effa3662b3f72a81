"""Hotline desk forms: they parse and scope what the agent types; customers.services and workorders.intake
decide what is allowed. Each form has a prefix, so one page holds them all with distinct field ids."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from catalog.choices import ServiceType
from catalog.models import ProductModel, Symptom
from customers.choices import CustomerKind, ProductStatus, Segment
from customers.models import Customer
from network.models import Region
from workorders.choices import Priority
from workorders.models import REASON_MAX, SYMPTOM_MAX, CallOutcome, WorkOrder


class CallerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Find the caller"), required=False, max_length=64, strip=True,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "autofocus": True,
                                      "placeholder": _("Phone, name, address, serial or order number")}),
    )


def _regions(user):
    return Region.objects.visible_to(user).order_by("name")


class SiteFields(forms.Form):
    site_name = forms.CharField(label=_("Site name"), max_length=120, initial=_("Home"))
    address = forms.CharField(label=_("Address"), max_length=255)
    region = forms.ModelChoiceField(label=_("Region"), queryset=Region.objects.none(), empty_label=_("Choose a region"))
    contact_name = forms.CharField(label=_("Contact name"), max_length=80, required=False)
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=32, required=False)
    # Asked so the outlet is paid for carrying up stairs (settlement's high-floor surcharge); may stay unknown.
    floor = forms.IntegerField(label=_("Floor"), required=False, min_value=-9, max_value=200,
                               widget=forms.NumberInput(attrs={"placeholder": _("Negative for a basement.")}))
    has_lift = forms.NullBooleanField(label=_("Lift"), required=False, widget=forms.Select(choices=[
        ("unknown", _("Not asked")), ("true", _("Has a lift")), ("false", _("No lift"))]))

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = _regions(user)

    def site_values(self) -> dict:
        data = self.cleaned_data
        return {"name": data["site_name"], "address": data["address"], "region": data["region"],
                "contact_name": data["contact_name"], "contact_phone": data["contact_phone"],
                "floor": data["floor"], "has_lift": data["has_lift"]}


class NewCallerForm(SiteFields):
    """A new customer and the first site, created together."""

    name = forms.CharField(label=_("Name"), max_length=120)
    # Checked as it is typed: a phone the brand knows shows its customer before the form is sent.
    phone = forms.CharField(label=_("Phone"), max_length=32, widget=forms.TextInput(attrs={
        "hx-get": reverse_lazy("console:hotline-known-phone"), "hx-trigger": "input changed delay:500ms, change",
        "hx-target": "#known-phone-live", "hx-swap": "innerHTML", "hx-sync": "this:replace"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=CustomerKind.choices, initial=CustomerKind.HOUSEHOLD)
    segment = forms.ChoiceField(label=_("Segment"), choices=Segment.choices, initial=Segment.VALUE)

    # Asked for only once the phone turned out to be a known customer's (customers.services.DuplicatePhone).
    duplicate_reason = forms.CharField(
        label=_("Why does this caller need a second record?"), required=False, max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. a tenant using the landlord's phone")}))

    field_order = ["name", "phone", "kind", "segment", "site_name", "address", "region", "floor", "has_lift",
                   "contact_name", "contact_phone"]

    def customer_values(self) -> dict:
        data = self.cleaned_data
        return {"name": data["name"], "phone": data["phone"], "kind": data["kind"], "segment": data["segment"],
                "duplicate_reason": data["duplicate_reason"]}

    def main_fields(self):
        return [field for field in self if field.name != "duplicate_reason"]


class ProductForm(forms.Form):
    serial = forms.CharField(label=_("Serial number"), max_length=40)
    product_model = forms.ModelChoiceField(label=_("Model"), queryset=ProductModel.objects.none(),
                                           empty_label=_("Choose a model"))
    site = forms.ModelChoiceField(label=_("Site"), queryset=Customer.objects.none(), empty_label=_("Choose a site"))
    purchase_date = forms.DateField(label=_("Purchase date"), required=False,
                                    widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    install_date = forms.DateField(label=_("Install date"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, user, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        models = ProductModel.objects.visible_to(user).filter(is_active=True).select_related("category")
        self.fields["product_model"].queryset = models.order_by("category__code", "code")
        self.fields["site"].queryset = customer.sites.order_by("pk")


def slot_value(start: dt.datetime, end: dt.datetime) -> str:
    return f"{start.astimezone(dt.UTC).isoformat()}|{end.astimezone(dt.UTC).isoformat()}"


class RequestForm(forms.Form):
    product = forms.ModelChoiceField(label=_("Product"), queryset=Customer.objects.none(),
                                     empty_label=_("Choose the product"))
    service_type = forms.ChoiceField(label=_("Service"), choices=ServiceType.choices, initial=ServiceType.REPAIR)
    symptom_code = forms.ChoiceField(label=_("Symptom"), required=False, choices=())
    description = forms.CharField(label=_("What the caller says"), required=False, max_length=SYMPTOM_MAX,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    slot = forms.CharField(label=_("Appointment"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # An old unit the repair centre exchanged is no longer the caller's to serve: its successor is.
        products = (customer.products.exclude(status=ProductStatus.EXCHANGED)
                    .select_related("product_model__category", "site").order_by("pk"))
        self.fields["product"].queryset = products
        self.fields["product"].label_from_instance = lambda p: f"{p.product_model.code} · {p.serial}"
        product = self._chosen_product(products)
        self.product = product
        symptoms = Symptom.objects.filter(category_id=product.product_model.category_id, is_active=True) \
            if product else Symptom.objects.none()
        self.symptoms = list(symptoms)
        self.fields["symptom_code"].choices = [("", _("Choose a symptom"))] + [
            (s.code, s.display_name) for s in self.symptoms]

    def _chosen_product(self, products):
        raw = self.data.get(self.add_prefix("product")) if self.is_bound else self.initial.get("product")
        if hasattr(raw, "pk"):
            return raw
        try:
            return products.filter(pk=int(raw)).first() if raw else None
        except (TypeError, ValueError):
            return None

    def clean_slot(self) -> tuple[dt.datetime, dt.datetime] | None:
        raw = self.cleaned_data.get("slot") or ""
        if not raw:
            return None
        try:
            start, end = (dt.datetime.fromisoformat(part) for part in raw.split("|"))
        except ValueError:
            raise forms.ValidationError(_("Choose one of the offered time slots.")) from None
        return start, end


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("How did the call end?"), choices=CallOutcome.choices,
                                widget=forms.RadioSelect)
    order = forms.ModelChoiceField(label=_("About order"), required=False, queryset=WorkOrder.objects.none(),
                                   empty_label=_("No order"))
    note = forms.CharField(label=_("Note"), required=False, max_length=REASON_MAX,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = customer.work_orders.order_by("-created_at", "-pk")[:50] \
            if not self.is_bound else customer.work_orders.all()
        self.fields["order"].label_from_instance = lambda o: f"{o.number} · {o.get_status_display()}"
