"""Mail-in repair over HTTP: thin adapters over logistics' services (STYLE.md §2), and the couriers' route pushes.

The order's routes (mounted under /workorders): its case with the hops (``GET {id}/mail-in``), its parcels with
their route events (``GET {id}/shipments``), the bench's steps (``receive``, ``diagnose``, ``quote``, ``repair``,
``qc``, ``ship``), the customer's answer to a quote (``quote/approve``, ``quote/decline``) and a waybill typed by
hand (``shipments/{id}/waybill``). The order is fetched through ``visible_to``: another's is a 404.

The couriers' pushes (mounted under /couriers): ``POST /couriers/{backend}/routes``, verified by the backend's
signature (a bad one is 401), answered as the courier expects.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router
from pydantic import BaseModel, ConfigDict

from catalog.models import Part
from core import couriers
from core.api import AUTH, ApiDateTime, get_visible, json_response, principal
from core.errors import InvalidInput, NotFound
from core.payments import CallbackRefused
from core.schema import Id, Input, Text
from logistics import bench, routes, selectors
from logistics.choices import Decision
from logistics.models import MailIn, Shipment
from workorders.models import WorkOrder

router = Router(tags=["mail-in"], auth=AUTH)
courier_router = Router(tags=["couriers"])


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    hop: str
    from_hop: str
    label: str
    at: ApiDateTime
    place: str
    note: str


class MailInOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    work_order_id: int
    centre_id: int
    hop: str
    hop_label: str
    hop_since: ApiDateTime
    hop_due: ApiDateTime | None
    late: bool
    version: int
    pickup_start: ApiDateTime
    pickup_end: ApiDateTime
    in_warranty: bool
    warranty_reason: str
    serial_matches: bool | None
    condition_photo_ids: list[int] = Field(description="The photos taken at receiving (GET "
                                                       "/workorders/attachments/{id} for each).")
    diagnosis: str
    quote_total: str | None = Field(description="Out of warranty: the quoted repair with the courier's fee, yuan.")
    decision: str
    outcome: str
    charge_total: str | None
    delivered_at: ApiDateTime | None
    steps: list[StepOut]


class RouteEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: str
    at: ApiDateTime
    place: str
    text: str


class ShipmentOut(BaseModel):
    id: int
    direction: str
    courier: str = Field(description="The courier backend that carries it: sf, kuaidi100, or manual (by hand).")
    waybill: str
    status: str
    window_start: ApiDateTime
    window_end: ApiDateTime
    last_error: str = Field(description="Why the courier has not booked it yet (it is tried again by itself).")
    next_try_at: ApiDateTime | None
    route: list[RouteEventOut]


def _shipment_out(shipment: Shipment) -> ShipmentOut:
    return ShipmentOut(id=shipment.pk, direction=shipment.direction, courier=shipment.backend,
                       waybill=shipment.waybill, status=shipment.status, window_start=shipment.window_start,
                       window_end=shipment.window_end, last_error=shipment.last_error,
                       next_try_at=shipment.next_try_at,
                       route=[RouteEventOut.model_validate(e) for e in shipment.route.order_by("at", "pk")])


def _case(request, order_id: int) -> tuple[WorkOrder, MailIn]:
    order = get_visible(WorkOrder.objects, request, order_id)
    case = MailIn.objects.filter(work_order=order).select_related("work_order__product", "centre").first()
    if case is None:
        raise NotFound(_("This order is not a mail-in repair."))
    return order, case


def _out(request, case: MailIn) -> MailInOut:
    steps = selectors.steps_for(case, principal(request))
    return MailInOut(
        id=case.pk, work_order_id=case.work_order_id, centre_id=case.centre_id, hop=case.hop,
        hop_label=str(case.get_hop_display()), hop_since=case.hop_since, hop_due=case.hop_due,
        late=bool(case.late_hop) and case.late_hop == case.hop, version=case.version, pickup_start=case.pickup_start,
        pickup_end=case.pickup_end, in_warranty=case.in_warranty, warranty_reason=case.warranty_words,
        serial_matches=case.serial_matches, condition_photo_ids=case.condition_photos, diagnosis=case.diagnosis,
        quote_total=str(case.quote_total) if case.quote_total is not None else None, decision=case.decision,
        outcome=case.outcome, charge_total=str(case.charge_total) if case.charge_total is not None else None,
        delivered_at=case.delivered_at,
        steps=[StepOut(hop=s.hop, from_hop=s.from_hop, label=str(s.get_hop_display()), at=s.at, place=s.place,
                       note=s.note) for s in steps])


@router.get("/{order_id}/mail-in", response=MailInOut, summary="The mail-in case: where the unit is, hop by hop")
def mail_in_case(request, order_id: Id):
    _order, case = _case(request, order_id)
    return json_response(_out(request, case))


@router.get("/{order_id}/shipments", response=list[ShipmentOut],
            summary="The order's parcels (to the centre and back), each with its route events")
def shipments(request, order_id: Id):
    _order, case = _case(request, order_id)
    rows = Shipment.objects.filter(mail_in=case).order_by("created_at", "pk")
    return [_shipment_out(s) for s in rows]


class ReceiveIn(Input):
    model_config = ConfigDict(extra="forbid")

    serial: str = Field(max_length=bench.SERIAL_MAX, description="As read off the unit's nameplate.")
    condition: str = Field("", max_length=bench.NOTE_MAX)
    accessories: list[str] = Field(default_factory=list, max_length=20)
    photo_ids: list[Id] = Field(default_factory=list, max_length=5,
                                 description="Photos of the unit as it arrived: add them to the order first "
                                             "(POST /workorders/{id}/attachments), then name them here.")


class PartIn(Input):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40)
    quantity: int = Field(1, ge=1, le=99)


class DiagnoseIn(Input):
    model_config = ConfigDict(extra="forbid")

    finding: str = Field(max_length=bench.NOTE_MAX)
    parts: list[PartIn] = Field(default_factory=list, max_length=30)
    exclusion: Literal["", "misuse", "accidental_damage", "unauthorised_repair", "external_cause"] = Field(
        "", description="The bench found what the warranty excludes (catalog ExclusionReason): the customer pays, "
                        "after approving a quote.")


class RepairIn(Input):
    model_config = ConfigDict(extra="forbid")

    parts: list[PartIn] = Field(default_factory=list, max_length=30,
                                description="Taken out of the centre's store (all or none; 409 insufficient_stock).")
    note: str = Field("", max_length=bench.NOTE_MAX)
    exchange_serial: str = Field("", max_length=bench.SERIAL_MAX,
                                 description="Exchanged for a refurbished unit: its serial.")


class QcIn(Input):
    model_config = ConfigDict(extra="forbid")

    checks: dict[Literal[bench.QC_POINTS], bool]  # type: ignore[valid-type]
    note: str = Field("", max_length=bench.NOTE_MAX)


class WaybillIn(Input):
    model_config = ConfigDict(extra="forbid")

    direction: Literal["inbound", "outbound"] = Field(description="The parcel to the centre, or back.")
    waybill: str = Field(max_length=40)


@router.post("/{order_id}/receive", response=MailInOut, summary="Bench: the unit is unpacked and checked")
def receive(request, order_id: Id, payload: ReceiveIn):
    _order, case = _case(request, order_id)
    case = bench.receive(mail_in=case, actor=principal(request), serial=payload.serial, condition=payload.condition,
                         accessories=payload.accessories, photo_ids=payload.photo_ids)
    return json_response(_out(request, case))


@router.post("/{order_id}/diagnose", response=MailInOut, summary="Bench: what is wrong, and the parts it needs")
def diagnose(request, order_id: Id, payload: DiagnoseIn):
    _order, case = _case(request, order_id)
    case = bench.diagnose(mail_in=case, actor=principal(request), finding=payload.finding,
                          parts=[(p.code, p.quantity) for p in payload.parts], exclusion=payload.exclusion)
    return json_response(_out(request, case))


@router.post("/{order_id}/quote", response=MailInOut, summary="Bench: quote the repair to the customer "
             "(out of warranty)")
def quote(request, order_id: Id):
    _order, case = _case(request, order_id)
    return json_response(_out(request, bench.quote(mail_in=case, actor=principal(request))))


@router.post("/{order_id}/quote/approve", response=MailInOut, summary="The customer approves the quote")
def approve(request, order_id: Id):
    _order, case = _case(request, order_id)
    return json_response(_out(request, bench.decide(mail_in=case, actor=principal(request),
                                                    decision=Decision.APPROVED)))


@router.post("/{order_id}/quote/decline", response=MailInOut,
             summary="The customer declines the quote: the unit comes back unrepaired")
def decline(request, order_id: Id):
    _order, case = _case(request, order_id)
    return json_response(_out(request, bench.decide(mail_in=case, actor=principal(request),
                                                    decision=Decision.DECLINED)))


def _parts(case: MailIn, lines: list[PartIn]) -> list[tuple[Part, int]]:
    codes = {line.code for line in lines}
    found = {p.code: p for p in Part.objects.filter(brand_id=case.brand_id, code__in=codes, is_active=True)}
    missing = sorted(codes - set(found))
    if missing:
        raise InvalidInput(_("Unknown part."), field="parts", codes=missing)
    return [(found[line.code], line.quantity) for line in lines]


@router.post("/{order_id}/repair", response=MailInOut, summary="Bench: repaired (or exchanged), with its parts")
def repair(request, order_id: Id, payload: RepairIn):
    _order, case = _case(request, order_id)
    case = bench.repair(mail_in=case, actor=principal(request), parts=_parts(case, payload.parts),
                        note=payload.note, exchange_serial=payload.exchange_serial)
    return json_response(_out(request, case))


@router.post("/{order_id}/qc", response=MailInOut, summary="Bench: the quality check before the unit leaves")
def qc(request, order_id: Id, payload: QcIn):
    _order, case = _case(request, order_id)
    case = bench.check_quality(mail_in=case, actor=principal(request), checks=dict(payload.checks),
                               note=payload.note)
    return json_response(_out(request, case))


@router.post("/{order_id}/ship", response={201: ShipmentOut},
             summary="Bench: hand the unit to the courier (the return parcel, booked at once)")
def ship(request, order_id: Id):
    _order, case = _case(request, order_id)
    shipment = bench.ship(mail_in=case, actor=principal(request))
    return json_response(_shipment_out(shipment), status=201)


@router.post("/{order_id}/waybill", response=ShipmentOut,
             summary="The waybill of a pickup booked by hand (no courier backend, or the courier refused)")
def waybill(request, order_id: Id, payload: WaybillIn):
    _order, case = _case(request, order_id)
    shipment = bench.enter_waybill(mail_in=case, actor=principal(request), waybill=payload.waybill,
                                   direction=payload.direction)
    return json_response(_shipment_out(shipment))


@courier_router.post("/{backend}/routes", auth=None, url_name="courier-routes",
                     summary="A courier's signed push of route events",
                     response={200: None, 401: None, 404: None})
def courier_routes(request, backend: Text) -> HttpResponse:
    """Verified with the backend's signature (core/couriers); a bad or stale one is 401 and changes nothing. The
    same event twice is kept once; an older stage after a newer one moves nothing back. Answered in the courier's
    own form (its ``push_reply``)."""
    try:
        courier = couriers.backend(backend)
    except LookupError:
        raise NotFound() from None
    try:
        events = courier.parse_push(headers=dict(request.headers.items()), body=request.body)
    except CallbackRefused:
        status, content_type, body = courier.push_reply(ok=False)
        return HttpResponse(body, status=401, content_type=content_type)
    routes.record(backend=courier.name, events=events)
    status, content_type, body = courier.push_reply(ok=True)
    return HttpResponse(body, status=status, content_type=content_type)
