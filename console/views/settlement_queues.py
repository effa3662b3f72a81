"""The finance desk's review queues (console/views/settlement.py has the desk and the statements): the open
disputes, each decided by settlement.disputes.resolve, and the fraud flags, open first, each with its evidence side
by side (a reused photo's two pictures through the console's authorised attachment address) and decided by
settlement.flags.decide. Finance and the brand's admin only; a dispute or flag of another party is a 404.
"""

from __future__ import annotations

from django.db.models import Case, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from accounts.principal import Principal
from console.settlement_forms import FlagDecisionForm, ResolveForm
from console.views.settlement import dispute_page, finance_page, flag_page, visible_dispute, visible_flag
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import refused, render_page
from settlement import disputes, flags, fraud
from settlement.choices import DisputeState, FlagCheck, FlagState
from settlement.models import FraudFlag, LineDispute
from settlement.why import why
from workorders.models import WorkOrder, WorkOrderAttachment

DISPUTES = "console/settlement/disputes.html"
FLAGS = "console/settlement/flags.html"
QUEUE_SIZE = 100


# ---- the disputes queue ----

def _disputes_context(request: HttpRequest, principal: Principal, *, failed: tuple[int, ResolveForm] | None = None,
                      done: LineDispute | None = None) -> dict:
    rows = []
    queue = (LineDispute.objects.visible_to(request.user).filter(state=DisputeState.OPEN)
             .select_related("line__work_order", "statement__outlet", "raised_by").order_by("raised_at", "pk"))
    for dispute in queue[:QUEUE_SIZE]:
        form = failed[1] if failed is not None and failed[0] == dispute.pk else ResolveForm(
            auto_id=f"id_dispute{dispute.pk}_%s",
            initial={"decision": ResolveForm.UPHOLD,
                     "decided_amount": dispute.claimed_amount if dispute.claimed_amount is not None
                     else dispute.line.amount})
        rows.append({"dispute": dispute, "line": dispute.line, "why": why(dispute.line), "form": form})
    return {"rows": rows, "principal": principal, "done": done}


@require_GET
@finance_page
def dispute_queue(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    return render_page(request, DISPUTES, _disputes_context(request, principal,
                                                            done=_just_done(request, visible_dispute)))


@require_POST
@dispute_page
def dispute_resolve(request: HttpRequest, *, principal: Principal, dispute: LineDispute) -> HttpResponse:
    form = ResolveForm(request.POST, auto_id=f"id_dispute{dispute.pk}_%s")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            disputes.resolve(dispute, actor=principal, upheld=data["decision"] == ResolveForm.UPHOLD,
                             resolution=data["resolution"], decided_amount=data["decided_amount"])
        except DomainError as problem:
            add_domain_error(form, problem, default="decision")
            status = problem.status
        else:
            return redirect(f"{reverse('console:settlement-disputes')}?done={dispute.pk}")
    return refused(render_page(request, DISPUTES, _disputes_context(request, principal, failed=(dispute.pk, form))),
                   status)


def _just_done(request: HttpRequest, lookup):
    """The row named by ``?done=<id>`` (the one just decided, for the page's confirmation), read through the
    caller's own visibility (``lookup``: visible_dispute or visible_flag); None when absent or malformed."""
    raw = request.GET.get("done", "")
    return lookup(request.user, int(raw)) if raw.isdigit() and len(raw) < 12 else None


# ---- the fraud review queue ----

def _evidence(flag: FraudFlag, visible_photos: set[int]) -> dict:
    """What the reviewer is shown side by side (settlement.fraud.evidence_for): for a reused photo, the two photos
    with both orders, each photo only through the console's authorised attachment address and only when the
    reviewer may see it; for a far check-in, the two points and the distance."""
    evidence = fraud.evidence_for(flag)
    if flag.kind == FlagCheck.REUSED_PHOTO:
        photos = []
        for side, url_key in (("photo", "photo_url"), ("other", "other_url")):
            photo = evidence.get(side) if isinstance(evidence.get(side), dict) else {}
            attachment = photo.get("attachment")
            photos.append({"url": evidence.get(url_key) if attachment in visible_photos else None,
                           "order_id": photo.get("order"), "number": photo.get("number") or "—",
                           "attachment": attachment})
        evidence["photos"] = photos
    return evidence


def _flags_context(request: HttpRequest, principal: Principal, *, failed: tuple[int, FlagDecisionForm] | None = None,
                   done: FraudFlag | None = None) -> dict:
    flags = list(FraudFlag.objects.visible_to(request.user).select_related("work_order", "outlet", "decided_by")
                 .order_by(Case(When(state=FlagState.OPEN, then=0), default=1), "-raised_at", "-pk")[:QUEUE_SIZE])
    wanted = {side.get("attachment") for f in flags if f.kind == FlagCheck.REUSED_PHOTO and isinstance(f.evidence, dict)
              for side in (f.evidence.get("photo") or {}, f.evidence.get("other") or {})}
    visible_photos = set(WorkOrderAttachment.objects.visible_to(request.user)
                         .filter(pk__in={pk for pk in wanted if isinstance(pk, int)}).values_list("pk", flat=True))
    visible_orders = set(WorkOrder.objects.visible_to(request.user)
                         .filter(pk__in={f.work_order_id for f in flags}
                                 | {p.get("order") for f in flags if isinstance(f.evidence, dict)
                                    for p in (f.evidence.get("photo") or {}, f.evidence.get("other") or {})
                                    if isinstance(p.get("order"), int)})
                         .values_list("pk", flat=True))
    rows = []
    for flag in flags:
        form = None
        if flag.state == FlagState.OPEN:
            form = failed[1] if failed is not None and failed[0] == flag.pk else FlagDecisionForm(
                auto_id=f"id_flag{flag.pk}_%s")
        rows.append({"flag": flag, "evidence": _evidence(flag, visible_photos), "form": form})
    return {"rows": rows, "principal": principal, "done": done, "visible_orders": visible_orders,
            "open_count": sum(1 for f in flags if f.state == FlagState.OPEN)}


@require_GET
@finance_page
def flag_queue(request: HttpRequest, *, principal: Principal) -> HttpResponse:
    return render_page(request, FLAGS, _flags_context(request, principal, done=_just_done(request, visible_flag)))


@require_POST
@flag_page
def flag_decide(request: HttpRequest, *, principal: Principal, flag: FraudFlag) -> HttpResponse:
    form = FlagDecisionForm(request.POST, auto_id=f"id_flag{flag.pk}_%s")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            flags.decide(flag, actor=principal, upheld=data["decision"] == FlagDecisionForm.UPHOLD, note=data["note"])
        except DomainError as problem:
            add_domain_error(form, problem, default="note")
            status = problem.status
        else:
            return redirect(f"{reverse('console:settlement-flags')}?done={flag.pk}")
    return refused(render_page(request, FLAGS, _flags_context(request, principal, failed=(flag.pk, form))), status)
