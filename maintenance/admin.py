from django.contrib import admin

from maintenance.models import Contract, ContractUnit, ContractVisit, MaintenancePlan, PlanPart, PlanPrice


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
