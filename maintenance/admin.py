from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from maintenance.models import (
    ConsumableRule,
    Contract,
    ContractUnit,
    ContractVisit,
    DeviceRule,
    MaintenancePlan,
    PlanPart,
    PlanPrice,
)
from maintenance.tasks import consumable_rules_changed

REMINDING = (_("Reminders"), {"fields": ("lead_days", "repeat_after_days", "max_reminders")})


class PlanPartInline(admin.TabularInline):
    model = PlanPart
    extra = 1
    autocomplete_fields = ("part",)


class PlanPriceInline(admin.TabularInline):
    model = PlanPrice
    extra = 1


@admin.register(MaintenancePlan)
class MaintenancePlanAdmin(admin.ModelAdmin):
    list_display = ("name", "tier", "category", "product_model", "visits_per_year", "standard_minutes",
                    "hotline_emergency", "priority_response", "is_active")
    list_filter = ("brand", "tier", "is_active")
    search_fields = ("name",)
    inlines = [PlanPartInline, PlanPriceInline]
    fieldsets = (
        (None, {"fields": ("brand", "name", "tier", "category", "product_model", "tasks")}),
        (_("How often"), {"fields": ("interval_months", "interval_litres", "interval_hours", "visits_per_year",
                                     "standard_minutes")}),
        (_("Terms"), {"fields": ("term_months", "hotline_emergency", "priority_response", "is_active")}),
        REMINDING,
    )


class ContractUnitInline(admin.TabularInline):
    model = ContractUnit
    extra = 0
    can_delete = False
    readonly_fields = ("product",)

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ContractVisitInline(admin.TabularInline):
    model = ContractVisit
    extra = 0
    can_delete = False
    readonly_fields = ("product", "sequence", "target_week", "status", "work_order", "done_on", "cancel_reason")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    """Read-only: a contract is signed in the console (maintenance.contracts.create_contract), which plans its
    visits; its visits follow their orders."""

    list_display = ("number", "kind", "customer", "plan", "starts_on", "ends_on", "status", "price")
    list_filter = ("brand", "kind", "status")
    search_fields = ("=number", "customer__name", "=customer__phone")
    inlines = [ContractUnitInline, ContractVisitInline]
    readonly_fields = ("brand", "number", "kind", "customer", "plan", "starts_on", "ends_on", "price", "sold_via",
                       "sold_by", "lead", "version")

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ConsumableRule)
class ConsumableRuleAdmin(admin.ModelAdmin):
    """The brand's consumable rules; a change reaches every unit's schedule (tasks.apply_consumable_rules)."""

    list_display = ("part", "category", "product_model", "months", "litres", "hours", "lead_days", "max_reminders",
                    "self_replaceable", "is_active")
    list_filter = ("brand", "is_active", "category")
    autocomplete_fields = ("part",)
    fieldsets = (
        (None, {"fields": ("brand", "part", "category", "product_model", "months", "litres", "hours",
                           "self_replaceable", "is_active")}),
        REMINDING,
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        consumable_rules_changed(obj.brand_id)

    def delete_model(self, request, obj) -> None:
        brand_id = obj.brand_id
        super().delete_model(request, obj)
        consumable_rules_changed(brand_id)


@admin.register(DeviceRule)
class DeviceRuleAdmin(admin.ModelAdmin):
    """What a device's report means to the brand: a filter replaced, or a fault on its way (maintenance/devices.py)."""

    list_display = ("name", "category", "product_model", "fault_code", "metric", "comparison", "threshold", "action",
                    "part", "is_active")
    list_filter = ("brand", "action", "is_active")
    search_fields = ("name", "fault_code")
