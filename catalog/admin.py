from django.contrib import admin

from catalog.models import ProductCategory, ProductModel, ServiceStandard


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
    list_display = ("code", "name", "category", "warranty_months", "list_price", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("code", "name")
    inlines = [ServiceStandardInline]
