from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from accounts.models import Organisation
from core.api import AUTH, get_visible, principal
from core.schema import Id
from network.models import Region, Skill, Technician

router = Router(tags=["service network"], auth=AUTH)


class OutletOut(Schema):
    id: int
    kind: str
    outlet_type: str
    code: str
    name: str
    city: str
    latitude: float | None
    longitude: float | None
    region_ids: list[int]
    category_ids: list[int]

    @staticmethod
    def resolve_region_ids(obj) -> list[int]:
        return [r.pk for r in obj.service_regions.all()]

    @staticmethod
    def resolve_category_ids(obj) -> list[int]:
        return [c.pk for c in obj.authorised_categories.all()]


class RegionOut(Schema):
    id: int
    code: str
    name: str
    province: str
    latitude: float
    longitude: float


class SkillOut(Schema):
    id: int
    code: str
    name: str


class CertificationOut(Schema):
    skill_id: int
    number: str
    valid_from: dt.date
    expires_on: dt.date
    valid_today: bool

    @staticmethod
    def resolve_valid_today(obj) -> bool:
        return obj.is_valid_on(dt.date.today())


class TechnicianOut(Schema):
    id: int
    name: str
    outlet_id: int
    skill_ids: list[int]
    certifications: list[CertificationOut]
    working_hours: dict
    daily_capacity: int
    is_active: bool

    @staticmethod
    def resolve_skill_ids(obj) -> list[int]:
        return [s.pk for s in obj.skills.all()]

    @staticmethod
    def resolve_certifications(obj) -> list:
        return list(obj.certifications.all())


@router.get("/outlets", response=list[OutletOut], summary="Service outlets")
def list_outlets(request):
    principal(request)
    return list(
        Organisation.objects.visible_to(request.user).filter(kind="outlet")
        .prefetch_related("service_regions", "authorised_categories")
    )


@router.get("/outlets/{outlet_id}", response=OutletOut)
def get_outlet(request, outlet_id: Id):
    return get_visible(Organisation.objects.filter(kind="outlet"), request, outlet_id)


@router.get("/regions", response=list[RegionOut])
def list_regions(request):
    principal(request)
    return list(Region.objects.visible_to(request.user))


@router.get("/skills", response=list[SkillOut])
def list_skills(request):
    principal(request)
    return list(Skill.objects.visible_to(request.user))


@router.get("/technicians", response=list[TechnicianOut])
def list_technicians(request):
    principal(request)
    return list(
        Technician.objects.visible_to(request.user).prefetch_related("skills", "certifications")[:1000]
    )


@router.get("/technicians/{technician_id}", response=TechnicianOut)
def get_technician(request, technician_id: Id):
    return get_visible(Technician.objects, request, technician_id)
