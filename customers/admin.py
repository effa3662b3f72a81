from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, InstalledProduct, Site, WarrantyCard, WarrantyCardPolicy
from customers.services import place_site

POINT = ("latitude", "longitude")
PLACE = ("address", "region")


def _place(form) -> None:
    """Geocode a site saved in the admin as customers.services does for every other channel."""
    changed = set(form.changed_data)
    site = form.instance
    place_site(site, moved=site.pk is None or bool(changed & set(PLACE)),
               point_given=bool(changed & set(POINT)) and site.located, source="admin")


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    autocomplete_fields = ("region",)
    readonly_fields = ("geo_precision", "geo_source")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "kind", "segment", "duplicate_reason", "created_at")
    list_filter = ("kind", "segment")
    search_fields = ("name", "=phone")
    inlines = [SiteInline]
    raw_id_fields = ("user",)

    def save_formset(self, request, form, formset, change):
        if formset.model is Site:
            for site_form in formset.forms:
                if site_form.has_changed() and not site_form.cleaned_data.get("DELETE"):
                    _place(site_form)
        super().save_formset(request, form, formset, change)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "address", "region", "geo_precision")
    list_filter = ("geo_precision",)
    search_fields = ("name", "address", "customer__name")
    raw_id_fields = ("customer",)
    autocomplete_fields = ("region",)
    readonly_fields = ("geo_precision", "geo_source", "geo_adcode")

    def save_model(self, request, obj, form, change):
        _place(form)
        super().save_model(request, obj, form, change)


@admin.register(InstalledProduct)
class InstalledProductAdmin(admin.ModelAdmin):
    list_display = ("serial", "product_model", "customer", "install_date", "warranty_end", "status")
    list_filter = ("status", "product_model__category")
    search_fields = ("=serial",)
    raw_id_fields = ("customer", "site")
    readonly_fields = ("warranty_end", "qr_label")

    @admin.display(description=_("QR label"))
    def qr_label(self, obj: InstalledProduct) -> str:
        if obj.pk is None:
            return "-"
        return format_html('<a href="{}" target="_blank">{}</a>', reverse("console:label", args=[obj.pk]),
                           _("Print the QR label"))


@admin.register(WarrantyCardPolicy)
class WarrantyCardPolicyAdmin(admin.ModelAdmin):
    list_display = ("brand", "review_required")


@admin.register(WarrantyCard)
class WarrantyCardAdmin(admin.ModelAdmin):
    """Read here; reviewed in the console (console/warranty-cards/), which sets the unit's warranty with it."""

    list_display = ("product", "customer", "purchase_date", "purchased_from", "status", "reviewed_at")
    list_filter = ("status",)
    search_fields = ("=product__serial", "customer__name")
    readonly_fields = ("brand", "customer", "product", "purchase_date", "purchased_from", "invoice", "status",
                       "reviewed_by", "reviewed_at", "review_reason")

    def has_add_permission(self, request) -> bool:
        return False
