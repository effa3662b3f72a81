from django.contrib import admin

from pricing.models import (
    Adjustment,
    CalloutBand,
    ExtendedWarranty,
    LabourPrice,
    PartPrice,
    PriceList,
    WarrantyExtensionTerm,
    WarrantyRule,
    WarrantyTermPrice,
)


@admin.register(WarrantyRule)
class WarrantyRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "months", "counted_from", "grace_days")
    list_filter = ("counted_from", "category")
    autocomplete_fields = ("part",)


class LabourPriceInline(admin.TabularInline):
    model = LabourPrice
    extra = 0


class CalloutBandInline(admin.TabularInline):
    model = CalloutBand
    extra = 0


class PartPriceInline(admin.TabularInline):
    model = PartPrice
    extra = 0
    autocomplete_fields = ("part",)


class AdjustmentInline(admin.TabularInline):
    model = Adjustment
    extra = 0


@admin.register(PriceList)
class PriceListAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "valid_from", "valid_to", "is_published")
    list_filter = ("is_published", "brand")
    search_fields = ("name",)
    date_hierarchy = "valid_from"
    inlines = [LabourPriceInline, CalloutBandInline, PartPriceInline, AdjustmentInline]


class WarrantyTermPriceInline(admin.TabularInline):
    model = WarrantyTermPrice
    extra = 0


@admin.register(WarrantyExtensionTerm)
class WarrantyExtensionTermAdmin(admin.ModelAdmin):
    list_display = ("name", "brand", "category", "product_model", "months", "covers_labour", "covers_parts",
                    "is_active")
    list_filter = ("is_active", "brand")
    search_fields = ("name", "name_en")
    inlines = [WarrantyTermPriceInline]


@admin.register(ExtendedWarranty)
class ExtendedWarrantyAdmin(admin.ModelAdmin):
    # Sold through pricing.extended.sell_extended_warranty only (its checks and idempotency): read here.
    list_display = ("product", "term", "starts_on", "ends_on", "price", "sold_via", "status", "created_at")
    list_filter = ("status", "sold_via", "brand")
    search_fields = ("product__serial", "reference")
    readonly_fields = [f.name for f in ExtendedWarranty._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
