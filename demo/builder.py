"""The demo data set: brand, network, catalogue and staff (phase 1), then people and orders (phases 2-3).

Deterministic for a seed and an anchor time: every random choice comes from one
``random.Random(seed)`` in a fixed order, and nothing depends on database ids' values.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrgKind, Role
from accounts.models import Membership, Organisation, User
from catalog.models import ProductCategory, ProductModel, ServiceStandard, Symptom
from customers.models import WarrantyCardPolicy
from demo import callbacks, complaints, data
from demo.callbacks import seed_callbacks
from demo.common import mobile, near, person_name, sinks_held
from demo.complaints import seed_complaints
from demo.dispatch_day import seed_dispatch_day
from demo.estimates import price_past_orders
from demo.field import seed_field
from demo.imports import seed_imports
from demo.intake import seed_intake
from demo.integrations import seed_integrations
from demo.knowledge import seed_articles
from demo.mail_in import seed_mail_in, story_courier
from demo.maintenance_plans import seed_maintenance_plans
from demo.maintenance_schedules import seed_schedules
from demo.messages import seed_messages
from demo.orders import build_orders
from demo.parts import seed_parts
from demo.population import build_population, serial_pattern
from demo.pricing import seed_pricing
from demo.revenue import seed_revenue
from demo.settlement import seed_settlement
from demo.shop import seed_shop
from demo.sla import seed_sla
from demo.urges import seed_urges
from demo.warranty import seed_warranty
from network.models import WEEKDAYS, Certification, Region, Skill, Technician
from pricing.models import PriceList
from workorders.choices import Priority
from workorders.models import ServiceCalendar, SlaPolicy
from workorders.sla import DEFAULT_SLA_MINUTES, forget_policies

WORKING_HOURS = [
    {d: ["08:30", "17:30"] for d in WEEKDAYS[:6]},
    {d: ["09:00", "18:00"] for d in WEEKDAYS[:5]},
    {**{d: ["08:00", "16:00"] for d in WEEKDAYS[:5]}, "sat": ["09:00", "13:00"]},
    {d: ["10:00", "19:00"] for d in ("wed", "thu", "fri", "sat", "sun")},
]
FEATURED_HOURS = {d: ["08:30", "19:30"] for d in WEEKDAYS}  # demo.field's windows run to 19:30
# Premium customers get faster deadlines than the brand-wide defaults.
PREMIUM_SLA = {Priority.URGENT: (20, 180), Priority.HIGH: (45, 360), Priority.NORMAL: (90, 720),
               Priority.LOW: (180, 1440)}


@dataclass
class Sizes:
    customers: int
    products: int
    orders: int


SIZES = {"full": Sizes(3000, 5000, 2000), "small": Sizes(200, 350, 300)}


@dataclass
class World:
    """What phase 1 made, by code, for the later phases."""

    brand: Organisation
    regions: dict[str, Region] = field(default_factory=dict)
    outlets: dict[str, Organisation] = field(default_factory=dict)
    skills: dict[str, Skill] = field(default_factory=dict)
    categories: dict[str, ProductCategory] = field(default_factory=dict)
    models: dict[str, ProductModel] = field(default_factory=dict)
    standards: dict[tuple[str, str], ServiceStandard] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    technicians: list[Technician] = field(default_factory=list)
    tech_skills: dict[int, set[int]] = field(default_factory=dict)
    outlet_desk: dict[int, list[tuple[int, str]]] = field(default_factory=dict)


def find_brand() -> Organisation | None:
    return Organisation.objects.filter(kind=OrgKind.BRAND, code=data.BRAND_CODE).first()


class Builder:
    def __init__(self, *, seed: int, size: str = "full", now: dt.datetime | None = None,
                 log: Callable[[str], None] = print) -> None:
        self.rng = random.Random(seed)
        self.sizes = SIZES[size]
        # An anchor on the hour: two runs in the same hour make the same data.
        self.now = now or timezone.now().replace(minute=0, second=0, microsecond=0)
        self.today = timezone.localdate(self.now)
        self.tz = timezone.get_default_timezone()
        self.log = log
        self.counts: dict[str, int] = {}
        self.phones: set[str] = {data.CUSTOMER_PHONE}
        self.password = make_password(data.PASSWORD)

    def build(self) -> dict[str, int]:
        # The outbox delivers none of the history while it loads: the last phase does, each event as of its time
        # (demo/messages.py), and the surveys go out at each completion's (demo/callbacks.py).
        with sinks_held() as held:
            return self._build(held)

    def _build(self, sinks: list) -> dict[str, int]:
        world = self._phase("network, catalogue and staff", self.build_network)
        people = self._phase("customers, sites and installed products", lambda: build_population(self, world))
        self._phase("work orders and timelines", lambda: build_orders(self, world, people))
        self._phase("price lists, warranty rules and symptoms", lambda: self._pricing(world))
        self._phase("estimates of past orders", lambda: self.counts.update(
            priced_past_orders=price_past_orders(world.brand)))
        self._phase("self-help articles", lambda: self.counts.update(articles=seed_articles(world.brand)))
        self._phase("IoT alerts and WeChat", lambda: self.counts.update(seed_integrations(world.brand, now=self.now)))
        self._phase("slots and intake policy", lambda: self.counts.update(seed_intake(world.brand, today=self.today)))
        self._phase("complaints", lambda: self.counts.update(seed_complaints(world.brand, now=self.now)))
        self._phase("callbacks", lambda: self.counts.update(seed_callbacks(world.brand, now=self.now)))
        self._phase("extended warranty", lambda: self.counts.update(seed_warranty(world.brand, now=self.now)))
        self._phase("sales on site", lambda: self.counts.update(seed_revenue(world.brand, now=self.now)))
        self._phase("maintenance plans and contracts", lambda: self.counts.update(
            seed_maintenance_plans(world.brand, now=self.now)))
        self._phase("parts and stock", lambda: self.counts.update(seed_parts(world.brand, now=self.now)))
        self._phase("technician's day", lambda: self.counts.update(seed_field(world.brand, now=self.now)))
        self._phase("dispatch day", lambda: self.counts.update(seed_dispatch_day(world.brand, now=self.now)))
        self._phase("SLA clocks and notifications", lambda: self.counts.update(seed_sla(world.brand, now=self.now)))
        self._phase("urges of late orders", lambda: self.counts.update(seed_urges(world.brand, now=self.now)))
        self._phase("an installed base import", lambda: self.counts.update(seed_imports(world.brand, now=self.now)))
        self._phase("the portal's shop", lambda: self.counts.update(seed_shop(world.brand, now=self.now)))
        self._phase("consumable schedules and reminders",
                    lambda: self.counts.update(seed_schedules(world.brand, now=self.now)))
        with story_courier() as courier:  # SF's stand-in and no tasks, up to and through the phase's commit
            self._phase("mail-in repair: the repair centre and its units",
                        lambda: self.counts.update(seed_mail_in(world.brand, now=self.now, courier=courier)))
        self._phase("periodic jobs up to now", lambda: self._catch_up(world.brand))
        self._phase("customer messages and notices", lambda: self.counts.update(
            seed_messages(world.brand, sinks=sinks, now=self.now)))
        # Last month's statements of the network: after every phase that adds to last month's orders.
        self._phase("settlement: tariff, rules and last month's statements",
                    lambda: self.counts.update(seed_settlement(world.brand, now=self.now)))
        return self.counts

    def _catch_up(self, brand: Organisation) -> None:
        """What the periodic jobs would have done by now that the phases above left (orders finished by the
        technician's day and the dispatch day): so the jobs `make run` starts find nothing of the past to do.
        The SLA watch ran in its own phase."""
        self.counts["complaint_escalations"] = (self.counts.get("complaint_escalations", 0)
                                                + complaints.catch_up(brand, now=self.now))
        for key, value in callbacks.catch_up(brand, now=self.now).items():
            self.counts[f"late_{key}"] = value

    def _pricing(self, world: World) -> None:
        seed_pricing(world.brand, today=self.today)
        self.counts.update(price_lists=PriceList.objects.filter(brand=world.brand).count(),
                           symptoms=Symptom.objects.filter(category__brand=world.brand).count())

    def _phase(self, label: str, fn: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        with transaction.atomic():
            result = fn()
        self.log(f"  {label}: {time.perf_counter() - started:.1f}s")
        return result

    # --- phase 1 ---------------------------------------------------------------------------

    def build_network(self) -> World:
        brand = Organisation.objects.create(
            kind=OrgKind.BRAND, code=data.BRAND_CODE, name=data.BRAND_NAME, city="杭州",
            address="杭州市滨江区江南大道 588 号沁泉大厦", phone="400-820-8820", latitude="30.208950",
            longitude="120.211850",
        )
        w = World(brand=brand)
        self._regions_and_outlets(w)
        self._catalogue(w)
        self._staff(w)
        self._technicians(w)
        self.counts.update(regions=len(w.regions), outlets=len(w.outlets), skills=len(w.skills),
                           product_models=len(w.models), service_standards=len(w.standards),
                           technicians=len(w.technicians))
        return w

    def _regions_and_outlets(self, w: World) -> None:
        regions = Region.objects.bulk_create([
            Region(brand=w.brand, code=code, name=name, province=province, latitude=lat, longitude=lon)
            for code, name, province, lat, lon, _districts in data.REGIONS
        ])
        w.regions = {r.code: r for r in regions}
        districts = {code: d for code, *_rest, d in data.REGIONS}
        outlets = []
        for code, name, kind, home, lat, lon, _served, _cats, _n in data.OUTLETS:
            region = w.regions[home]
            outlets.append(Organisation(
                kind=OrgKind.OUTLET, outlet_type=kind, brand=w.brand, code=code, name=name, city=region.name,
                address=f"{region.name}市{self.rng.choice(districts[home])}{self.rng.choice(data.ROADS)}"
                        f"{self.rng.randint(1, 500)}号",
                phone=mobile(self.rng, self.phones), latitude=lat, longitude=lon,
                daily_capacity=40 if kind == "own" else self.rng.choice((15, 20, 25, 30)),
            ))
        w.outlets = {o.code: o for o in Organisation.objects.bulk_create(outlets)}
        Region.outlets.through.objects.bulk_create([
            Region.outlets.through(region_id=w.regions[r].pk, organisation_id=w.outlets[code].pk)
            for code, *_x, served, _cats, _n in data.OUTLETS for r in served
        ])

    def _catalogue(self, w: World) -> None:
        w.skills = {s.code: s for s in Skill.objects.bulk_create(
            [Skill(brand=w.brand, code=code, name=name) for code, name in data.SKILLS])}
        w.categories = {c.code: c for c in ProductCategory.objects.bulk_create(
            [ProductCategory(brand=w.brand, code=code, name=name, mail_in_allowed=mail_in)
             for code, name, mail_in in data.CATEGORIES])}
        ProductCategory.authorised_outlets.through.objects.bulk_create([
            ProductCategory.authorised_outlets.through(
                productcategory_id=w.categories[cat].pk, organisation_id=w.outlets[code].pk)
            for code, *_x, cats, _n in data.OUTLETS for cat in cats
        ])
        w.models = {m.code: m for m in ProductModel.objects.bulk_create([
            ProductModel(category=w.categories[cat], code=code, name=name, warranty_months=months,
                         list_price=data.PRODUCT_PRICES[code], serial_pattern=serial_pattern(code))
            for cat, code, name, months, _price, _skill in data.PRODUCT_MODELS
        ])}
        # Customers' own registrations (electronic warranty cards) wait for the hotline's review in the demo, so
        # the review list is there to see (console/warranty-cards/).
        WarrantyCardPolicy.objects.create(brand=w.brand, review_required=True)
        standards = []
        for cat, code, _name, _months, price, skill in data.PRODUCT_MODELS:
            # Bigger (dearer) units take longer: scale the category's minutes by price rank.
            heavier = 1.25 if float(price) > 5000 else 1.0
            for service, minutes in data.CATEGORY_SERVICES[cat].items():
                needed = data.SERVICE_SKILL_OVERRIDE.get((cat, service), skill)
                standards.append(ServiceStandard(
                    product_model=w.models[code], service_type=service, standard_minutes=int(minutes * heavier),
                    required_skill=w.skills[needed],
                ))
        saved = ServiceStandard.objects.bulk_create(standards)
        w.standards = {(s.product_model.code, s.service_type): s for s in saved}
        SlaPolicy.objects.bulk_create(
            [SlaPolicy(brand=w.brand, priority=p, response_minutes=r, onsite_minutes=o)
             for p, (r, o) in DEFAULT_SLA_MINUTES.items()]
            + [SlaPolicy(brand=w.brand, segment="premium", priority=p, response_minutes=r, onsite_minutes=o)
               for p, (r, o) in PREMIUM_SLA.items()]
        )
        # The clocks count in service hours: long days in the week, shorter at weekends and on public holidays.
        ServiceCalendar.objects.create(
            brand=w.brand, name="服务时间", workday_opens=dt.time(8), workday_closes=dt.time(20),
            restday_opens=dt.time(9), restday_closes=dt.time(18), holiday_opens=dt.time(10),
            holiday_closes=dt.time(16))
        forget_policies(w.brand.pk)  # bulk_create skips SlaPolicy.save

    def _user(self, username: str, first: str, last: str, **extra: Any) -> User:
        return User(username=username, first_name=first, last_name=last, password=self.password,
                    email=f"{username}@aqualife.example", phone=extra.pop("phone", ""), **extra)

    def _staff(self, w: World) -> None:
        users = []
        for _label, username, _role, where in data.STAFF_LOGINS:
            if username == "tech" or where == "repair_centre":
                continue  # made with the other technicians, or with the repair centre (demo/mail_in.py)
            last, first = data.STAFF_NAMES[username]
            phone = data.CUSTOMER_PHONE if username == "customer" else mobile(self.rng, self.phones)
            admin = username == "admin"
            users.append(self._user(username, first, last, phone=phone, is_staff=admin, is_superuser=admin))
        # Every other outlet has a desk user too, so their orders are dispatched by their own people.
        for code, *_rest in data.OUTLETS:
            if code != data.FEATURED_OUTLET:
                name = person_name(self.rng)
                users.append(self._user(f"desk_{code.split('-')[0]}", name[1:], name[0],
                                        phone=mobile(self.rng, self.phones)))
        w.users = {u.username: u for u in User.objects.bulk_create(users)}
        featured = w.outlets[data.FEATURED_OUTLET]
        memberships = []
        for _label, username, role, where in data.STAFF_LOGINS:
            if username != "tech" and where != "repair_centre":
                memberships.append(Membership(user=w.users[username], role=role,
                                              organisation=w.brand if where == "brand" else featured))
        for code, outlet in w.outlets.items():
            if code != data.FEATURED_OUTLET:
                memberships.append(Membership(user=w.users[f"desk_{code.split('-')[0]}"], organisation=outlet,
                                              role=Role.OUTLET_DISPATCHER))
        Membership.objects.bulk_create(memberships)
        for m in memberships:
            if m.role in (Role.OUTLET_MANAGER, Role.OUTLET_DISPATCHER):
                w.outlet_desk.setdefault(m.organisation.pk, []).append((m.user.pk, m.role))
        self.counts["staff_users"] = len(users)

    def _technicians(self, w: World) -> None:
        rng = self.rng
        plan = []  # (username, name, outlet code)
        for code, *_x, n in data.OUTLETS:
            for i in range(n):
                featured = code == data.FEATURED_OUTLET and i == 0
                name = "".join(data.STAFF_NAMES["tech"]) if featured else person_name(rng)
                plan.append(("tech" if featured else f"tech_{code.split('-')[0]}_{i + 1}", name, code))
        users = User.objects.bulk_create([
            self._user(username, name[1:], name[0], phone=mobile(rng, self.phones)) for username, name, _c in plan
        ])
        Membership.objects.bulk_create([
            Membership(user=u, organisation=w.outlets[code], role=Role.TECHNICIAN)
            for u, (_n, _name, code) in zip(users, plan, strict=True)
        ])
        techs = []
        for user, (username, name, code) in zip(users, plan, strict=True):
            outlet = w.outlets[code]
            lat, lon = near(rng, outlet.latitude, outlet.longitude, 0.08)
            hours = rng.choice(WORKING_HOURS)
            if username == "tech":
                # The featured technician's day is seeded for today (demo.field), whatever weekday the demo is
                # loaded on: their roster has them working it, so the board never shows them off while booked.
                hours = FEATURED_HOURS
            capacity = rng.randint(4, 8)
            techs.append(Technician(
                user=user, outlet=outlet, name=name, phone=user.phone, home_latitude=lat, home_longitude=lon,
                working_hours=hours, daily_capacity=max(capacity, 8) if username == "tech" else capacity,
            ))
        w.technicians = Technician.objects.bulk_create(techs)
        w.users["tech"] = users[0]
        links, certs = [], []
        outlet_cats = {code: cats for code, *_x, cats, _n in data.OUTLETS}
        for tech, (_u, _name, code) in zip(w.technicians, plan, strict=True):
            # Each technician covers one or two of the outlet's categories.
            cats = rng.sample(outlet_cats[code], k=min(len(outlet_cats[code]), rng.choice((1, 2, 2))))
            skills = sorted({s for c in cats for s in data.CATEGORY_SKILLS[c] if rng.random() < 0.85}
                            | {data.CATEGORY_SKILLS[cats[0]][0]})
            w.tech_skills[tech.pk] = {w.skills[s].pk for s in skills}
            for s in skills:
                links.append(Technician.skills.through(technician_id=tech.pk, skill_id=w.skills[s].pk))
                if s in data.CERTIFIED_SKILLS:
                    certs.append(self._certificate(tech, w.skills[s]))
        Technician.skills.through.objects.bulk_create(links)
        Certification.objects.bulk_create(certs)
        self.counts["certifications"] = len(certs)
        self.counts["expired_certifications"] = sum(c.expires_on < self.today for c in certs)

    def _certificate(self, tech: Technician, skill: Skill) -> Certification:
        rng = self.rng
        years = rng.choice((3, 6))
        # About one in eight has lapsed, so dispatch has something to refuse.
        if rng.random() < 0.12:
            expires = self.today - dt.timedelta(days=rng.randint(5, 300))
        else:
            expires = self.today + dt.timedelta(days=rng.randint(20, 365 * years - 30))
        valid_from = expires - dt.timedelta(days=365 * years)
        return Certification(technician=tech, skill=skill, valid_from=valid_from, expires_on=expires,
                             number=f"T{rng.randrange(10**17):017d}")
