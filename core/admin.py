"""The outbox in the admin, read-only: events, their deliveries and every attempt, seen through the brand
(core.scoping), with "retry now" for deliveries that died or wait for their next try."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core import outbox
from core.models import Delivery, DeliveryAttempt, OutboxEvent
from core.scoping import principal_of


class ScopedAdmin(admin.ModelAdmin):
    """Brand people see their own brand's rows (the model's visible_to); a superuser without a seat sees all."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser and principal_of(request.user) is None:
            return qs
        return qs.visible_to(request.user)


class ScopedReadOnlyAdmin(ScopedAdmin):
    """As ScopedAdmin, and nobody edits."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    show_change_link = True
    fields = readonly_fields = ("sink", "status", "attempts", "next_attempt_at", "delivered_at", "last_error")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboxEvent)
class OutboxEventAdmin(ScopedReadOnlyAdmin):
    list_display = ("pk", "kind", "brand_id", "work_order_id", "subject_type", "subject_id", "created_at")
    list_filter = ("kind",)
    search_fields = ("kind", "=work_order_id", "=subject_id")
    date_hierarchy = "created_at"
    fields = readonly_fields = ("kind", "brand_id", "work_order_id", "subject_type", "subject_id", "data",
                                "created_at")
    inlines = [DeliveryInline]


class AttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "started_at", "duration_ms", "ok", "error", "worker")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Delivery)
class DeliveryAdmin(ScopedReadOnlyAdmin):
    list_display = ("event", "sink", "status", "attempts", "next_attempt_at", "delivered_at", "last_error_line")
    list_filter = ("status", "sink")
    list_select_related = ("event",)
    search_fields = ("=event__id", "event__kind")
    fields = readonly_fields = ("event", "sink", "status", "attempts", "next_attempt_at", "leased_until",
                                "delivered_at", "last_error")
    inlines = [AttemptInline]
    actions = ["retry_now"]

    @admin.display(description=_("Last error"))
    def last_error_line(self, obj: Delivery) -> str:
        return obj.last_error.splitlines()[-1][:120] if obj.last_error else ""

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        moved = outbox.retry_now(queryset)
        self.message_user(request, ngettext("%(count)d delivery will be tried again now.",
                                            "%(count)d deliveries will be tried again now.", moved)
                          % {"count": moved}, messages.SUCCESS)

    def has_retry_permission(self, request) -> bool:
        return request.user.has_perm("core.change_delivery")


@admin.register(DeliveryAttempt)
class DeliveryAttemptAdmin(ScopedReadOnlyAdmin):
    list_display = ("delivery", "number", "started_at", "duration_ms", "ok", "worker")
    list_filter = ("ok",)
    list_select_related = ("delivery", "delivery__event")
    fields = readonly_fields = ("delivery", "number", "started_at", "duration_ms", "ok", "error", "worker")
