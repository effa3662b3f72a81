from django.contrib import admin

from network.models import Certification, Region, Skill, Technician


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "province", "latitude", "longitude")
    search_fields = ("code", "name", "province")
    filter_horizontal = ("outlets",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class CertificationInline(admin.TabularInline):
    model = Certification
    extra = 0


@admin.register(Technician)
class TechnicianAdmin(admin.ModelAdmin):
    list_display = ("name", "outlet", "phone", "daily_capacity", "is_active")
    list_filter = ("outlet", "is_active", "skills")
    search_fields = ("name", "phone", "user__username")
    filter_horizontal = ("skills",)
    autocomplete_fields = ("user", "outlet")
    inlines = [CertificationInline]


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("technician", "skill", "number", "valid_from", "expires_on")
    list_filter = ("skill",)
    search_fields = ("technician__name", "number")
