"""A day of mail-in repairs through the SF Express stand-in, on a simulated clock: the turnaround (issue 17).

    python bench/mail_in.py [--n 500] [--seed 17] [--staff 60] [--shift 8-22] [--near 0.5]

In a child process on its own SQLite database (var/bench-mail-in.sqlite3, made afresh from the models) it sets up a
brand with the demo's catalogue and price lists (demo/pricing.py), a repair centre in Hangzhou with ``--staff``
bench technicians on shift ``--shift`` (08:00-22:00) and parts in its store, and N customers, a share ``--near``
of them in Zhejiang (SF's same-province journey: about 6 hours once collected) and the rest in other provinces (a
day). The customers report their units over one day (more by day than by night); then everything runs through the
product's own code:

- the report is ``intake.submit_request`` (the hotline), whose pickup SF books after the commit (the task's work:
  the SF Express backend over HTTP to the stand-in, in the first window the grid offers);
- SF's route events come as signed pushes to our real callback (/api/v1/couriers/sf/routes), served by Django's
  WSGI application on loopback in a thread: the stand-in (core/couriers/standin/) runs on the simulation's clock,
  every 5 simulated minutes sending what has come due;
- the bench takes each unit as it arrives, through logistics.bench as the centre's manager: receive, diagnose,
  quote when out of warranty (the customer answers after a while: 80 % approve), repair with a part from the
  store, check, ship back (the return parcel booked with SF at once). Each step takes a technician for a time
  drawn from a seeded generator; a step waits for a free technician within the shift.

The whole process lives on one simulated clock (``django.utils.timezone.now`` is the simulation's, and so is the
stand-in's ``clock``): it jumps from one event to the next, so the figures do not depend on how fast this machine
is, and a run takes as long as the work does (a few minutes for 500 units on two cores).

It prints the report-to-redelivery turnaround (median, 90th percentile, maximum, the share within the one-day
target) and its split by hop (courier out: report to arrival; bench: arrival to shipped; courier back: shipped to
delivered), overall and near / far, beside the baseline measured in the same run: the courier's journeys alone as
the stand-in scheduled them (report to arrival, plus the return parcel's booking to delivery), the floor no bench
can beat.
"""

from __future__ import annotations

import argparse
import datetime as dt
import heapq
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
DB_FILE = ROOT / "var" / "bench-mail-in.sqlite3"
SHANGHAI = ZoneInfo("Asia/Shanghai")
START = dt.datetime(2026, 3, 3, tzinfo=SHANGHAI)  # a Tuesday, 00:00 in Shanghai
TARGET = dt.timedelta(days=1)  # report to redelivery (logistics.models.DEFAULT_HOP_TARGET_MINUTES: about a day)
TICK = dt.timedelta(minutes=5)  # how often the courier sends what has come due
HORIZON = dt.timedelta(days=10)  # a unit not back by then is reported as not delivered
AWAKE = (8, 22)  # when customers answer a quote, local
# Reports per hour of the day (0-23): few at night, most in the morning and the evening.
REPORTS_BY_HOUR = [1, 1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 8, 7, 7, 7, 7, 7, 8, 9, 9, 7, 4, 2]
# Bench minutes per step: (low, high, mode) of a triangular distribution.
MINUTES = {"receive": (5, 20, 10), "diagnose": (15, 90, 35), "quote": (3, 10, 5), "repair": (20, 150, 50),
           "check": (8, 25, 12), "ship": (5, 15, 8)}
OUT_OF_WARRANTY = 0.3
APPROVE = 0.8
NEAR = [("杭州市", "西湖区"), ("杭州市", "拱墅区"), ("宁波市", "鄞州区"), ("温州市", "鹿城区"), ("绍兴市", "越城区")]
FAR = [("上海市", "浦东新区"), ("北京市", "朝阳区"), ("广州市", "天河区"), ("成都市", "武侯区"), ("武汉市", "洪山区")]
MODELS = ["RO-400G", "RO-600G", "RO-800P", "UF-200", "WD-5", "DW-8", "GW-16", "EW-60", "AP-300"]


