from django.contrib import admin

from core.admin import ScopedReadOnlyAdmin
from notifications.models import Notification, StaffPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("recipient", "kind", "key", "created_at", "read_at")
    list_filter = ("kind",)
    raw_id_fields = ("recipient", "work_order")


@admin.register(StaffPreference)
class StaffPreferenceAdmin(ScopedReadOnlyAdmin):
    """Read-only: each person sets their own (the console's preferences page, the API); a brand's people see only
    their own row (StaffPreference.objects.visible_to), a superuser without a seat everyone's."""

    list_display = ("user", "in_app", "email", "language", "updated_at")
    list_filter = ("in_app", "email", "language")
    list_select_related = ("user",)
    search_fields = ("user__username",)
    fields = readonly_fields = ("user", "in_app", "email", "language", "updated_at")
