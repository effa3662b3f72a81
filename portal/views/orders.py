"""Track an order like a parcel (polled by htmx), and change, cancel or rate it; a mail-in repair's hops, parcels
and quote (portal/mail_in_track.py), the quote answered here too (logistics.bench.decide)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalog.choices import ServiceType
from core.errors import DomainError
from core.forms import add_domain_error
from core.htmx import render_page
from dispatch import slots as slot_maths
from dispatch.selectors import board_for, slot_windows
from feedback import surveys
from feedback.models import Rating, Survey
from feedback.services import RATEABLE, rate_order
from logistics import bench
from logistics import selectors as mail_in_selectors
from notifications import selectors as message_selectors
from notifications.choices import MessageStatus
from portal import mail_in_track, selectors, slotpicker, tracking
from portal.access import Seat, customer_page
from portal.forms import RatingForm
from workorders import intake, urges
from workorders.choices import OPEN_STATUSES
from workorders.models import UrgeChannel, WorkOrder
from workorders.selectors import rework_links

POLL_SECONDS = 10  # settings.PORTAL_POLL_SECONDS overrides (the browser tests poll every second)
CANCEL_REASONS = [
    ("fixed", gettext_lazy("The problem has gone away")),
    ("time", gettext_lazy("The time no longer suits me")),
    ("mistake", gettext_lazy("I booked by mistake")),
    ("other", gettext_lazy("Another reason")),
]


def _order_or_404(request: HttpRequest, pk: int) -> WorkOrder:
    try:
        return selectors.get_order(request.user, pk)
    except WorkOrder.DoesNotExist:
        raise Http404 from None


def _context(request: HttpRequest, seat: Seat, order: WorkOrder, **extra) -> dict:
    events = selectors.customer_timeline(request.user, order)
    track = tracking.build(order, events)
    rating = Rating.objects.visible_to(request.user).filter(work_order=order).first()
    rules = intake.customer_change_rules(order)
    # The survey card: its link while it waits for an answer (and has not expired), a thank-you once answered.
    survey = Survey.objects.visible_to(request.user).filter(work_order=order).select_related("work_order").first()
    answered = survey if survey is not None and survey.answered_at is not None else None
    if survey is not None and (answered or survey.expires_at <= timezone.now()):
        survey = None
    mail_in = None
    if order.type == ServiceType.MAIL_IN:
        # Its hops and parcels change without the order: the polling token follows them too (read before them, so
        # a change meanwhile shows at the next poll).
        token = tracking.token_of(*selectors.change_state(request.user, order.pk))
        mail_in = mail_in_track.build(request.user, order, seat.principal)
        track.token = token
    if mail_in is not None:
        if mail_in.cancel_refusal and order.status in OPEN_STATUSES:
            rules = intake.ChangeRules(False, False, str(mail_in.cancel_refusal))
    return {
        "mail_in": mail_in,
        "brand": seat.brand, "seat": seat, "order": order, "track": track,
        "poll_seconds": getattr(settings, "PORTAL_POLL_SECONDS", POLL_SECONDS),
        "rules": rules, "rating": rating, "slot_text": slotpicker.describe(order.slot_start, order.slot_end),
        "can_rate": order.status in RATEABLE and rating is None,
        "sent_messages": message_selectors.told(
            message_selectors.order_messages(request.user, order).exclude(status=MessageStatus.SUPPRESSED)),
        "rating_form": extra.pop("rating_form", None) or RatingForm(), "cancel_reasons": CANCEL_REASONS,
        "urge": urges.urge_state(order), "survey_token": surveys.token_for(survey) if survey else "",
        "answered_survey": answered, "survey_sorry": bool(answered) and surveys.goes_to_review(answered),
        "rework_links": rework_links(request.user, order), **extra,
    }


@require_GET
@customer_page(object_page=True)
def order(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    found = _order_or_404(request, pk)
    return render_page(request, "portal/order.html", _context(request, seat, found))


@require_GET
@customer_page(object_page=True)
def order_status(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    """The polled part: 204 (htmx keeps what it has) while nothing changed, else the fresh partial."""
    state = selectors.change_state(request.user, pk)
    if state is None:
        raise Http404
    if request.GET.get("since") == tracking.token_of(*state):
        return HttpResponse(status=204)
    found = _order_or_404(request, pk)
    return render_page(request, "portal/order.html", _context(request, seat, found),
                       partial="portal/_partials/track.html")


@require_POST
@customer_page(object_page=True)
def rate(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    found = _order_or_404(request, pk)
    form = RatingForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            rate_order(order=found, actor=seat.principal, score=form.cleaned_data["score"],
                       comment=form.cleaned_data["comment"])
        except DomainError as error:
            add_domain_error(form, error, default="score")
            status = error.status
        else:
            messages.success(request, _("Thank you for your rating!"))
            return redirect("portal:order", brand=seat.brand.code, pk=found.pk)
    return render_page(request, "portal/order.html", _context(request, seat, found, rating_form=form), status=status)


@require_POST
@customer_page(object_page=True)
def urge(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    """Urge the late order (催单); a refusal (too soon after the last urge: 429) is said beside the button."""
    found = _order_or_404(request, pk)
    try:
        urges.urge_order(order=found, actor=seat.principal, channel=UrgeChannel.PORTAL)
    except DomainError as error:
        found = _order_or_404(request, pk)
        context = _context(request, seat, found, urge_error=str(error.message))
        return render_page(request, "portal/order.html", context, status=error.status)
    messages.success(request, _("We have told the dispatcher that you are waiting. They will contact you shortly."))
    return redirect("portal:order", brand=seat.brand.code, pk=found.pk)


@require_POST
@customer_page(object_page=True)
def answer_quote(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    """The customer approves or declines their mail-in repair's quote; a refusal (answered already, no choice made)
    is said beside the buttons and changes nothing."""
    found = _order_or_404(request, pk)
    case = mail_in_selectors.case_of_order(request.user, found.pk)
    if case is None:
        raise Http404
    try:
        case = bench.decide(mail_in=case, actor=seat.principal, decision=request.POST.get("decision", ""))
    except DomainError as error:
        context = _context(request, seat, _order_or_404(request, pk),
                           quote_error=mail_in_track.refusal_text(error, case))
        return render_page(request, "portal/order.html", context, status=error.status)
    messages.success(request, mail_in_track.ANSWERED[case.decision])
    return redirect("portal:order", brand=seat.brand.code, pk=found.pk)


@require_POST
@customer_page(object_page=True)
def cancel(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    found = _order_or_404(request, pk)
    choice = dict(CANCEL_REASONS).get(request.POST.get("reason", ""))
    text = (request.POST.get("detail") or "").strip()[:300]
    if choice is None:
        return render_page(request, "portal/order.html", _context(request, seat, found,
                                                                 cancel_error=_("Tell us why you are cancelling.")),
                           status=422)
    try:
        intake.cancel_by_customer(order=found, actor=seat.principal, reason=f"{choice}{': ' + text if text else ''}")
    except DomainError as error:
        found = _order_or_404(request, pk)
        context = _context(request, seat, found, cancel_error=str(error.message))
        return render_page(request, "portal/order.html", context, status=error.status)
    messages.success(request, _("Your order is cancelled."))
    return redirect("portal:order", brand=seat.brand.code, pk=found.pk)


def _reschedule_windows(found: WorkOrder) -> list[tuple]:
    """Windows the order's outlet (or, before one is chosen, any serving outlet) can still take."""
    candidates = slot_windows(days=intake.OFFER_DAYS)
    if not candidates or found.product is None:
        return []
    board = board_for(product=found.product, service_type=found.type, site=found.site,
                      span=(candidates[0][0], candidates[-1][1]), outlet_id=found.outlet_id,
                      exclude_order_id=found.pk)
    current = (found.slot_start, found.slot_end)
    return [(o.start, o.end) for o in slot_maths.offers(board, candidates) if (o.start, o.end) != current]


@require_http_methods(["GET", "POST"])
@customer_page(object_page=True)
def reschedule(request: HttpRequest, pk: int, *, seat: Seat) -> HttpResponse:
    found = _order_or_404(request, pk)
    rules = intake.customer_change_rules(found)
    error, status = "", 200
    if request.method == "POST":
        try:
            intake.reschedule(order=found, actor=seat.principal, slot=slotpicker.parse_slot(request.POST.get("slot")))
        except DomainError as refusal:
            error, status = str(refusal.message), refusal.status
            found = _order_or_404(request, pk)
            rules = intake.customer_change_rules(found)
        else:
            messages.success(request, _("Your appointment is moved."))
            return redirect("portal:order", brand=seat.brand.code, pk=found.pk)
    days = slotpicker.by_day(_reschedule_windows(found)) if rules.can_reschedule else []
    return render_page(request, "portal/reschedule.html", {
        "brand": seat.brand, "seat": seat, "order": found, "rules": rules, "days": days, "error": error,
        "slot_text": slotpicker.describe(found.slot_start, found.slot_end), "now": timezone.now(),
    }, status=status)
