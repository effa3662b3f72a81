from django.contrib import admin

from settlement.models import SettlementLine, SettlementRule, Statement, StatementEvent, Tariff, TariffFee


class TariffFeeInline(admin.TabularInline):
    model = TariffFee
    extra = 0


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "valid_from", "valid_to", "is_published")
    list_filter = ("is_published",)
    inlines = [TariffFeeInline]


@admin.register(SettlementRule)
class SettlementRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "brand", "amount", "share", "valid_from", "valid_to", "is_active")
    list_filter = ("kind", "is_active")


class StatementEventInline(admin.TabularInline):
    model = StatementEvent
    extra = 0
    can_delete = False
    readonly_fields = ("from_state", "state", "at", "actor", "actor_role", "reason", "data")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    """Read-only: a statement's state moves through settlement/workflow.py, its lines through generation."""

    list_display = ("__str__", "period", "state", "total", "line_count")
    list_filter = ("state", "period")
    readonly_fields = ("brand", "outlet", "technician", "period", "state", "version", "total", "line_count",
                       "payment_reference", "generated_at", "sent_at", "approved_at", "paid_at")
    inlines = [StatementEventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(SettlementLine)
class SettlementLineAdmin(admin.ModelAdmin):
    list_display = ("__str__", "statement", "kind", "amount", "held")
    list_filter = ("kind", "held")
    raw_id_fields = ("statement", "work_order", "adjustment_of")

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
