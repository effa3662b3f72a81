"""The brand's dispatch rule is edited in the admin (Django admin: brand admins)."""

from __future__ import annotations

from django.contrib import admin

from accounts.choices import OrgKind
from accounts.models import Organisation
from dispatch.models import DispatchRule


@admin.register(DispatchRule)
class DispatchRuleAdmin(admin.ModelAdmin):
    list_display = ("brand", "complex_minutes", "high_value_price", "in_house_mode", "partner_penalty_minutes")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "brand":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrgKind.BRAND)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
