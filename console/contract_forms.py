"""Forms of the console's maintenance plans and contracts (console/views/contracts.py)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from customers.choices import OUT_OF_SERVICE
from customers.models import Customer, InstalledProduct
from maintenance.choices import ContractKind
from maintenance.models import MaintenancePlan
from maintenance.plans import PLAN_FIELDS, fits


class PlanForm(forms.ModelForm):
    class Meta:
        model = MaintenancePlan
        fields = PLAN_FIELDS
        widgets = {"tasks": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProductCategory.objects.visible_to(user).order_by("name")
        self.fields["product_model"].queryset = ProductModel.objects.visible_to(user).order_by("code")

    def _post_clean(self) -> None:
        # The service checks the plan as a whole (maintenance.plans.save_plan) and names the field it refuses.
        pass


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("Customer's phone or name"), max_length=60)


class ContractForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("Plan"), queryset=MaintenancePlan.objects.none())
    products = forms.ModelMultipleChoiceField(label=_("Units"), queryset=InstalledProduct.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    starts_on = forms.DateField(label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("Empty: the plan's term."))
    price = forms.DecimalField(label=_("Price (yuan)"), min_value=0, max_digits=12, decimal_places=2)
    number = forms.CharField(label=_("Contract number"), max_length=40, required=False,
                             help_text=_("Empty: numbered for you."))

    def __init__(self, *args, user, customer: Customer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        units = (InstalledProduct.objects.visible_to(user).filter(customer=customer)
                 .exclude(status__in=OUT_OF_SERVICE).select_related("site", "product_model")
                 .order_by("site__name", "serial"))
        self.fields["products"].queryset = units
        self.fields["products"].label_from_instance = self.unit_label
        plans = (MaintenancePlan.objects.visible_to(user).filter(is_active=True)
                 .select_related("category", "product_model").order_by("category_id", "tier", "pk"))
        fitting = [p.pk for p in plans if any(fits(p, u) for u in units)]
        self.fields["plan"].queryset = plans.filter(pk__in=fitting)
        self.fields["plan"].label_from_instance = lambda p: f"{p.name} · {p.get_tier_display()}"

    @staticmethod
    def unit_label(unit: InstalledProduct) -> str:
        site = unit.site.name if unit.site_id else "—"
        return f"{site} · {unit.product_model.name} · {unit.serial}"
