from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.choices import OrgKind
from accounts.models import Organisation
from workorders.models import (
    HolidayDate,
    HolidayYear,
    IntakePolicy,
    ServiceCalendar,
    SlaContract,
    SlaContractTerm,
    SlaPolicy,
    WorkOrder,
    WorkOrderEvent,
)


class EventInline(admin.TabularInline):
    model = WorkOrderEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "action", "from_status", "to_status", "actor", "actor_role", "reason",
                       "customer_visible", "created_at")
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Read-only here: status and assignments change only through the lifecycle (console or API)."""

    list_display = ("number", "type", "status", "priority", "customer", "outlet", "technician", "created_at")
    list_filter = ("status", "type", "channel", "priority")
    search_fields = ("=number",)
    inlines = [EventInline]
    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("priority", "region", "segment", "response_minutes", "onsite_minutes")
    list_filter = ("priority", "segment")


@admin.register(IntakePolicy)
class IntakePolicyAdmin(admin.ModelAdmin):
    list_display = ("brand", "change_cutoff_hours", "max_reschedules", "urge_interval_minutes", "urges_to_complaint")


class SlaContractTermInline(admin.TabularInline):
    model = SlaContractTerm
    extra = 4
    max_num = 4


@admin.register(SlaContract)
class SlaContractAdmin(admin.ModelAdmin):
    """An enterprise customer's own deadlines per priority; they beat every SLA policy while in force."""

    list_display = ("reference", "customer", "starts_on", "ends_on", "round_the_clock")
    search_fields = ("reference", "customer__name")
    raw_id_fields = ("customer",)
    exclude = ("brand",)  # always the customer's brand (SlaContract.save)
    inlines = [SlaContractTermInline]


@admin.register(ServiceCalendar)
class ServiceCalendarAdmin(admin.ModelAdmin):
    """The hours the SLA minutes count in: the brand's, or a region's or an outlet's own (which wins)."""

    list_display = ("name", "brand", "region", "outlet", "round_the_clock", "workday_hours", "restday_hours",
                    "holiday_hours")
    list_filter = ("round_the_clock",)
    raw_id_fields = ("region", "outlet")
    fieldsets = (
        (None, {"fields": ("brand", "region", "outlet", "name", "round_the_clock")}),
        (_("Working days"), {"fields": (("workday_opens", "workday_closes"),)}),
        (_("Weekends"), {"fields": (("restday_opens", "restday_closes"),)}),
        (_("Public holidays"), {"fields": (("holiday_opens", "holiday_closes"),)}),
    )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "brand":
            kwargs["queryset"] = Organisation.objects.filter(kind=OrgKind.BRAND)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def _hours(obj: ServiceCalendar, kind: str) -> str:
        if obj.round_the_clock:
            return "00:00–24:00"
        opens, closes = getattr(obj, f"{kind}_opens"), getattr(obj, f"{kind}_closes")
        if opens is None or closes is None:
            return str(_("closed"))
        return f"{opens:%H:%M}–{'24:00' if closes.hour == closes.minute == 0 else f'{closes:%H:%M}'}"

    @admin.display(description=_("working days"))
    def workday_hours(self, obj):
        return self._hours(obj, "workday")

    @admin.display(description=_("weekends"))
    def restday_hours(self, obj):
        return self._hours(obj, "restday")

    @admin.display(description=_("public holidays"))
    def holiday_hours(self, obj):
        return self._hours(obj, "holiday")


class HolidayDateInline(admin.TabularInline):
    model = HolidayDate
    extra = 3
    fields = ("date", "kind", "name")


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    """One year of the official calendar: the days off and the worked weekends (调休), as the notice says."""

    list_display = ("year", "confirmed", "holiday_count", "workday_count", "source")
    inlines = [HolidayDateInline]

    @admin.display(description=_("days off"))
    def holiday_count(self, obj):
        return obj.dates.filter(kind="holiday").count()

    @admin.display(description=_("worked weekends"))
    def workday_count(self, obj):
        return obj.dates.filter(kind="workday").count()
