"""Demo mail-in repair (issue 17, 寄修): ``seed_mail_in(brand, now=...)`` (the demo command runs it; safe twice).

The repair centre 杭州中央维修中心 (an own outlet flagged as a repair centre, authorised for every category that
allows mail-in), its bench login (``centre``, the centre's manager), parts in its store, the brand's
``MailInPolicy``, and units held at every hop: a pickup booked with its waybill, one still being booked after SF's
system went down (its error and next try), one whose waybill the desk typed after that outage, collected, on the
way, arrived, received, diagnosed, quoted (the demo customer's: the portal asks them to approve or decline),
approved, declined, repaired, checked, shipped back, delivered (the order completed), one cancelled before the
courier came, and one late in its hop, flagged by the hop watch.

Each unit is told through the real services, in order (demo/mail_in_story.py): the customer reports it
(``intake.submit_request``), the pickup is booked through the SF Express backend against a stand-in of SF
(``story_courier``: waybills from a fixed series, so two builds make the same data), SF's route events arrive
(``logistics.routes.record``), and the centre's manager works the bench (``logistics.bench``). The services stamp
the real time; each step is then dated at its time in the story (minutes before the demo's ``now``), as the other
phases date their history. ``make run`` keeps the units moving: demo/mail_in_live.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.test import override_settings
from django.utils import timezone

from accounts.choices import OrgKind, OutletType, Role
from accounts.models import Membership, Organisation, User
from accounts.principal import Principal, principal_of
from catalog.models import Part, ProductCategory, ProductModel
from core.couriers.standin import Parcel, SfExpressStandIn
from customers.choices import ProductStatus
from customers.models import Customer, InstalledProduct, Site
from demo import data
from demo.common import advance_counter, align_outbox, counter_value, historical_timestamps
from demo.mail_in_story import STORIES, Unit
from demo.parts import DEFAULT_LEVELS, LEVELS
from demo.population import make_serial, serial_key
from logistics import watch
from logistics.models import MailIn, MailInPolicy
from parts import services as parts
from parts.models import StockMove

# The SF Express account the demo books with: the build's stand-in and `make run`'s know it (demo/providers.py).
SF_PARTNER_ID = "AQUALIFE_DEMO"
SF_CHECK_WORD = "aqualife-demo-sf-check-word"
SF_MONTHLY_CARD = "5710000001"
FIRST_WAYBILL = 1_300_000_000_001  # SF13…: far below the live stand-in's numbers (the clock's milliseconds)
# The brand's terms: its own minutes where its bench and SF's long-distance parcels differ from the defaults.
POLICY = {"courier_fee": Decimal("30.00"), "inspection_fee": Decimal("50.00"),
          "hop_target_minutes": {"in_transit": 1440, "arrived": 90, "diagnosed": 120, "repaired": 120,
                                 "qc_passed": 90, "shipped": 1800}}
OLD_UNIT = "WD-5"  # the demo customer's unit out of warranty, which the bench quotes


class _NumberedSf(SfExpressStandIn):
    """SF's stand-in for the story: it numbers its waybills from a fixed series, so two builds make the same data."""

    def __init__(self, first: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._numbers = itertools.count(first)

    def book(self, **kwargs: Any) -> Parcel:
        parcel = super().book(**kwargs)
        self.parcels.pop(parcel.waybill)
        parcel.waybill = f"SF{next(self._numbers):013d}"
        self.parcels[parcel.waybill] = parcel
        return parcel


def sf_config(url: str) -> dict[str, Any]:
    """settings.SF_EXPRESS for the demo's account at ``url``."""
    return {"URL": url, "PARTNER_ID": SF_PARTNER_ID, "CHECK_WORD": SF_CHECK_WORD, "MONTHLY_CARD": SF_MONTHLY_CARD,
            "TIMEOUT": 5}


@contextmanager
def story_courier() -> Iterator[SfExpressStandIn]:
    """While the story is told: the courier is SF, played by a stand-in, and no task runs (the story books and moves
    its parcels itself; what the services queue on commit, a pickup to book, goes nowhere). Wrap the phase in it,
    so that its commit falls inside too."""
    stand_in = _NumberedSf(FIRST_WAYBILL, partner_id=SF_PARTNER_ID, check_word=SF_CHECK_WORD).start()
    try:
        with override_settings(COURIER_BACKEND="sf", SF_EXPRESS=sf_config(f"{stand_in.url}/std/service"),
                               TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
            yield stand_in
    finally:
        stand_in.stop()


def seed_mail_in(brand: Organisation, *, now: dt.datetime, courier: SfExpressStandIn | None = None
                 ) -> dict[str, int]:
    if courier is None:
        with story_courier() as stand_in:
            return seed_mail_in(brand, now=now, courier=stand_in)
    if Organisation.objects.filter(brand=brand, code=data.REPAIR_CENTRE[0]).exists():
        return _counts(brand)
    centre, desk = _centre(brand)
    policy = MailInPolicy.objects.create(brand=brand, **POLICY)
    _stock(brand, centre, now)
    cast = _cast(brand, now)
    if cast is None:
        return _counts(brand)
    hotline = principal_of(User.objects.filter(memberships__organisation=brand, memberships__role=Role.HOTLINE_AGENT)
                           .order_by("pk").first())
    told: list[int] = []
    for story in sorted(STORIES, key=lambda s: -s.reported):  # numbered in the order they were reported
        unit = Unit(story, product=cast[story.name], desk=desk, hotline=hotline, now=now, courier=courier,
                     policy=policy)
        unit.tell()
        told.append(unit.order.pk)
    align_outbox(told)
    watch.sweep(now=now)
    return _counts(brand)


def _counts(brand: Organisation) -> dict[str, int]:
    return {"mail_in_units": MailIn.objects.filter(brand=brand).count(),
            "mail_in_late": MailIn.objects.filter(brand=brand).exclude(late_hop="").count()}


def _centre(brand: Organisation) -> tuple[Organisation, Principal]:
    code, name, address, phone, lat, lon = data.REPAIR_CENTRE
    centre = Organisation.objects.create(kind=OrgKind.OUTLET, outlet_type=OutletType.OWN, brand=brand, code=code,
                                         name=name, city="杭州", address=address, phone=phone, latitude=lat,
                                         longitude=lon, daily_capacity=60, is_repair_centre=True)
    for category in ProductCategory.objects.filter(brand=brand, mail_in_allowed=True).order_by("code"):
        category.authorised_outlets.add(centre)
    username = next(u for _label, u, _role, where in data.STAFF_LOGINS if where == "repair_centre")
    last, first = data.STAFF_NAMES[username]
    known = User.objects.filter(username="admin").values_list("password", flat=True).first()  # the demo's password
    user = User.objects.create(username=username, first_name=first, last_name=last, phone="+8615067120001",
                               email=f"{username}@aqualife.example", password=known or "")
    if not known:
        user.set_password(data.PASSWORD)
        user.save(update_fields=["password"])
    Membership.objects.create(user=user, organisation=centre, role=Role.OUTLET_MANAGER)
    return centre, principal_of(user)


def _stock(brand: Organisation, centre: Organisation, now: dt.datetime) -> None:
    """The centre's store, filled from the central warehouse by the parts desk ten days ago."""
    clerk = User.objects.filter(memberships__organisation=brand, memberships__role=Role.PARTS_CLERK).first()
    central = parts.ensure_central(brand)
    available = {b.part_id: b.available for b in central.balances.all()}
    lines = [parts.Line(p, min(3 * LEVELS.get(p.family, DEFAULT_LEVELS)[1], available.get(p.pk, 0) // 3))
             for p in Part.objects.filter(brand=brand, is_active=True, category__mail_in_allowed=True).order_by("code")]
    lines = [line for line in lines if line.quantity > 0]
    if clerk is None or not lines:
        return
    moves = parts.transfer_stock(source=central, target=parts.ensure_store(centre), lines=lines,
                                 actor=principal_of(clerk), reason="寄修中心备件")
    StockMove.objects.filter(pk__in=[m.pk for m in moves]).update(created_at=now - dt.timedelta(days=10))


def _cast(brand: Organisation, now: dt.datetime) -> dict[str, InstalledProduct] | None:
    """A unit for each story: in warranty where the bench repairs it for free, out of warranty where it quotes;
    of customers in Zhejiang, but the afar story's; the demo customer's own (an old one) for theirs."""
    today = timezone.localdate(now)
    pool = list(InstalledProduct.objects.filter(
        brand=brand, product_model__category__mail_in_allowed=True, status=ProductStatus.ACTIVE, site__isnull=False,
        site__region__isnull=False, customer__user__isnull=True).exclude(
        warranty_end__range=(today - dt.timedelta(days=60), today + dt.timedelta(days=60)))
        .select_related("customer", "site__region", "product_model__category").order_by("serial"))
    rng = random.Random(f"mail-in:{brand.code}")
    rng.shuffle(pool)
    cast: dict[str, InstalledProduct] = {}
    for story in STORIES:
        if story.mine:
            mine = _old_unit(brand, now)
            if mine is None:
                return None
            cast[story.name] = mine
            continue
        fits = (p for p in pool if (p.site.region.province != "浙江") == story.afar
                and (p.warranty_end is not None and p.warranty_end > today) != story.quote)
        product = next(fits, None)
        if product is None:
            return None
        pool.remove(product)
        cast[story.name] = product
    return cast


def _old_unit(brand: Organisation, now: dt.datetime) -> InstalledProduct | None:
    """The demo customer's old water dispenser, bought three years ago: long out of its year's warranty."""
    customer = Customer.objects.filter(brand=brand, user__username="customer").first()
    site = Site.objects.filter(customer=customer).order_by("pk").first() if customer else None
    model = ProductModel.objects.filter(category__brand=brand, code=OLD_UNIT).first()
    if site is None or model is None:
        return None
    seq = counter_value(serial_key(brand.pk)) + 1
    advance_counter(serial_key(brand.pk), seq)
    bought = timezone.localdate(now) - dt.timedelta(days=3 * 365 + 40)
    since = now - dt.timedelta(days=3 * 365 + 40)
    with historical_timestamps():
        return InstalledProduct.objects.create(
            brand=brand, serial=make_serial(OLD_UNIT, bought, seq), product_model=model, customer=customer, site=site,
            purchase_date=bought, install_date=bought + dt.timedelta(days=3), status=ProductStatus.ACTIVE,
            created_at=since, updated_at=since)
