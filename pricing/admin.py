from django.contrib import admin

from pricing.models import (
    Adjustment,
    CalloutBand,
    LabourPrice,
    PartPrice,
    PriceList,
    WarrantyRule,
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
