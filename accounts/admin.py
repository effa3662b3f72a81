from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import ApiToken, Membership, Organisation, User


class BrandChoiceMixin:
    """The brand field offers brands only (Organisation also holds the outlets)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "brand":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrgKind.BRAND)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


BRAND_FILTER = ("brand", admin.RelatedOnlyFieldListFilter)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    inlines = [MembershipInline]
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Contact"), {"fields": ("phone",)}))
    list_display = ("username", "first_name", "last_name", "phone", "is_staff", "is_active")


class ServiceRegionInline(admin.TabularInline):
    model = Organisation.service_regions.through
    extra = 0
    verbose_name = _("service region")
    verbose_name_plural = _("service regions")


class AuthorisedCategoryInline(admin.TabularInline):
    model = Organisation.authorised_categories.through
    extra = 0
    verbose_name = _("authorised category")
    verbose_name_plural = _("authorised categories")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "outlet_type", "city", "daily_capacity", "is_active")
    list_filter = ("kind", "outlet_type", "is_active")
    search_fields = ("code", "name", "city")
    inlines = [ServiceRegionInline, AuthorisedCategoryInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "last_four", "created_at", "expires_at", "revoked_at", "last_used_at")
    readonly_fields = ("token_hash", "last_four", "last_used_at")
    search_fields = ("name", "user__username")
