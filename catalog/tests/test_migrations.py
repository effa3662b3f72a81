"""Part and Symptom (from pricing) and FaultCodeMapping (from integrations) moved to catalog with their tables:
rows written before the move are the same rows after it, every row pointing at them still does, and their
content types (the admin's history, permissions) moved with them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.apps import apps as current_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from catalog.models import FaultCodeMapping, Part, Symptom
from field.models import Visit
from integrations.models import DeviceAlert
from knowledge.models import Article
from parts.models import StockBalance
from pricing.models import PartPrice, WarrantyRule
from workorders.models import WorkOrder

BEFORE = [
    ("catalog", "0002_serial_pattern"),
    ("pricing", "0002_part_product_models"),
    ("integrations", "0002_wechat_nonces"),
    ("field", "0001_initial"),
    ("knowledge", "0001_initial"),
    ("parts", "0001_initial"),
    ("workorders", "0012_holidays_and_booked_deadlines"),
]


@contextmanager
def migrated_back_to(targets) -> Iterator:
    """The database as these migrations left it (the historical apps to write with); forward to the end after."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    try:
        yield executor.loader.project_state(targets).apps
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        ContentType.objects.clear_cache()


def seed_before_the_move(old) -> dict[str, int]:
    """One of each moved model and one row of every kind pointing at them, written with the old models."""
    model = old.get_model
    brand = model("accounts", "Organisation").objects.create(kind="brand", code="mig", name="迁移品牌")
    outlet = model("accounts", "Organisation").objects.create(kind="outlet", outlet_type="own", brand=brand,
                                                              code="mig-a", name="网点 A")
    category = model("catalog", "ProductCategory").objects.create(brand=brand, code="purifier", name="净水器")
    product_model = model("catalog", "ProductModel").objects.create(category=category, code="RO-1", name="RO 1")
    part = model("pricing", "Part").objects.create(brand=brand, code="ro-membrane", name="RO膜", name_en="RO membrane",
                                                  family="filter", category=category)
    part.product_models.add(product_model)
    symptom = model("pricing", "Symptom").objects.create(category=category, code="no-water", name="不出水",
                                                        excludes_warranty="misuse", sort_order=3)
    mapping = model("integrations", "FaultCodeMapping").objects.create(
        brand=brand, product_model=product_model, fault_code="E1", label="缺水", priority="high", symptom=symptom)
    price_list = model("pricing", "PriceList").objects.create(brand=brand, name="价目表",
                                                              valid_from=dt.date(2025, 1, 1))
    part_price = model("pricing", "PartPrice").objects.create(price_list=price_list, part=part, amount="120.00")
    rule = model("pricing", "WarrantyRule").objects.create(brand=brand, part=part, months=24,
                                                           scope_key=f"brand|p{part.pk}")
    warehouse = model("parts", "Warehouse").objects.create(brand=brand, kind="central", organisation=brand, code="W1")
    balance = model("parts", "StockBalance").objects.create(warehouse=warehouse, part=part, on_hand=7)
    article = model("knowledge", "Article").objects.create(brand=brand, title="不出水怎么办", body="检查进水阀。")
    article.symptoms.add(symptom)
    customer = model("customers", "Customer").objects.create(brand=brand, name="王先生", phone="13800000000")
    product = model("customers", "InstalledProduct").objects.create(brand=brand, serial="RO1-0001", customer=customer,
                                                                   product_model=product_model)
    order = model("workorders", "WorkOrder").objects.create(brand=brand, number="WO-MIG-1", type="repair",
                                                            channel="iot", customer=customer, product=product,
                                                            reported_symptom=symptom)
    now = timezone.now()
    alert = model("integrations", "DeviceAlert").objects.create(brand=brand, alert_id="a-1", product=product,
                                                                fault_code="E1", occurred_at=now, received_at=now,
                                                                outcome="order_created", mapping=mapping,
                                                                work_order=order)
    user = model("accounts", "User").objects.create(username="mig-tech", password="!")
    technician = model("network", "Technician").objects.create(user=user, outlet=outlet, name="李师傅")
    visit = model("field", "Visit").objects.create(work_order=order, technician=technician, symptom=symptom)
    content_type = model("contenttypes", "ContentType")
    content_types = {name: content_type.objects.get_or_create(app_label=app, model=name)[0].pk
                     for app, name in (("pricing", "part"), ("pricing", "symptom"),
                                       ("integrations", "faultcodemapping"))}
    return {"part": part.pk, "symptom": symptom.pk, "mapping": mapping.pk, "product_model": product_model.pk,
            "part_price": part_price.pk, "rule": rule.pk, "balance": balance.pk, "article": article.pk,
            "order": order.pk, "alert": alert.pk, "visit": visit.pk, "content_types": content_types}


@pytest.mark.django_db(transaction=True)
def test_rows_written_before_the_move_are_found_by_the_catalog_models():
    # Given a database before the move, holding parts, symptoms, fault codes and rows of every app pointing at them
    with migrated_back_to(BEFORE) as old:
        ids = seed_before_the_move(old)

    # When it has migrated forward (on leaving the block), the catalogue's models read the same rows
    part = Part.objects.get(pk=ids["part"])
    assert (part.code, part.name_en, part.family, part.brand.code, part.category.code) == (
        "ro-membrane", "RO membrane", "filter", "mig", "purifier")
    assert list(part.product_models.values_list("pk", flat=True)) == [ids["product_model"]]
    symptom = Symptom.objects.get(pk=ids["symptom"])
    assert (symptom.code, symptom.excludes_warranty, symptom.sort_order, symptom.category.code) == (
        "no-water", "misuse", 3, "purifier")
    mapping = FaultCodeMapping.objects.get(pk=ids["mapping"])
    assert (mapping.fault_code, mapping.priority, mapping.symptom_id, mapping.product_model_id) == (
        "E1", "high", ids["symptom"], ids["product_model"])

    # Then every row that pointed at them still does, through the new models
    assert PartPrice.objects.get(pk=ids["part_price"]).part == part
    assert WarrantyRule.objects.get(pk=ids["rule"]).part == part
    assert StockBalance.objects.get(pk=ids["balance"]).part == part
    assert list(Article.objects.get(pk=ids["article"]).symptoms.all()) == [symptom]
    assert WorkOrder.objects.get(pk=ids["order"]).reported_symptom == symptom
    assert Visit.objects.get(pk=ids["visit"]).symptom == symptom
    assert DeviceAlert.objects.get(pk=ids["alert"]).mapping == mapping
    assert list(symptom.articles.all()) == [Article.objects.get(pk=ids["article"])]

    # And the content types moved with the models (same rows, now labelled catalog; none left behind)
    moved = {name: ContentType.objects.get_for_model(current_apps.get_model("catalog", name)).pk
             for name in ("part", "symptom", "faultcodemapping")}
    assert moved == ids["content_types"]
    assert not ContentType.objects.filter(app_label__in=("pricing", "integrations"),
                                          model__in=("part", "symptom", "faultcodemapping")).exists()
