"""Admin for parts and stock. Balances and moves are read-only: stock changes only through parts.services,
so the admin's "add stock move" form calls the services (receive, transfer, adjust) and shows their refusals
beside the fields; requests and defective parts have actions that call the services too."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.principal import principal_of
from catalog.models import Part
from core.admin import ScopedAdmin
from core.errors import DomainError
from core.forms import add_domain_error
from parts import services
from parts.choices import Condition, DefectiveStatus, RequestStatus, WarehouseKind
from parts.models import (
    REASON_MAX,
    Consumption,
    DefectiveReturn,
    PartRequest,
    PartRequestLine,
    StockBalance,
    StockMove,
    Warehouse,
)
from parts.services import Line

# The services' names for what the stock-move form calls quantity, target warehouse and part.
STOCK_MOVE_ALIASES = {"delta": "quantity", "lines": "quantity", "to_warehouse_id": "to_warehouse",
                      "part_id": "part"}


class ReadOnlyAdmin(ScopedAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class WarehouseKindFilter(admin.SimpleListFilter):
    title = _("warehouse kind")
    parameter_name = "warehouse_kind"

    def lookups(self, request, model_admin):
        return WarehouseKind.choices

    def queryset(self, request, queryset):
        return queryset.filter(warehouse__kind=self.value()) if self.value() else queryset


class BalanceInline(admin.TabularInline):
    model = StockBalance
    extra = 0
    can_delete = False
    fields = readonly_fields = ("part", "on_hand", "reserved", "available", "defective", "updated_at")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("Available"))
    def available(self, obj):
        return obj.available


@admin.register(Warehouse)
class WarehouseAdmin(ScopedAdmin):
    list_display = ("code", "__str__", "kind", "organisation", "technician", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "organisation__name", "technician__name")
    autocomplete_fields = ("technician",)
    inlines = [BalanceInline]


@admin.register(StockBalance)
class StockBalanceAdmin(ReadOnlyAdmin):
    list_display = ("warehouse", "part", "on_hand", "reserved", "available", "defective", "updated_at")
    list_filter = (WarehouseKindFilter,)
    search_fields = ("part__code", "part__name", "warehouse__code", "warehouse__name")
    list_select_related = ("warehouse__organisation", "warehouse__technician", "part")

    @admin.display(description=_("Available"))
    def available(self, obj):
        return obj.available


OPERATIONS = [("receive", _("Receive from outside")), ("transfer", _("Transfer to another warehouse")),
              ("adjust", _("Adjust good stock")), ("adjust_defective", _("Adjust defective stock"))]


class StockMoveForm(forms.ModelForm):
    """Posts a move through parts.services; a refusal is a message beside its field and nothing is written."""

    operation = forms.ChoiceField(label=_("Operation"), choices=OPERATIONS)
    quantity = forms.IntegerField(label=_("Quantity"),
                                  help_text=_("Units; for an adjustment, negative to take units off."))
    to_warehouse = forms.ModelChoiceField(label=_("To warehouse"), queryset=Warehouse.objects.none(),
                                          required=False, help_text=_("Only for a transfer."))
    reason = forms.CharField(label=_("Reason"), max_length=REASON_MAX, required=False,
                             help_text=_("Required for an adjustment."))

    class Meta:
        model = StockMove
        fields = ["warehouse", "part"]

    def __init__(self, *args, request=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        user = request.user if request else None
        self.fields["warehouse"].queryset = Warehouse.objects.visible_to(user)
        self.fields["to_warehouse"].queryset = Warehouse.objects.visible_to(user)
        self.fields["part"].queryset = Part.objects.visible_to(user)
        self.posted: StockMove | None = None

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        actor = principal_of(self.request.user)
        if actor is None:
            raise forms.ValidationError(_("Your account has no role in a brand or outlet."))
        operation, warehouse, part, quantity = (data["operation"], data["warehouse"], data["part"],
                                                data["quantity"])
        # The admin's add view runs in one transaction: the move is posted here so that a refusal can
        # be shown on the form, and the view's save then only records it (save_form below).
        try:
            if operation == "receive":
                self.posted = services.receive_stock(warehouse=warehouse, part=part, quantity=quantity,
                                                     reason=data["reason"], actor=actor)
            elif operation == "transfer":
                if data["to_warehouse"] is None:
                    self.add_error("to_warehouse", _("Choose the warehouse to transfer to."))
                    return data
                self.posted = services.transfer_stock(source=warehouse, target=data["to_warehouse"],
                                                      lines=[Line(part, quantity)], reason=data["reason"],
                                                      actor=actor)[0]
            else:
                condition = Condition.DEFECTIVE if operation == "adjust_defective" else Condition.GOOD
                self.posted = services.adjust_stock(warehouse=warehouse, part=part, delta=quantity,
                                                    reason=data["reason"], condition=condition, actor=actor)
        except DomainError as error:
            add_domain_error(self, error, aliases=STOCK_MOVE_ALIASES)
        return data


@admin.register(StockMove)
class StockMoveAdmin(ScopedAdmin):
    list_display = ("created_at", "warehouse", "kind", "part", "quantity", "on_hand_delta", "reserved_delta",
                    "work_order", "actor")
    list_filter = ("kind", WarehouseKindFilter)
    search_fields = ("part__code", "warehouse__code", "work_order__number", "reason")
    list_select_related = ("warehouse__organisation", "warehouse__technician", "part", "work_order", "actor")
    show_full_result_count = False
    form = StockMoveForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["fields"] = ["warehouse", "part"]  # the model's own; the form adds the operation's fields
        base = super().get_form(request, obj, change=change, **kwargs)

        class BoundForm(base):
            def __init__(self, *args, **kw):
                super().__init__(*args, request=request, **kw)

        return BoundForm

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["operation", "warehouse", "part", "quantity", "to_warehouse", "reason"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in StockMove._meta.fields]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_form(self, request, form, change):
        return form.posted

    def save_model(self, request, obj, form, change):
        pass  # posted by the service in the form's clean()

    def save_related(self, request, form, formsets, change):
        pass


class RequestLineInline(admin.TabularInline):
    model = PartRequestLine
    extra = 0
    can_delete = False
    fields = readonly_fields = ("part", "quantity")

    def has_add_permission(self, request, obj=None):
        return False


def _act(modeladmin, request, queryset, fn, done_message):
    actor = principal_of(request.user)
    if actor is None:
        modeladmin.message_user(request, _("Your account has no role in a brand or outlet."), messages.ERROR)
        return
    done = 0
    for obj in queryset:
        try:
            fn(obj, actor)
            done += 1
        except DomainError as error:
            modeladmin.message_user(request, f"{obj}: {error.message}", messages.ERROR)
    if done:
        modeladmin.message_user(request, done_message(done), messages.SUCCESS)


@admin.register(PartRequest)
class PartRequestAdmin(ReadOnlyAdmin):
    list_display = ("number", "status", "technician", "work_order", "store", "created_at", "decided_by")
    list_filter = ("status",)
    search_fields = ("work_order__number", "technician__name")
    list_select_related = ("technician", "work_order", "store__organisation", "decided_by")
    inlines = [RequestLineInline]
    actions = ["transfer_to_vans"]

    @admin.action(description=_("Transfer the selected open requests to the technicians' vans"))
    def transfer_to_vans(self, request, queryset):
        _act(self, request, queryset.filter(status=RequestStatus.OPEN),
             lambda r, actor: services.transfer_request(request=r, actor=actor),
             lambda n: ngettext("%(n)d request transferred.", "%(n)d requests transferred.", n) % {"n": n})

    def has_change_permission(self, request, obj=None):
        return obj is None  # the change list (and its actions), never the edit form


@admin.register(Consumption)
class ConsumptionAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "work_order", "technician", "van", "idempotency_key")
    search_fields = ("work_order__number", "technician__name", "idempotency_key")
    list_select_related = ("work_order", "technician", "van__technician", "van__organisation")


@admin.register(DefectiveReturn)
class DefectiveReturnAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "technician", "part", "quantity", "work_order", "status", "received_at")
    list_filter = ("status",)
    search_fields = ("technician__name", "part__code", "work_order__number")
    list_select_related = ("technician", "part", "work_order")
    actions = ["mark_received"]

    @admin.action(description=_("Mark the selected parts as handed in at the outlet"))
    def mark_received(self, request, queryset):
        _act(self, request, queryset.filter(status=DefectiveStatus.OWED),
             lambda d, actor: services.receive_defective(defective=d, actor=actor),
             lambda n: ngettext("%(n)d part received.", "%(n)d parts received.", n) % {"n": n})

    def has_change_permission(self, request, obj=None):
        return obj is None
