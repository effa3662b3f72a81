from django.contrib import admin

from settlement.models import (
    FraudFlag,
    LineDispute,
    SettlementLine,
    SettlementRule,
    Statement,
    StatementEvent,
    Tariff,
    TariffFee,
    TariffPart,
)


class TariffFeeInline(admin.TabularInline):
    model = TariffFee
    extra = 0


class TariffPartInline(admin.TabularInline):
    model = TariffPart
    extra = 0
    raw_id_fields = ("part",)


@admin.register(Tariff)
class TariffAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "valid_from", "valid_to", "is_published")
    list_filter = ("is_published",)
    inlines = [TariffFeeInline, TariffPartInline]


@admin.register(SettlementRule)
class SettlementRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "brand", "amount", "share", "threshold", "days", "min_ratings", "valid_from", "valid_to",
                    "is_active")
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


class _ReadOnly(admin.ModelAdmin):
    """Decided through the finance desk (settlement.disputes, settlement.fraud), never edited here."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(LineDispute)
class LineDisputeAdmin(_ReadOnly):
    list_display = ("__str__", "statement", "state", "claimed_amount", "decided_amount", "raised_at")
    list_filter = ("state",)
    raw_id_fields = ("statement", "line", "adjustment")


@admin.register(FraudFlag)
class FraudFlagAdmin(_ReadOnly):
    list_display = ("__str__", "kind", "state", "raised_at", "decided_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("work_order",)
