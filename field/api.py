"""The technician app's API: what the phone sends, queued offline and retried (STYLE.md §2: thin over services).

Every write takes an ``Idempotency-Key`` and runs once per key (core.idempotency): the phone retries until it
hears an answer, and a retry of a step that already happened returns the first answer instead of doing it
again. Only the job's own technician sees a job here; anyone else's, or a job that is not theirs, is a 404.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Header, Router, Schema, UploadedFile

from core.api import AUTH, principal
from core.errors import InvalidInput, NotFound
from core.idempotency import run_idempotent
from core.schema import Id, Input, Int, Moment, Text
from field import selectors, services
from field.geo import position
from workorders.models import WorkOrder

router = Router(tags=["technician app"], auth=AUTH)
KEY = Header(None, alias="Idempotency-Key")


def _job(request, order_id: Id) -> WorkOrder:
    try:
        return selectors.get_job(request.user, order_id)
    except (WorkOrder.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def _need_key(key: str | None) -> str:
    if not key or not key.strip():
        raise InvalidInput(_("Send an Idempotency-Key with every change, so a retry is not applied twice."),
                           field="Idempotency-Key")
    return key.strip()


def _act(request, order: WorkOrder, action: str, key: str | None, body: dict[str, Any], call):
    """Run ``call(actor)`` once per Idempotency-Key; a dict it returns adds fields to the answer."""

    def run() -> tuple[int, dict[str, Any]]:
        result = call(principal(request))
        extra = result if isinstance(result, dict) else {}
        order.refresh_from_db(fields=["status", "version"])
        return 200, {"order_id": order.pk, "action": action, "status": order.status, "version": order.version,
                     **extra}

    return run_idempotent(user=request.user, scope=f"field.{action}", key=_need_key(key),
                          body={"order": order.pk, **body}, fn=run)


def _body(schema: Schema) -> dict[str, Any]:
    return schema.model_dump(mode="json")


class Done(Schema):
    order_id: int
    action: str
    status: str
    version: int
    attachment_id: int | None = None
    consumption_id: int | None = None


class JobOut(Schema):
    id: int
    number: str
    status: str
    type: str
    slot_start: dt.datetime | None
    slot_end: dt.datetime | None
    onsite_due: dt.datetime | None
    customer: str
    address: str
    section: str


class WhenIn(Input):
    at: Moment | None = Field(None, description="When it happened on the phone (queued offline).")


class Where(WhenIn):
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=1_000_000, description="Metres, as the browser reports it.")


class Reason(Input):
    reason: str = Field(..., max_length=500)


class HoldIn(Input):
    hold_reason: str = Field(..., max_length=20)
    reason: str = Field(..., max_length=500)


class Answer(Input):
    item_id: Id
    value: str | None = Field("", max_length=400)


class ChecklistIn(Input):
    answers: list[Answer] = Field(..., max_length=100)


class DiagnosisIn(Input):
    fault_code: str = Field("", max_length=80)
    symptom_code: str = Field("", max_length=40)
    note: str = Field("", max_length=2000)


class PartLine(Input):
    part_id: Id
    quantity: Int


class PartsIn(Input):
    lines: list[PartLine] = Field(..., max_length=50)


class PaymentIn(Input):
    method: str = Field(..., max_length=20)
    amount: str = Field(..., max_length=20, description="Yuan as a decimal string, e.g. \"128.00\".")
    reference: str = Field("", max_length=120)


class CompleteIn(WhenIn):
    shown_total: str | None = Field(None, max_length=20, description="The total the phone showed the customer.")
    serial: Text | None = Field(None, max_length=40, description="The serial read off the unit's nameplate on site, "
                                "on any job. An installation must give it: scanned or typed, checked against the "
                                "model's pattern and the order's unit. On any other job it is optional and kept as "
                                "read (normalised: no spaces, upper case) even when it is not the unit's on record: "
                                "settlement checks it; only a malformed one is refused.")


@router.get("/jobs", response=list[JobOut], summary="My jobs: today and upcoming in route order, done today")
def list_jobs(request):
    day = selectors.my_jobs(request.user)
    rows = []
    for section, jobs in (("today", day.today), ("upcoming", day.upcoming), ("done", day.done)):
        for job in jobs:
            o = job.order
            rows.append({"id": o.pk, "number": o.number, "status": o.status, "type": o.type,
                         "slot_start": o.slot_start, "slot_end": o.slot_end, "onsite_due": o.onsite_due,
                         "customer": o.customer.name, "address": job.address, "section": section})
    return rows


@router.get("/jobs/{order_id}", response=dict, summary="One job as the phone works with it")
def job_detail(request, order_id: Id):
    return selectors.job_state(request.user, _job(request, order_id))


@router.post("/jobs/{order_id}/accept", response=Done, summary="Accept the job")
def accept(request, order_id: Id, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "accept", key, {}, lambda actor: services.accept(order=order, actor=actor))


@router.post("/jobs/{order_id}/decline", response=Done, summary="Decline the job with a reason")
def decline(request, order_id: Id, body: Reason, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "decline", key, _body(body),
                lambda actor: services.decline(order=order, actor=actor, reason=body.reason))


@router.post("/jobs/{order_id}/depart", response=Done, summary="On my way (with the phone's position)")
def depart(request, order_id: Id, body: Where, key: str | None = KEY):
    order = _job(request, order_id)
    where = position(body.latitude, body.longitude, body.accuracy)
    return _act(request, order, "depart", key, _body(body),
                lambda actor: services.depart(order=order, actor=actor, where=where, at=body.at))


@router.post("/jobs/{order_id}/arrive", response=Done, summary="Check in on site (with the phone's position)")
def arrive(request, order_id: Id, body: Where, key: str | None = KEY):
    order = _job(request, order_id)
    where = position(body.latitude, body.longitude, body.accuracy)
    return _act(request, order, "arrive", key, _body(body),
                lambda actor: services.arrive(order=order, actor=actor, where=where, at=body.at))


@router.post("/jobs/{order_id}/hold", response=Done, summary="Put the job on hold")
def hold(request, order_id: Id, body: HoldIn, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "hold", key, _body(body),
                lambda actor: services.hold(order=order, actor=actor, hold_reason=body.hold_reason,
                                            reason=body.reason))


@router.post("/jobs/{order_id}/resume", response=Done, summary="Resume the job")
def resume(request, order_id: Id, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "resume", key, {}, lambda actor: services.resume(order=order, actor=actor))


@router.post("/jobs/{order_id}/checklist", response=Done, summary="Answer checklist items")
def checklist(request, order_id: Id, body: ChecklistIn, key: str | None = KEY):
    order = _job(request, order_id)
    answers = [(a.item_id, a.value) for a in body.answers]
    return _act(request, order, "checklist", key, _body(body),
                lambda actor: services.answer_checklist(order=order, actor=actor, answers=answers))


def _digest(upload) -> str:
    if upload is None:
        return ""
    sha = hashlib.sha256()
    for chunk in upload.chunks():
        sha.update(chunk)
    upload.seek(0)
    return sha.hexdigest()


@router.post("/jobs/{order_id}/photos", response=Done,
             summary="Add a photo (multipart: 'photo', 'requirement', 'at')")
def photo(request, order_id: Id, photo: UploadedFile = File(None), requirement: Text = Form(""),
          at: Moment | None = Form(None), key: str | None = KEY):
    order = _job(request, order_id)

    def call(actor):
        added = services.add_visit_photo(order=order, actor=actor, upload=photo, requirement=requirement, at=at)
        return {"attachment_id": added.attachment_id}

    return _act(request, order, "photos", key, {"requirement": requirement, "file": _digest(photo)}, call)


@router.post("/jobs/{order_id}/diagnosis", response=Done, summary="Record the diagnosis and fault code")
def diagnosis(request, order_id: Id, body: DiagnosisIn, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "diagnosis", key, _body(body),
                lambda actor: services.record_diagnosis(order=order, actor=actor, **_body(body)))


@router.post("/jobs/{order_id}/parts", response=Done, summary="Use parts from my van on this job")
def parts(request, order_id: Id, body: PartsIn, key: str | None = KEY):
    order = _job(request, order_id)
    idempotency_key = _need_key(key)

    def call(actor):
        used = services.use_parts(order=order, actor=actor, idempotency_key=idempotency_key,
                                  lines=[(line.part_id, line.quantity) for line in body.lines])
        return {"consumption_id": used.pk}

    return _act(request, order, "parts", key, _body(body), call)


@router.post("/jobs/{order_id}/payment", response=Done, summary="Record the customer's payment")
def payment(request, order_id: Id, body: PaymentIn, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "payment", key, _body(body),
                lambda actor: services.record_payment(order=order, actor=actor, method=body.method,
                                                      amount=body.amount, reference=body.reference))


@router.post("/jobs/{order_id}/signature", response=Done,
             summary="The customer's signature (multipart: 'signature' PNG, 'signer')")
def signature(request, order_id: Id, signature: UploadedFile = File(None), signer: Text = Form(""),
              key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "signature", key, {"signer": signer, "file": _digest(signature)},
                lambda actor: services.sign(order=order, actor=actor, upload=signature, signer=signer))


@router.post("/jobs/{order_id}/complete", response=Done, summary="Complete the job and check out")
def complete(request, order_id: Id, body: CompleteIn, key: str | None = KEY):
    order = _job(request, order_id)
    return _act(request, order, "complete", key, _body(body),
                lambda actor: services.complete(order=order, actor=actor, at=body.at,
                                                shown_total=body.shown_total, serial=body.serial))
