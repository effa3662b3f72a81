"""Demo: every outlet can offer appointment slots for every category it is authorised for.

``seed_intake(brand, today=...)`` (called by the demo command; safe to run twice) makes sure each active
outlet has, for each skill its categories' service standards require, an active technician holding that
skill with a certificate current for the coming weeks where the skill is a certified one (one any
technician of the brand holds a certificate for). The demo's working hours all cover whole two-hour
windows, so those technicians produce offers. It also gives the brand its IntakePolicy.

The featured centre also gets its evening-shift technician (12:00-21:00 every day, purifiers and appliances):
made here, after the order history was drawn, so that history stays as it was. Customers in Hangzhou may book
the evening windows, and whatever the hour the demo is loaded at, the dispatcher has someone for the day's calls.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.db.models import Count

from accounts.choices import OrgKind, Role
from accounts.models import Membership, Organisation, User
from catalog.models import ServiceStandard
from customers.models import Customer
from demo import data
from demo.common import mobile, near, person_name
from dispatch import slots
from network.models import WEEKDAYS, Certification, Skill, Technician
from workorders.models import IntakePolicy

CERTIFIED_FOR = dt.timedelta(days=2 * 365)
LOOKAHEAD_DAYS = 14
EVENING = {"username": "tech_hz_evening", "hours": ("12:00", "21:00"), "capacity": 6,
           "skills": (data.CATEGORY_SKILLS["purifier"][0], data.CATEGORY_SKILLS["appliance"][0])}


@transaction.atomic
def seed_intake(brand: Organisation, *, today: dt.date) -> dict[str, int]:
    _evening_hand(brand)
    certified_skills = set(Certification.objects.filter(skill__brand=brand).values_list("skill_id", flat=True))
    skills_of_category: dict[int, set[int]] = {}
    for category_id, skill_id in ServiceStandard.objects.filter(
            product_model__category__brand=brand, required_skill__isnull=False).values_list(
            "product_model__category_id", "required_skill_id"):
        skills_of_category.setdefault(category_id, set()).add(skill_id)
    added_skills = added_certificates = 0
    outlets = Organisation.objects.filter(kind=OrgKind.OUTLET, brand=brand, is_active=True).order_by("code")
    for outlet in outlets.prefetch_related("authorised_categories"):
        needed = sorted({s for c in outlet.authorised_categories.all() for s in skills_of_category.get(c.pk, ())})
        crew = list(Technician.objects.filter(outlet=outlet, is_active=True)
                    .annotate(n_skills=Count("skills")).order_by("n_skills", "name", "pk"))
        if not crew:
            continue
        for skill_id in needed:
            if _someone_qualified(crew, skill_id, today):
                continue
            tech = next((t for t in crew if slots.parse_hours(t.working_hours)), crew[0])
            tech.skills.add(skill_id)
            added_skills += 1
            if skill_id in certified_skills:
                Certification.objects.create(
                    technician=tech, skill_id=skill_id, valid_from=today - dt.timedelta(days=30),
                    expires_on=today + CERTIFIED_FOR, number=f"T{today:%Y%m%d}{outlet.code}{added_certificates:03d}")
                added_certificates += 1
    IntakePolicy.objects.get_or_create(brand=brand)
    return {"slot_skills_added": added_skills, "slot_certificates_added": added_certificates}


def _someone_qualified(crew: list[Technician], skill_id: int, today: dt.date) -> bool:
    """Someone of the crew holds the skill on every one of the coming days and has working hours."""
    ids = [t.pk for t in crew if slots.parse_hours(t.working_hours)]
    last = today + dt.timedelta(days=LOOKAHEAD_DAYS)
    holders = set(Technician.objects.filter(pk__in=ids, skills=skill_id).values_list("pk", flat=True))
    spans: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for tech_id, start, end in Certification.objects.filter(technician_id__in=holders, skill_id=skill_id) \
            .values_list("technician_id", "valid_from", "expires_on"):
        spans.setdefault(tech_id, []).append((start, end))
    for tech_id in holders:
        if tech_id not in spans or any(start <= today and last <= end for start, end in spans[tech_id]):
            return True
    return False


def _evening_hand(brand: Organisation) -> Technician:
    """The featured centre's evening-shift technician (made once; the same on a second run)."""
    found = Technician.objects.filter(user__username=EVENING["username"]).first()
    if found is not None:
        return found
    outlet = Organisation.objects.get(brand=brand, code=data.FEATURED_OUTLET)
    rng = random.Random(f"{brand.code}-evening")
    taken = {*Customer.objects.values_list("phone", flat=True), *User.objects.values_list("phone", flat=True)}
    name, phone = person_name(rng), mobile(rng, taken)
    # The same password as every demo login: the featured technician's hash (hashing it again takes a while).
    password = User.objects.get(username="tech").password
    user = User.objects.create(username=EVENING["username"], first_name=name[1:], last_name=name[0], phone=phone,
                               email=f"{EVENING['username']}@aqualife.example", password=password)
    Membership.objects.create(user=user, organisation=outlet, role=Role.TECHNICIAN)
    lat, lon = near(rng, outlet.latitude, outlet.longitude, 0.08)
    tech = Technician.objects.create(user=user, outlet=outlet, name=name, phone=phone, home_latitude=lat,
                                     home_longitude=lon, daily_capacity=EVENING["capacity"],
                                     working_hours={d: list(EVENING["hours"]) for d in WEEKDAYS})
    tech.skills.add(*Skill.objects.filter(brand=brand, code__in=EVENING["skills"]))
    return tech
