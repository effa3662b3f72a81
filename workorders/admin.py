from django.contrib import admin

from workorders.models import IntakePolicy, SlaContract, SlaContractTerm, SlaPolicy, WorkOrder, WorkOrderEvent


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "action", "from_status", "to_status", "actor", "actor_role", "reason",
                       "customer_visible", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only here: status and assignments change only through the lifecycle (console or API)."""

    list_display = ("number", "type", "status", "priority", "customer", "outlet", "technician", "created_at")
    list_filter = ("status", "type", "channel", "priority")
    search_fields = ("=number",)
    inlines = [EventInline]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("priority", "region", "segment", "response_minutes", "onsite_minutes")
    list_filter = ("priority", "segment")


@admin.register(IntakePolicy)
class IntakePolicyAdmin(admin.ModelAdmin):
    list_display = ("brand", "change_cutoff_hours", "max_reschedules")


class SlaContractTermInline(admin.TabularInline):
    model = SlaContractTerm
    extra = 4
    max_num = 4


@admin.register(SlaContract)
class SlaContractAdmin(admin.ModelAdmin):
    """An enterprise customer's own deadlines per priority; they beat every SLA policy while in force."""

    list_display = ("reference", "customer", "starts_on", "ends_on")
    search_fields = ("reference", "customer__name")
    raw_id_fields = ("customer",)
    exclude = ("brand",)  # always the customer's brand (SlaContract.save)
    inlines = [SlaContractTermInline]
