from django.contrib import admin

from accounts.admin import BRAND_FILTER, BrandChoiceMixin
from catalog.models import FaultCodeMapping, Part, ProductCategory, ProductModel, ServiceStandard, Symptom


@admin.register(ProductCategory)
class ProductCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "mail_in_allowed")
    search_fields = ("code", "name")
    filter_horizontal = ("authorised_outlets",)


class ServiceStandardInline(admin.TabularInline):
    model = ServiceStandard
    extra = 0


@admin.register(ProductModel)
class ProductModelAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "warranty_months", "list_price", "serial_pattern", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceStandardInline]


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "family", "category", "is_active")
    list_filter = ("family", "category", "is_active")
    search_fields = ("code", "name", "name_en")
    filter_horizontal = ("product_models",)


@admin.register(Symptom)
class SymptomAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "category", "excludes_warranty", "sort_order", "is_active")
    list_filter = ("category", "excludes_warranty", "is_active")
    search_fields = ("code", "name", "name_en")


@admin.register(FaultCodeMapping)
class FaultCodeMappingAdmin(BrandChoiceMixin, admin.ModelAdmin):
    list_display = ("fault_code", "label", "product_model", "category", "service_type", "priority", "symptom",
                    "is_active")
    list_filter = (BRAND_FILTER, "category", "service_type", "priority", "is_active")
    search_fields = ("fault_code", "label", "product_model__code")
    autocomplete_fields = ("symptom",)
