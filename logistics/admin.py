from django.contrib import admin

from logistics.models import MailIn, MailInPolicy, MailInStep, Shipment, ShipmentEvent


@admin.register(MailInPolicy)
class MailInPolicyAdmin(admin.ModelAdmin):
    list_display = ("brand", "courier_fee", "inspection_fee")


class StepInline(admin.TabularInline):
    model = MailInStep
    extra = 0
    can_delete = False
    readonly_fields = ("from_hop", "hop", "at", "place", "note", "actor", "actor_role", "customer_visible")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0
    can_delete = False
    readonly_fields = ("direction", "backend", "reference", "waybill", "status", "attempts", "last_error",
                       "next_try_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MailIn)
class MailInAdmin(admin.ModelAdmin):
    """Read-only: a unit moves only through its bench and its couriers (logistics/workflow.py)."""

    list_display = ("work_order", "centre", "hop", "hop_due", "in_warranty", "outcome")
    list_filter = ("hop", "centre")
    search_fields = ("work_order__number", "received_serial")
    inlines = [StepInline, ShipmentInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ShipmentEvent)
class ShipmentEventAdmin(admin.ModelAdmin):
    list_display = ("shipment", "stage", "at", "place", "text")
    search_fields = ("shipment__waybill",)

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
