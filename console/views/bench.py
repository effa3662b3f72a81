"""The repair centre's bench (中央维修台, issue 17 part 4): the queues by hop, scan-to-find, one case with its
hops, parcels and the one step its hop calls for, and the return parcel's label.

Thin over logistics.selectors and the bench's services (logistics.bench, logistics.booking; STYLE.md §2): each step
posts to its own address and calls its service; a refusal comes back beside the field that caused it (the form's
version: a case moved on meanwhile is refused, never stepped in another hop). With htmx a step answers the case's
partial, without it a redirect back to the case (STYLE.md §13).

Who: a centre's staff see their centre's cases, the brand's staff all the brand's (logistics.selectors reads
through visible_to); the bench's steps are the centre's staff's and the brand admin's (logistics.bench.ensure_bench
says so again). A case of another is a 404, fetched before the seat is checked.
"""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.choices import Role
from accounts.principal import Principal
from console.bench_forms import (
    DiagnoseForm,
    QcForm,
    ReceiveForm,
    RepairForm,
    ScanForm,
    StepForm,
    WaybillForm,
    part_rows,
)
from core.errors import DomainError, PermissionDenied, StaleVersion
from core.forms import add_domain_error
from core.htmx import refused, render_page
from core.pages import refusal, staff_page
from logistics import bench, selectors
from logistics.choices import BENCH_LABELS, INBOUND_HOPS, Direction, Hop, ShipmentStatus
from logistics.models import MailIn, Shipment

DESK_PAGE = "console/repair_bench/desk.html"
QUEUE_BODY = "console/repair_bench/_partials/queue.html"
CASE_PAGE = "console/repair_bench/case.html"
CASE_BODY = "console/repair_bench/_partials/case.html"
MENU_ROLES = frozenset({Role.BRAND_ADMIN, Role.DISPATCHER})
DEFAULT_QUEUE = "arrived"
SCAN_SHOWN = 64

QUEUE_LABELS = {
    "incoming": gettext_lazy("On the way in"),
    "arrived": gettext_lazy("Arrived"),
    "received": gettext_lazy("Received at the bench"),
    "diagnosed": gettext_lazy("Diagnosed"),
    "quoted": gettext_lazy("Quoted"),
    "decided": gettext_lazy("Approved or declined"),
    "repaired": gettext_lazy("Repaired"),
    "qc_passed": gettext_lazy("To ship"),
    "shipped": gettext_lazy("Shipped"),
}
assert set(QUEUE_LABELS) == set(selectors.QUEUE_HOPS)
# What the page says after a step (a redirect carries its key as ?done=).
NOTICES = {
    "receive": gettext_lazy("Received."),
    "diagnose": gettext_lazy("Diagnosis saved."),
    "quote": gettext_lazy("Quote sent to the customer."),
    "repair": gettext_lazy("Repair recorded."),
    "qc": gettext_lazy("Quality check passed."),
    "qc_failed": gettext_lazy("The quality check did not pass: the unit stays at the bench."),
    "ship": gettext_lazy("Handed to the courier."),
    "waybill": gettext_lazy("Waybill saved."),
}
# A service's field names onto the forms' (the parts ledger says "quantity" or "lines" for the parts rows).
ALIASES = {"quantity": "parts", "lines": "parts", "checks": None}


def may_use_bench(principal: Principal | None) -> bool:
    """Who the top bar offers the bench to: a repair centre's staff, the brand's admin and dispatchers."""
    return principal is not None and (principal.role in MENU_ROLES or selectors.works_at_centre(principal))


def _seat(principal: Principal) -> bool:
    return principal.is_brand_staff or selectors.works_at_centre(principal)


bench_page = staff_page(seat=_seat, refuse=refusal("console/repair_bench/no_desk.html"),
                        fetch=selectors.case_of_order, as_name="case")


def may_work(principal: Principal, case: MailIn) -> bool:
    try:
        bench.ensure_bench(principal, case)
    except PermissionDenied:
        return False
    return True


# --- the desk: queues and scan -------------------------------------------------------------------------------------


def _centre_id(request: HttpRequest, principal: Principal) -> int | None:
    """The centre a brand's staff narrowed the desk to (one they may see), else all."""
    raw = request.GET.get("centre", "")
    if not principal.is_brand_staff or not raw.isdigit() or len(raw) > 18:
        return None
    return selectors.repair_centres(request.user).filter(pk=int(raw)).values_list("pk", flat=True).first()


def _desk(request: HttpRequest, principal: Principal, *, scan_form: ScanForm | None = None, not_found: str = "",
          status: int = 200) -> HttpResponse:
    key = request.GET.get("queue", DEFAULT_QUEUE)
    if key not in selectors.QUEUE_HOPS:
        key = DEFAULT_QUEUE
    centre_id = _centre_id(request, principal)
    now = timezone.now()
    rows = selectors.queue(request.user, key, centre_id=centre_id)
    counts = selectors.queue_counts(request.user, centre_id=centre_id)
    context = {
        "queue": key, "rows": [(case, selectors.is_late(case, now)) for case in rows],
        "tabs": [(k, QUEUE_LABELS[k], counts[k]) for k, _hops in selectors.QUEUES],
        "hop_labels": BENCH_LABELS, "centre_id": str(centre_id or ""),
        "centres": list(selectors.repair_centres(request.user)) if principal.is_brand_staff else [],
        "scan_form": scan_form or ScanForm(), "not_found": not_found, "nav": "queues",
    }
    return render_page(request, DESK_PAGE, context, partial=QUEUE_BODY, status=status)