class Clock:
    """The simulation's time: what ``timezone.now()`` and the stand-in read; it moves only when told."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start.astimezone(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now

    def to(self, when: dt.datetime) -> None:
        self.now = max(self.now, when.astimezone(dt.UTC))


class NoMigrations(dict):
    def __contains__(self, item: object) -> bool:
        return True

    def __getitem__(self, item: str) -> None:
        return None


def child(n: int, seed: int, staff: int, shift: tuple[int, int], near_share: float) -> dict[str, Any]:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import override_settings
    from django.utils import timezone

    # The tables straight from the models, as pytest-django's --nomigrations makes them: seconds, not a minute.
    with override_settings(MIGRATION_MODULES=NoMigrations()):
        call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("createcachetable", verbosity=0)
    clock = Clock(START)
    timezone.now = clock  # the whole process on the simulation's clock (the services read timezone.now())
    return Simulation(n=n, seed=seed, staff=staff, shift=shift, near_share=near_share, clock=clock).run()


class Simulation:
    def __init__(self, *, n: int, seed: int, staff: int, shift: tuple[int, int], near_share: float,
                 clock: Clock) -> None:
        self.n, self.staff, self.shift, self.near_share, self.clock = n, staff, shift, near_share, clock
        self.rng = random.Random(seed)
        self.events: list[tuple[dt.datetime, int, str, Any]] = []
        self.seq = 0
        self.techs = [START.astimezone(dt.UTC)] * staff
        self.busy = dt.timedelta(0)
        self.steps = 0
        self.queued: set[int] = set()  # cases whose arrival the bench has taken in
        self.near: dict[int, bool] = {}  # case -> in Zhejiang
        self.late_flags = 0

    # --- the world ----------------------------------------------------------------------------------------------

    def world(self) -> None:
        from accounts.choices import OrgKind, OutletType, Role
        from accounts.models import Membership, Organisation, User
        from accounts.principal import principal_of
        from catalog.models import Part, ProductCategory, ProductModel
        from customers.choices import ProductStatus
        from customers.models import Customer, InstalledProduct, Site
        from demo import data
        from demo.mail_in import POLICY
        from demo.population import make_serial
        from demo.pricing import seed_pricing
        from logistics.models import MailInPolicy
        from parts import services as parts

        brand = Organisation.objects.create(kind=OrgKind.BRAND, code="aqualife", name=data.BRAND_NAME, city="杭州")
        categories = {code: ProductCategory.objects.create(brand=brand, code=code, name=name, mail_in_allowed=True)
                      for code, name, _mail_in in data.CATEGORIES if code in ("purifier", "appliance")}
        models = {code: ProductModel.objects.create(category=categories[cat], code=code, name=name,
                                                    warranty_months=months, list_price=price)
                  for cat, code, name, months, price, _skill in data.PRODUCT_MODELS if code in MODELS}
        seed_pricing(brand, today=START.date())
        code, name, address, phone, lat, lon = data.REPAIR_CENTRE
        centre = Organisation.objects.create(kind=OrgKind.OUTLET, outlet_type=OutletType.OWN, brand=brand, code=code,
                                             name=name, city="杭州", address=address, phone=phone, latitude=lat,
                                             longitude=lon, is_repair_centre=True)
        for category in categories.values():
            category.authorised_outlets.add(centre)
        MailInPolicy.objects.create(brand=brand, **POLICY)
        people = {}
        for username, role, org in (("hotline", Role.HOTLINE_AGENT, brand), ("admin", Role.BRAND_ADMIN, brand),
                                    ("centre", Role.OUTLET_MANAGER, centre)):
            user = User.objects.create(username=username)
            Membership.objects.create(user=user, organisation=org, role=role)
            people[username] = principal_of(user)
        self.hotline, self.desk = people["hotline"], people["centre"]
        store = parts.ensure_store(centre)
        for part in Part.objects.filter(brand=brand).order_by("code"):
            parts.receive_stock(warehouse=store, part=part, quantity=5000, actor=people["admin"])
        customers = Customer.objects.bulk_create([
            Customer(brand=brand, name=f"客户{i:04d}", phone=f"+86139{i:08d}") for i in range(self.n)])
        sites, near = [], []
        for i, customer in enumerate(customers):
            is_near = self.rng.random() < self.near_share
            city, district = self.rng.choice(NEAR if is_near else FAR)
            sites.append(Site(customer=customer, name="家", address=f"{city}{district}人民路{i % 300 + 1}号",
                              contact_name=customer.name, contact_phone=customer.phone))
            near.append(is_near)
        sites = Site.objects.bulk_create(sites)
        products = []
        for i, (customer, site) in enumerate(zip(customers, sites, strict=True)):
            model = models[self.rng.choice(MODELS)]
            old = self.rng.random() < OUT_OF_WARRANTY
            bought = START.date() - dt.timedelta(days=self.rng.randint(
                model.warranty_months * 31 + 60, model.warranty_months * 31 + 900) if old else self.rng.randint(
                30, model.warranty_months * 28))
            product = InstalledProduct(brand=brand, serial=make_serial(model.code, bought, i + 1), product_model=model,
                                       customer=customer, site=site, purchase_date=bought, install_date=bought,
                                       status=ProductStatus.ACTIVE)
            product.warranty_end = product.compute_warranty_end()
            products.append(product)
        self.products = InstalledProduct.objects.bulk_create(products)
        self.product_near = {p.pk: is_near for p, is_near in zip(self.products, near, strict=True)}

    # --- the loop ----------------------------------------------------------------------------------------------

    def at(self, when: dt.datetime, kind: str, payload: Any = None) -> None:
        self.seq += 1
        heapq.heappush(self.events, (when.astimezone(dt.UTC), self.seq, kind, payload))

    def run(self) -> dict[str, Any]:
        from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
        from django.core.wsgi import get_wsgi_application
        from django.test import override_settings
        from django.urls import reverse

        from core import outbox
        from core.couriers.standin import SfExpressStandIn
        from demo.mail_in import SF_CHECK_WORD, SF_PARTNER_ID, sf_config

        started = time.perf_counter()
        self.world()
        for sink in list(outbox.sinks):  # nobody to tell: the turnaround is measured, not the messages
            outbox.sinks.unregister(sink.name)

        class Quiet(WSGIRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

        server = ThreadedWSGIServer(("127.0.0.1", 0), Quiet)
        server.set_app(get_wsgi_application())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        site = f"http://127.0.0.1:{server.server_address[1]}"
        sf = SfExpressStandIn(partner_id=SF_PARTNER_ID, check_word=SF_CHECK_WORD,
                              push_url=site + reverse("api:courier-routes", kwargs={"backend": "sf"}),
                              clock=self.clock, pace=1.0).start()
        self.sf = sf
        set_up = time.perf_counter() - started
        try:
            with override_settings(COURIER_BACKEND="sf", SF_EXPRESS=sf_config(f"{sf.url}/std/service"),
                                   SITE_URL=site, ALLOWED_HOSTS=["127.0.0.1", "localhost"]):
                self.loop()
        finally:
            sf.stop()
            server.shutdown()
        figures = self.figures()
        figures.update(set_up_s=round(set_up, 1), run_s=round(time.perf_counter() - started - set_up, 1),
                       pushes=len(sf.pushed), failed_pushes=sum(1 for *_x, status in sf.pushed if status != 200),
                       bench_steps=self.steps, late_flags=self.late_flags,
                       utilisation=round(hours(self.busy) / (self.staff * self.shift_hours()), 2))
        return figures

    def loop(self) -> None:
        from logistics import booking, watch
        from logistics.choices import Hop
        from logistics.models import MailIn

        day = START.astimezone(dt.UTC)
        weights = REPORTS_BY_HOUR
        for product in self.products:
            hour = self.rng.choices(range(24), weights=weights)[0]
            self.at(day + dt.timedelta(hours=hour, seconds=self.rng.randrange(3600)), "report", product)
        tick = START.astimezone(dt.UTC)
        self.end = START.astimezone(dt.UTC) + HORIZON
        done = MailIn.objects.filter(hop__in=[Hop.DELIVERED, Hop.CANCELLED])
        while tick < self.end:
            while self.events and self.events[0][0] <= tick:
                when, _seq, kind, payload = heapq.heappop(self.events)
                self.clock.to(when)
                getattr(self, f"on_{kind}")(payload)
            self.clock.to(tick)
            if self.sf.run_due():
                for case in (MailIn.objects.filter(hop=Hop.ARRIVED).exclude(pk__in=self.queued)
                             .only("pk", "hop_since")):
                    self.queued.add(case.pk)
                    self.bench(case.pk, "receive", ready=case.hop_since)
            for shipment_id in booking.due_for_booking(tick):  # the periodic jobs, every minute in production
                booking.book(shipment_id)
            self.late_flags += watch.sweep(now=tick)
            if not self.events and done.count() == self.n:
                break
            tick += TICK

    def shift_hours(self) -> float:
        span = max(self.clock.now - START.astimezone(dt.UTC), dt.timedelta(hours=1))
        return span.total_seconds() / 3600 * (self.shift[1] - self.shift[0]) / 24

    # --- what happens ------------------------------------------------------------------------------------------

    def on_report(self, product: Any) -> None:
        from catalog.choices import ServiceType
        from workorders import intake
        from workorders.choices import Channel

        intake.submit_request(actor=self.hotline, customer=product.customer, service_type=ServiceType.MAIL_IN,
                              channel=Channel.HOTLINE, product=product, site=product.site, description="寄修")

    def bench(self, case_id: int, step: str, *, ready: dt.datetime | None = None) -> None:
        """The step waits for the first free technician within the shift, and takes its time."""
        ready = max(ready or self.clock.now, START.astimezone(dt.UTC))
        free = heapq.heappop(self.techs)
        start = on_shift(max(ready, free), self.shift)
        low, high, mode = MINUTES[step]
        took = dt.timedelta(minutes=self.rng.triangular(low, high, mode))
        finish = max(start + took, self.clock.now)
        heapq.heappush(self.techs, finish)
        self.busy += took
        self.at(finish, "bench", (case_id, step))

    def on_bench(self, payload: tuple[int, str]) -> None:
        from catalog.models import Part
        from demo.mail_in_story import bench_part, finding_for
        from logistics import bench
        from logistics.models import MailIn

        case_id, step = payload
        case = MailIn.objects.select_related("work_order__product", "centre").get(pk=case_id)
        desk = self.desk
        self.steps += 1
        if step == "receive":
            bench.receive(mail_in=case, actor=desk, serial=case.work_order.product.serial)
            self.bench(case_id, "diagnose")
        elif step == "diagnose":
            part = bench_part(case, case.work_order.product.product_model_id, self.rng.choice)
            case = bench.diagnose(mail_in=case, actor=desk, finding=finding_for(part),
                                  parts=[(part.code, 1)] if part else [])
            self.bench(case_id, "quote" if case.quote_required else "repair")
        elif step == "quote":
            bench.quote(mail_in=case, actor=desk)
            wait = dt.timedelta(minutes=self.rng.lognormvariate(4.5, 0.8))  # a median of 1.5 hours
            self.at(awake(self.clock.now + wait, self.rng), "answer", case_id)
        elif step == "repair":
            used = [(Part.objects.get(brand_id=case.brand_id, code=code), n) for code, n in case.quote_parts]
            bench.repair(mail_in=case, actor=desk, parts=used)
            self.bench(case_id, "check")
        elif step == "check":
            bench.check_quality(mail_in=case, actor=desk, checks={point: True for point in bench.QC_POINTS})
            self.bench(case_id, "ship")
        elif step == "ship":
            bench.ship(mail_in=case, actor=desk)

    def on_answer(self, case_id: int) -> None:
        from logistics import bench
        from logistics.models import MailIn

        case = MailIn.objects.select_related("work_order").get(pk=case_id)
        approved = self.rng.random() < APPROVE
        bench.decide(mail_in=case, actor=None, decision="approved" if approved else "declined")
        self.bench(case_id, "repair" if approved else "check")

    # --- the figures -------------------------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        from logistics.choices import Direction, Hop
        from logistics.models import MailIn, MailInStep, Shipment

        steps: dict[int, dict[str, dt.datetime]] = {}
        for case_id, hop, at in MailInStep.objects.order_by("at", "pk").values_list("mail_in_id", "hop", "at"):
            steps.setdefault(case_id, {}).setdefault(hop, at)
        parcels = {(s.mail_in_id, s.direction): s for s in Shipment.objects.exclude(status="cancelled")}
        rows = []
        for case in MailIn.objects.select_related("work_order"):
            near = self.product_near[case.work_order.product_id]
            got = steps.get(case.pk, {})
            arrived = got.get(Hop.ARRIVED) or got.get(Hop.RECEIVED)
            shipped, delivered = got.get(Hop.SHIPPED), case.delivered_at
            if not (arrived and shipped and delivered):
                rows.append({"near": near, "delivered": False})
                continue
            back = parcels[(case.pk, Direction.OUTBOUND)]
            journey = self.sf.route(back.waybill)
            scheduled_back = next(h.at for h in journey if h.step == "delivered") - back.booked_at
            rows.append({"near": near, "delivered": True, "total": delivered - case.created_at,
                         "out": arrived - case.created_at, "bench": shipped - arrived, "back": delivered - shipped,
                         "floor": (arrived - case.created_at) + scheduled_back,
                         "quoted": Hop.QUOTED in got})
        return {"n": self.n, "delivered": sum(r["delivered"] for r in rows),
                "span_h": round((self.clock.now - START.astimezone(dt.UTC)).total_seconds() / 3600, 1),
                "all": summary([r for r in rows if r["delivered"]]),
                "near": summary([r for r in rows if r["delivered"] and r["near"]]),
                "far": summary([r for r in rows if r["delivered"] and not r["near"]]),
                "quoted": summary([r for r in rows if r["delivered"] and r["quoted"]])}


def on_shift(when: dt.datetime, shift: tuple[int, int]) -> dt.datetime:
    """``when``, or the start of the next shift if it falls outside (``shift``: from and until, local hours)."""
    local = when.astimezone(SHANGHAI)
    if local.hour < shift[0]:
        return local.replace(hour=shift[0], minute=0, second=0, microsecond=0)
    if local.hour >= shift[1]:
        return (local + dt.timedelta(days=1)).replace(hour=shift[0], minute=0, second=0, microsecond=0)
    return when


def awake(when: dt.datetime, rng: random.Random) -> dt.datetime:
    """A customer answers between 08:00 and 22:00: a quote read at night is answered in the morning."""
    start = on_shift(when, AWAKE)
    return start if start == when else start + dt.timedelta(minutes=rng.uniform(0, 90))


def hours(value: dt.timedelta) -> float:
    return value.total_seconds() / 3600


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    if not rows:
        return {"count": 0}

    def stats(key: str) -> dict[str, float]:
        values = [hours(r[key]) for r in rows]
        return {"median": round(percentile(values, 0.5), 1), "p90": round(percentile(values, 0.9), 1),
                "max": round(max(values), 1)}

    within = sum(r["total"] <= TARGET for r in rows) / len(rows)
    floor_within = sum(r["floor"] <= TARGET for r in rows) / len(rows)
    return {"count": len(rows), "total": stats("total"), "out": stats("out"), "bench": stats("bench"),
            "back": stats("back"), "floor": stats("floor"), "within": round(100 * within),
            "floor_within": round(100 * floor_within)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=500, help="units reported in the day (default 500)")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--staff", type=int, default=60, help="bench technicians (default 60)")
    parser.add_argument("--shift", default="8-22", help="the bench's hours, local: from-until (default 8-22)")
    parser.add_argument("--near", type=float, default=0.5, help="share of customers in Zhejiang (default 0.5)")
    parser.add_argument("--db", type=Path, default=DB_FILE, help=argparse.SUPPRESS)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.hours = tuple(int(h) for h in args.shift.split("-"))
    if len(args.hours) != 2 or not 0 <= args.hours[0] < args.hours[1] <= 24:
        parser.error("--shift is two hours from 0 to 24, e.g. 8-22")
    if args.child:
        print(json.dumps(child(args.n, args.seed, args.staff, args.hours, args.near), default=str))
        return
    print("$ python bench/mail_in.py " + " ".join(sys.argv[1:]))
    args.db.parent.mkdir(exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{args.db}{suffix}").unlink(missing_ok=True)
    env = {**os.environ, "SQLITE_PATH": str(args.db), "TASKS_BACKEND": "immediate"}
    for name in ("DATABASE_URL", "COURIER_BACKEND", "SF_EXPRESS_URL"):
        env.pop(name, None)
    out = subprocess.run([sys.executable, __file__, "--child", "--n", str(args.n), "--seed", str(args.seed),
                          "--staff", str(args.staff), "--shift", args.shift, "--near", str(args.near)], env=env,
                         capture_output=True,
                         text=True, cwd=ROOT)
    if out.returncode:
        sys.exit(f"the simulation failed:\n{out.stderr[-4000:]}")
    report(json.loads(out.stdout.strip().splitlines()[-1]), args)


def report(r: dict[str, Any], args: argparse.Namespace) -> None:
    start, until = args.hours
    print(f"{r['n']} mail-in units reported over one day (seed {args.seed}; {args.staff} bench technicians "
          f"{start:02d}:00-{until:02d}:00; {args.near:.0%} in Zhejiang): {r['delivered']} delivered back within "
          f"{r['span_h']} simulated hours; {r['pushes']} route pushes to our callback ({r['failed_pushes']} refused), "
          f"{r['bench_steps']} bench steps, {r['late_flags']} hops flagged late, bench busy {r['utilisation']:.0%} "
          f"of its shift hours; set-up {r['set_up_s']} s, run {r['run_s']} s")
    print()
    print(f"{'hours, report to redelivery':<34}{'units':>6}{'median':>8}{'p90':>7}{'max':>7}{'<= 1 day':>10}   "
          f"{'courier out':>12}{'bench':>12}{'courier back':>14}   (median / p90)")
    for label, key in (("all", "all"), ("  near (same province)", "near"), ("  far (another province)", "far"),
                       ("  quoted (waited for the customer)", "quoted")):
        s = r[key]
        if not s.get("count"):
            continue
        split = "".join(f"{s[hop]['median']:>6} /{s[hop]['p90']:>5}" for hop in ("out", "bench", "back"))
        print(f"{label:<34}{s['count']:>6}{s['total']['median']:>8}{s['total']['p90']:>7}{s['total']['max']:>7}"
              f"{s['within']:>9}%   {split}")
        f = s["floor"]
        print(f"{'    baseline: the courier alone':<34}{'':>6}{f['median']:>8}{f['p90']:>7}{f['max']:>7}"
              f"{s['floor_within']:>9}%")


if __name__ == "__main__":
    main()
