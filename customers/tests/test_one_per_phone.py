"""One customer per phone per brand holds under concurrency: the database, not only the check before, decides."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from accounts.principal import principal_of
from conftest import build_world, race
from core.errors import DomainError
from customers import services
from customers.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


def test_agents_creating_the_same_new_caller_at_once_make_one_customer():
    world = build_world()
    agent = principal_of(world.hotline)

    results = race(lambda i: services.create_customer(actor=agent, name=f"王小明 {i}", phone="13722224444"), 6)

    made = [r for r in results if isinstance(r, Customer)]
    assert len(made) == 1, results
    refused = [r for r in results if r not in made]
    assert all(isinstance(r, DomainError) and r.code == "duplicate_phone" for r in refused), results
    assert all(r.detail["customer_id"] == made[0].pk for r in refused), results
    assert Customer.objects.filter(brand=world.brand, phone="+8613722224444").count() == 1


def test_the_database_refuses_a_second_record_without_a_reason():
    # What decides the race when both agents passed the check before: the partial unique constraint.
    world = build_world()
    with pytest.raises(IntegrityError), transaction.atomic():
        Customer.objects.create(brand=world.brand, name="Twin", phone=world.customer.phone)
    twin = Customer.objects.create(brand=world.brand, name="Twin", phone=world.customer.phone,
                                   duplicate_reason="Installer's entry")
    assert twin.pk and Customer.objects.filter(phone=world.customer.phone, brand=world.brand).count() == 2


def test_the_admin_refuses_a_second_record_without_a_reason_beside_the_form(admin_client):
    world = build_world()
    form = {"brand": world.brand.pk, "kind": "household", "name": "Twin", "phone": world.customer.phone,
            "segment": "value", "tags": "[]", "email": "", "duplicate_reason": "",
            "sites-TOTAL_FORMS": "0", "sites-INITIAL_FORMS": "0", "sites-MIN_NUM_FORMS": "0",
            "sites-MAX_NUM_FORMS": "1000"}

    refused = admin_client.post("/admin/customers/customer/add/", form)
    kept = admin_client.post("/admin/customers/customer/add/", {**form, "duplicate_reason": "A tenant"})

    assert refused.status_code == 200 and "errornote" in refused.content.decode()
    assert kept.status_code == 302
    assert list(Customer.objects.filter(brand=world.brand, phone=world.customer.phone)
                .values_list("duplicate_reason", flat=True).order_by("pk")) == ["", "A tenant"]