@require_GET
@bench_page
def desk(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    return _desk(request, principal)


@require_GET
@bench_page
def scan(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    """A scanner types the code and presses Enter: the case it names opens; nothing found is said on the desk."""
    form = ScanForm(request.GET)
    if not form.is_valid():  # nothing scanned, or more than any code is long
        return _desk(request, principal, not_found=request.GET.get("q", "")[:SCAN_SHOWN].strip())
    case = selectors.find_case(request.user, form.cleaned_data["q"])
    if case is not None:
        return redirect("console:bench-case", pk=case.work_order_id)
    return _desk(request, principal, not_found=form.cleaned_data["q"])


# --- one case ------------------------------------------------------------------------------------------------------


def _step_of(case: MailIn, outbound: Shipment | None) -> str:
    """The one step the case's hop calls for at the bench ("" when it waits on someone else)."""
    if case.hop in INBOUND_HOPS:
        return "receive"
    if case.hop == Hop.RECEIVED:
        return "diagnose"
    if case.hop == Hop.DIAGNOSED:
        return "quote" if case.quote_required else "repair"
    if case.hop == Hop.APPROVED:
        return "repair"
    if case.hop in (Hop.REPAIRED, Hop.DECLINED):
        return "qc"
    if case.hop == Hop.QC_PASSED and outbound is None:
        return "ship"
    return ""


def _fresh_form(step: str, case: MailIn) -> forms.Form:
    initial: dict[str, Any] = {"version": case.version}
    if step == "receive":
        return ReceiveForm(initial=initial, auto_id="id_receive_%s")
    if step == "diagnose":
        return DiagnoseForm(initial=initial, auto_id="id_diagnose_%s")
    if step == "repair":
        return RepairForm(initial={**initial, "parts": [(c, n) for c, n in case.quote_parts]},
                          brand_id=case.brand_id, auto_id="id_repair_%s")
    if step == "qc":
        return QcForm(initial=initial, auto_id="id_qc_%s")
    return StepForm(initial=initial, auto_id=f"id_{step}_%s")


def _awaits_waybill(shipment: Shipment) -> bool:
    """A parcel nobody will book by itself: the manual backend's, or one the courier refused."""
    return shipment.status == ShipmentStatus.BOOKING and shipment.next_try_at is None


def _case_context(request: HttpRequest, principal: Principal, case: MailIn, *, failed: tuple[str, Any] | None = None,
                  notice: str = "") -> dict:
    shipments = selectors.shipments_of(case)
    live = [s for s in shipments if s.status != ShipmentStatus.CANCELLED]
    outbound = next((s for s in live if s.direction == Direction.OUTBOUND), None)
    working = may_work(principal, case)
    step = _step_of(case, outbound) if working else ""
    failed_name, failed_form = failed or ("", None)
    form = None
    if step:
        form = failed_form if failed_name == step else _fresh_form(step, case)
    waybill_forms = {}
    if working:
        for parcel in live:
            if _awaits_waybill(parcel):
                mine = failed_name == "waybill" and failed_form.data.get("shipment") == str(parcel.pk)
                waybill_forms[parcel.pk] = failed_form if mine else WaybillForm(
                    initial={"shipment": parcel.pk}, auto_id=f"id_waybill_{parcel.pk}_%s")
    # A refusal of a form the page no longer offers (the case moved on meanwhile) is said above the step.
    panel_error = ""
    if failed_form is not None and failed_form is not form and failed_form not in waybill_forms.values():
        panel_error = " ".join(str(e) for errors in failed_form.errors.values() for e in errors)
    stock = selectors.store_stock(case) if step == "repair" else []
    on_hand = {b.part.code: b.on_hand for b in stock}
    now = timezone.now()
    return {
        "case": case, "order": case.work_order, "product": case.work_order.product, "principal": principal,
        "steps": selectors.steps_for(case, principal), "shipments": shipments, "outbound": outbound,
        "step": step, "form": form, "waybill_forms": waybill_forms, "panel_error": panel_error,
        "part_rows": part_rows(form) if step in ("diagnose", "repair") else [],
        "parts": selectors.bench_parts(case.brand_id) if step in ("diagnose", "repair") else [],
        "on_hand": on_hand, "stock": [b for b in stock if b.on_hand > 0 or b.part.code in dict(case.quote_parts)],
        "needed": [(code, n, on_hand.get(code, 0)) for code, n in case.quote_parts],
        "may_work": working, "late": selectors.is_late(case, now), "hop_labels": BENCH_LABELS,
        "hop_label": BENCH_LABELS.get(case.hop, case.hop), "notice": NOTICES.get(notice, ""),
        "quote_lines": (case.quote or {}).get("lines", []), "labelled": bool(outbound and outbound.waybill),
        "declined": case.hop == Hop.DECLINED, "nav": "queues",
        "condition_photos": [reverse("api:attachment-file", kwargs={"attachment_id": pk})
                             for pk in case.condition_photos],
    }


@require_GET
@bench_page
def case_page(request: HttpRequest, *, principal: Principal, case: MailIn) -> HttpResponse:
    return render_page(request, CASE_PAGE, _case_context(request, principal, case, notice=request.GET.get("done", "")),
                       partial=CASE_BODY)


def _check_version(form: forms.Form, case: MailIn) -> None:
    if form.cleaned_data["version"] != case.version:
        raise StaleVersion(_("Someone else moved this case on since you opened it; it is shown as it is now."),
                           current_version=case.version)


def _take(name: str, form: forms.Form, case: MailIn, principal: Principal) -> str:
    """Call the step's service; the notice to show."""
    data = form.cleaned_data
    if name == "waybill":
        bench.enter_waybill(mail_in=case, actor=principal, waybill=data["waybill"], shipment_id=data["shipment"])
        return "waybill"
    _check_version(form, case)
    if name == "receive":
        bench.receive(mail_in=case, actor=principal, serial=data["serial"], condition=data["condition"],
                      accessories=data["accessories"], photos=data["photos"])
    elif name == "diagnose":
        bench.diagnose(mail_in=case, actor=principal, finding=data["finding"], parts=data["parts"],
                       exclusion=data["exclusion"])
    elif name == "quote":
        bench.quote(mail_in=case, actor=principal)
    elif name == "repair":
        bench.repair(mail_in=case, actor=principal, parts=data["parts"], note=data["note"],
                     exchange_serial=data["exchange_serial"])
    elif name == "qc":
        moved = bench.check_quality(mail_in=case, actor=principal, checks=form.checks(), note=data["note"])
        return "qc" if moved.hop == Hop.QC_PASSED else "qc_failed"
    elif name == "ship":
        bench.ship(mail_in=case, actor=principal)
    return name


STEP_FORMS = {"receive": ReceiveForm, "diagnose": DiagnoseForm, "quote": StepForm, "repair": RepairForm,
              "qc": QcForm, "ship": StepForm, "waybill": WaybillForm}


def _step(request: HttpRequest, principal: Principal, case: MailIn, name: str) -> HttpResponse:
    extra = {"brand_id": case.brand_id} if name == "repair" else {}
    shipment = request.POST.get("shipment", "")
    auto_id = f"id_waybill_{shipment if shipment.isdigit() else 'x'}_%s" if name == "waybill" else f"id_{name}_%s"
    form = STEP_FORMS[name](request.POST, request.FILES, auto_id=auto_id, **extra)
    status = 422
    if form.is_valid():
        try:
            notice = _take(name, form, case, principal)
        except DomainError as error:
            add_domain_error(form, error, aliases=ALIASES)
            status = error.status
        else:
            if not request.htmx:
                return redirect(f"{reverse('console:bench-case', kwargs={'pk': case.work_order_id})}?done={notice}")
            case = selectors.case_of_order(request.user, case.work_order_id)
            return render(request, CASE_BODY, _case_context(request, principal, case, notice=notice))
    case = selectors.case_of_order(request.user, case.work_order_id)
    context = _case_context(request, principal, case, failed=(name, form))
    return refused(render_page(request, CASE_PAGE, context, partial=CASE_BODY), status)


def _step_view(name: str):
    @require_POST
    @bench_page
    def view(request: HttpRequest, *, principal: Principal, case: MailIn) -> HttpResponse:
        return _step(request, principal, case, name)

    view.__name__ = view.__qualname__ = f"bench_{name}"
    return view


receive = _step_view("receive")
diagnose = _step_view("diagnose")
quote = _step_view("quote")
repair = _step_view("repair")
qc = _step_view("qc")
ship = _step_view("ship")
waybill = _step_view("waybill")


# --- the return parcel's label ---------------------------------------------------------------------------------------


@require_GET
@bench_page
def label(request: HttpRequest, *, principal: Principal, case: MailIn) -> HttpResponse:
    """The return parcel's label, to print and stick on the box: only once the courier gave its waybill."""
    parcel = (Shipment.objects.filter(mail_in=case, direction=Direction.OUTBOUND).exclude(
        status=ShipmentStatus.CANCELLED).exclude(waybill="").first())
    if parcel is None:
        raise Http404
    # A full QR code (never a Micro QR, which segno picks for short data and couriers' scanners do not read), drawn
    # to its viewBox so the print CSS sizes it; its quiet zone is part of the drawing.
    qr = segno.make_qr(parcel.waybill, error="m").svg_inline(omitsize=True, dark="#000", light="#fff")
    return render(request, "console/repair_bench/label.html", {
        "case": case, "order": case.work_order, "parcel": parcel, "product": case.work_order.product,
        "centre": case.centre, "qr": qr})
