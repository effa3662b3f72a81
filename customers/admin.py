from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from customers.models import Customer, InstalledProduct, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    autocomplete_fields = ("region",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "kind", "segment", "created_at")
    list_filter = ("kind", "segment")
    search_fields = ("name", "=phone")
    inlines = [SiteInline]
    raw_id_fields = ("user",)


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "address", "region")
    search_fields = ("name", "address", "customer__name")
    raw_id_fields = ("customer",)
    autocomplete_fields = ("region",)


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
        return format_html('<a href="{}" target="_blank">{}</a>', reverse("portal:label", args=[obj.pk]),
                           _("Print the QR label"))
