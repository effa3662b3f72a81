"""A big day for the board: N technicians at outlet A with their days booked, the rest of the jobs in the queue.

Bulk-inserted (the services would take minutes for 600 orders); statuses and links as the lifecycle leaves them.
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace

from accounts.choices import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from customers.models import Site
from dispatch.tests.scene import CENTRE, at
from network.models import Technician
from workorders.choices import Status
from workorders.models import WorkOrder

PER_DAY = 6


def scale_scene(w, *, technicians: int, jobs: int, seed: int = 7) -> SimpleNamespace:
    rng = random.Random(seed)
    w.outlet_a.daily_capacity = 1000  # a big own centre: the outlet's cap is not what this measures
    w.outlet_a.save(update_fields=["daily_capacity"])
    users = [UserFactory(username=f"scale-{k}") for k in range(technicians)]
    for user in users:
        MembershipFactory(user=user, organisation=w.outlet_a, role=Role.TECHNICIAN)
    techs = Technician.objects.bulk_create([
        Technician(user=u, outlet=w.outlet_a, name=f"技师 {k:02d}", daily_capacity=8,
                   home_latitude=f"{CENTRE[0] + rng.uniform(-0.12, 0.12):.6f}",
                   home_longitude=f"{CENTRE[1] + rng.uniform(-0.14, 0.14):.6f}")
        for k, u in enumerate(users)])
    Technician.skills.through.objects.bulk_create(
        [Technician.skills.through(technician_id=t.pk, skill_id=w.skill.pk) for t in techs])
    on_lanes = min(jobs, technicians * PER_DAY)
    sites = Site.objects.bulk_create([
        Site(customer=w.customer, name="Home", address=f"文三路 {k} 号", region=w.region,
             latitude=f"{CENTRE[0] + rng.uniform(-0.12, 0.12):.6f}",
             longitude=f"{CENTRE[1] + rng.uniform(-0.14, 0.14):.6f}") for k in range(jobs)])
    now = dt.datetime.now(dt.UTC)
    orders = []
    for k, site in enumerate(sites):
        fields = dict(brand=w.brand, number=f"WO-S-{k:06d}", type="repair", channel="hotline", customer=w.customer,
                      site=site, product=w.product, region=w.region, response_due=now + dt.timedelta(hours=1),
                      onsite_due=now + dt.timedelta(days=10 if k % 5 else 0, hours=2))
        if k < on_lanes:
            tech, n = techs[k // PER_DAY], k % PER_DAY
            site.latitude = f"{float(tech.home_latitude) + rng.uniform(-0.03, 0.03):.6f}"
            site.longitude = f"{float(tech.home_longitude) + rng.uniform(-0.03, 0.03):.6f}"
            hour = (9, 10, 11, 13, 14, 15)[n]
            fields.update(slot_start=at(w.day, hour), slot_end=at(w.day, hour + 2))
            fields.update(status=Status.DISPATCHED if n % 2 else Status.ACCEPTED, outlet=w.outlet_a, technician=tech)
        else:
            hour = 9 + 2 * rng.randrange(4)
            fields.update(status=Status.NEW, slot_start=at(w.day, hour), slot_end=at(w.day, hour + 2))
        orders.append(WorkOrder(**fields))
    Site.objects.bulk_update(sites[:on_lanes], ["latitude", "longitude"])
    saved = WorkOrder.objects.bulk_create(orders, batch_size=300)
    free = Technician.objects.create(user=UserFactory(username="scale-free"), outlet=w.outlet_a, name="技师 空闲",
                                     home_latitude=f"{CENTRE[0]:.6f}", home_longitude=f"{CENTRE[1]:.6f}")
    free.skills.add(w.skill)
    return SimpleNamespace(techs=techs, orders=saved, free_technician=free)
