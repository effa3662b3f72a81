from django.contrib import admin

from revenue.models import Commission, CommissionRule, Lead, LeadEvent


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "brand", "queue", "percent", "fixed_amount", "valid_from", "valid_to")
    list_filter = ("kind", "queue", "brand")
    date_hierarchy = "valid_from"

    def get_readonly_fields(self, request, obj=None):
        # A rule that has paid commissions is history: end it and add the next version instead.
        if obj is not None and obj.pk and obj.commissions.exists():
            return ("brand", "kind", "queue", "percent", "fixed_amount", "valid_from")
        return ()


class LeadEventInline(admin.TabularInline):
    model = LeadEvent
    extra = 0
    can_delete = False
    readonly_fields = ("action", "from_status", "to_status", "actor", "actor_role", "note", "data", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Lead)
class LeadAdmin(admin.ModelAdmin):
    """Read-only: leads are worked in the console (revenue.workflow), which pays the commission once."""

    list_display = ("created_at", "kind", "customer", "technician", "queue", "outlet", "status", "value")
    list_filter = ("status", "kind", "queue", "outlet")
    search_fields = ("customer__name", "=contact_phone", "=work_order__number")
    inlines = [LeadEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Commission)
class CommissionAdmin(admin.ModelAdmin):
    list_display = ("earned_at", "technician", "outlet", "lead", "base_value", "percent", "fixed_amount", "amount")
    list_filter = ("outlet",)
    date_hierarchy = "earned_at"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
