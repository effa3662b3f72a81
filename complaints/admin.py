from django import forms
from django.contrib import admin
from django.utils import timezone

from complaints.choices import ComplaintStatus
from complaints.models import Complaint


class ComplaintAdminForm(forms.ModelForm):
    class Meta:
        model = Complaint
        fields = ("customer", "work_order", "outlet", "technician", "category", "description", "status",
                  "resolution", "opened_at", "resolved_at")

    def clean(self):
        data = super().clean()
        # The resolution time follows the status, so the row always satisfies complaint_resolved_has_time.
        if data.get("status") == ComplaintStatus.RESOLVED and not data.get("resolved_at"):
            data["resolved_at"] = timezone.now()
        elif data.get("status") == ComplaintStatus.OPEN:
            data["resolved_at"] = None
        customer = data.get("customer")
        if customer is not None:
            self.instance.brand_id = customer.brand_id
        return data


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    form = ComplaintAdminForm
    list_display = ("opened_at", "customer", "category", "outlet", "technician", "status", "resolved_at")
    list_filter = ("status", "category", "outlet")
    search_fields = ("customer__name", "=customer__phone", "=work_order__number", "description")
    raw_id_fields = ("customer", "work_order", "outlet", "technician")
    readonly_fields = ("opened_by", "resolved_by")
    date_hierarchy = "opened_at"

    def save_model(self, request, obj: Complaint, form, change) -> None:
        # The order names who the complaint is about, as complaints.services.open_complaint records it.
        order = obj.work_order
        if order is not None:
            obj.outlet_id = obj.outlet_id or order.outlet_id
            obj.technician_id = obj.technician_id or order.technician_id
        if not change:
            obj.opened_by = request.user
        if obj.status == ComplaintStatus.RESOLVED:
            obj.resolved_by = obj.resolved_by or request.user
        else:
            obj.resolved_by = None
        super().save_model(request, obj, form, change)
