"""Phase 2: customers (households and enterprises with several sites) and their installed products."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.dates import add_months
from customers.choices import CustomerKind, ProductStatus
from customers.models import Customer, InstalledProduct, Site
from demo import data
from demo.common import (
    advance_counter,
    counter_value,
    historical_timestamps,
    mobile,
    near,
    person_name,
    street_address,
    weighted,
)

if TYPE_CHECKING:
    from demo.builder import Builder, World

CITY_OF = {code: (name, lat, lon, districts) for code, name, _p, lat, lon, districts in data.REGIONS}
MODELS_OF = {cat: [code for c, code, *_x in data.PRODUCT_MODELS if c == cat] for cat, *_x in data.CATEGORIES}


@dataclass
class People:
    """Phase 2's rows, in creation order, for phase 3."""

    customers: list[Customer] = field(default_factory=list)
    sites: dict[int, list[Site]] = field(default_factory=dict)  # customer pk → sites
    products: list[InstalledProduct] = field(default_factory=list)


def serial_key(brand_id: int) -> str:
    return f"demo:serial:{brand_id}"


def make_serial(model_code: str, made: dt.date, seq: int) -> str:
    return f"AQ{model_code.replace('-', '')}{made:%y%m}{seq:07d}"


def serial_pattern(model_code: str) -> str:
    """What make_serial makes, as the model's pattern: an installer's scan and a customer's typed serial are
    checked against it (and name the model)."""
    return "AQ" + re.escape(model_code.replace("-", "")) + r"\d{11,13}"


def build_population(b: Builder, w: World) -> People:
    rng, now = b.rng, b.now
    people = People()
    regions = [code for code, *_x in data.REGIONS]
    customers, site_plan = [], []
    for i in range(b.sizes.customers):
        region = "hangzhou" if i == 0 else rng.choices(regions, weights=data.REGION_WEIGHTS)[0]
        enterprise = i > 0 and rng.random() < 0.04
        city = CITY_OF[region][0]
        if enterprise:
            name = f"{city}{rng.choice(data.ENTERPRISE_BRANDS)}{rng.choice(data.ENTERPRISE_KINDS)}"
        else:
            name = "".join(data.STAFF_NAMES["customer"]) if i == 0 else person_name(rng)
        tags = rng.sample(data.TAGS, k=rng.choices((0, 1, 2, 3), weights=(50, 30, 15, 5))[0])
        since = now - dt.timedelta(days=rng.uniform(130, 2000))
        customers.append(Customer(
            brand=w.brand, kind=CustomerKind.ENTERPRISE if enterprise else CustomerKind.HOUSEHOLD, name=name,
            phone=data.CUSTOMER_PHONE if i == 0 else mobile(rng, b.phones),
            email=f"c{i + 1}@example.com" if rng.random() < 0.3 else "",
            segment="premium" if enterprise and rng.random() < 0.6 else weighted(rng, data.SEGMENT_WEIGHTS),
            tags=tags, user=w.users["customer"] if i == 0 else None, created_at=since, updated_at=since,
        ))
        count = rng.randint(2, 6) if enterprise else (2 if rng.random() < 0.08 else 1)
        site_plan.append((region, enterprise, count))
    with historical_timestamps():
        people.customers = Customer.objects.bulk_create(customers, batch_size=500)
        sites = []
        for customer, (region, enterprise, count) in zip(people.customers, site_plan, strict=True):
            for k in range(count):
                # A household's second site is often the parents' flat in another city.
                where = region if enterprise or k == 0 else rng.choices(regions, weights=data.REGION_WEIGHTS)[0]
                city, lat, lon, districts = CITY_OF[where]
                lat, lon = near(rng, lat, lon, 0.12)
                label = rng.choice(data.SITE_KINDS) if enterprise else ("家" if k == 0 else "父母家")
                sites.append(Site(
                    customer=customer, name=f"{customer.name}·{label}" if enterprise else label,
                    address=f"{city}市{street_address(rng, districts)}", region=w.regions[where],
                    latitude=lat, longitude=lon, geo_precision="exact", geo_source="demo",
                    contact_name=person_name(rng) if enterprise else customer.name,
                    contact_phone=mobile(rng, b.phones) if enterprise else customer.phone,
                    created_at=customer.created_at, updated_at=customer.created_at,
                ))
        for site in Site.objects.bulk_create(sites, batch_size=500):
            people.sites.setdefault(site.customer.pk, []).append(site)
        people.products = InstalledProduct.objects.bulk_create(_products(b, w, people), batch_size=500)
    b.counts.update(customers=len(people.customers), sites=len(sites), installed_products=len(people.products))
    return people


def _products(b: Builder, w: World, people: People) -> list[InstalledProduct]:
    rng, today = b.rng, b.today
    seq = counter_value(serial_key(w.brand.pk))
    products: list[InstalledProduct] = []
    customers = people.customers
    # The first pass gives every customer one product; the rest go to random customers.
    owners = list(range(len(customers))) + [
        rng.randrange(len(customers)) for _ in range(max(0, b.sizes.products - len(customers)))
    ]
    owners = owners[: b.sizes.products]
    for n, i in enumerate(owners):
        customer = customers[i]
        enterprise = customer.kind == CustomerKind.ENTERPRISE
        if i == 0 and n == 0:
            category, code = "purifier", "RO-800P"
        elif i == 0:
            category = rng.choice(("appliance", "purifier"))
            code = rng.choice(MODELS_OF[category])
        else:
            category = "hvac" if enterprise and rng.random() < 0.6 else weighted(rng, data.CATEGORY_WEIGHTS)
            code = rng.choice(MODELS_OF[category])
        seq += 1
        purchased = today - dt.timedelta(days=rng.randint(15, 6 * 365))
        installed = purchased + dt.timedelta(days=rng.randint(0, 20)) if rng.random() < 0.97 else None
        installed = installed if installed is None or installed <= today else today
        status = ProductStatus.SOLD if installed is None else (
            ProductStatus.RETIRED if rng.random() < 0.02 else ProductStatus.ACTIVE)
        model = w.models[code]
        product = InstalledProduct(
            brand=w.brand, serial=make_serial(code, purchased, seq), product_model=model, customer=customer,
            site=rng.choice(people.sites[customer.pk]), purchase_date=purchased, install_date=installed,
            status=status, created_at=b.now - dt.timedelta(days=(today - purchased).days),
            updated_at=b.now - dt.timedelta(days=(today - purchased).days),
        )
        # bulk_create skips save(), which is where the warranty end is computed.
        product.warranty_end = product.compute_warranty_end()
        products.append(product)
    advance_counter(serial_key(w.brand.pk), seq)
    return products


def warranty_end(start: dt.date | None, months: int) -> dt.date | None:
    """InstalledProduct.compute_warranty_end without building an instance (for the bulk loader)."""
    return None if start is None else add_months(start, months)
