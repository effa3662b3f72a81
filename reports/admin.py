from django.contrib import admin

from reports.models import ServiceReport


@admin.register(ServiceReport)
class ServiceReportAdmin(admin.ModelAdmin):
    list_display = ("work_order", "language", "pages", "rendered_at")
    raw_id_fields = ("work_order", "attachment")
    readonly_fields = ("work_order", "attachment", "language", "pages", "rendered_at")

    def has_add_permission(self, request) -> bool:
        return False
