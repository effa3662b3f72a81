from django.contrib import admin

from accounts.choices import OrgKind
from accounts.models import Organisation
from field.models import ChecklistItem, JobTemplate, PhotoRequirement, Visit


class ChecklistItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 1
    fields = ("sort_order", "label", "label_en", "kind", "unit", "required")


class PhotoRequirementInline(admin.TabularInline):
    model = PhotoRequirement
    extra = 1
    fields = ("sort_order", "code", "label", "label_en", "required")


@admin.register(JobTemplate)
class JobTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "service_type", "category", "is_active")
    list_filter = ("service_type", "is_active", ("brand", admin.RelatedOnlyFieldListFilter))
    search_fields = ("name",)
    inlines = [ChecklistItemInline, PhotoRequirementInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "brand":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrgKind.BRAND)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """What technicians recorded on site: read here, written only by the technician app."""

    list_display = ("work_order", "technician", "checked_in_at", "checkin_distance_m", "labour_minutes",
                    "labour_variance_minutes", "charge_total", "payment_method", "completed_at")
    list_filter = ("payment_method",)
    search_fields = ("work_order__number", "technician__name")
    list_select_related = ("work_order", "technician")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
