from django.contrib import admin

from feedback.models import Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("work_order", "customer", "score", "created_at")
    list_filter = ("score",)
    raw_id_fields = ("work_order", "customer")
    readonly_fields = ("work_order", "customer", "score", "comment", "created_at")

    def has_add_permission(self, request) -> bool:
        return False  # ratings come from customers, through feedback.services
