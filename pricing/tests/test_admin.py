"""The admin shows every pricing model."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import User
from catalog.models import Part, Symptom
from demo.pricing import seed_pricing
from pricing.models import PriceList, WarrantyRule

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)


def test_the_admin_shows_every_pricing_model(world, client):
    """Parts, rules, symptoms and lists have their own pages; a list's lines are edited inside it."""
    current = seed_pricing(world.brand, today=TODAY)
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    for model in (Part, WarrantyRule, Symptom, PriceList):
        meta = model._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"  # parts and symptoms are the catalogue's
        assert client.get(reverse(f"{name}_changelist")).status_code == 200, meta.model_name
        assert client.get(reverse(f"{name}_add")).status_code == 200, meta.model_name
    page = client.get(reverse("admin:pricing_pricelist_change", args=[current.pk])).content.decode()
    for prefix in ("labour_prices", "callout_bands", "part_prices", "adjustments"):
        assert f'name="{prefix}-TOTAL_FORMS"' in page


def test_the_admin_edits_extended_warranty_terms_and_only_shows_those_sold(world, client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw-Secret-123"))
    assert client.get(reverse("admin:pricing_warrantyextensionterm_changelist")).status_code == 200
    add = client.get(reverse("admin:pricing_warrantyextensionterm_add")).content.decode()
    assert 'name="prices-TOTAL_FORMS"' in add
    assert client.get(reverse("admin:pricing_extendedwarranty_changelist")).status_code == 200
    assert client.get(reverse("admin:pricing_extendedwarranty_add")).status_code == 403
