"""Sites are placed where they are created or edited (customers.services), by the configured geocoder."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.management import call_command

from accounts.principal import principal_of
from core.errors import InvalidInput, PermissionDenied
from core.geo.amap_standin import AmapStandIn
from customers import services
from customers.models import Site
from customers.tests.factories import SiteFactory
from network.tests.factories import RegionFactory

WEST_LAKE = (Decimal("30.259463"), Decimal("120.130194"))  # 西湖区's centre in the gazetteer
BINJIANG = (Decimal("30.208847"), Decimal("120.211623"))


def actor(user):
    return principal_of(user)


@pytest.fixture
def hangzhou(world):
    return RegionFactory(brand=world.brand, code="hz-test", name="杭州", province="浙江")


def located(site: Site):
    site.refresh_from_db()
    return site.latitude, site.longitude, site.geo_precision, site.geo_source, site.geo_adcode


@pytest.mark.django_db
def test_a_new_site_is_placed_at_its_districts_centre_with_the_region_deciding_which_west_lake(world, hangzhou):
    site = services.create_site(actor=actor(world.hotline), customer=world.customer, name="家",
                                address="西湖区文三路 90 号 3 幢 201", region=hangzhou)
    assert located(site) == (*WEST_LAKE, "district", "gazetteer", "330106")
    assert site.location_approximate is True


@pytest.mark.django_db
def test_an_address_that_names_no_place_leaves_the_site_unplaced(world):
    site = services.create_site(actor=actor(world.hotline), customer=world.customer, name="家", address="文三路 90 号")
    assert located(site) == (None, None, "", "", "")
    assert site.located is False


@pytest.mark.django_db
def test_a_point_given_with_the_site_is_kept_as_a_pin(world, hangzhou):
    site = services.create_site(actor=actor(world.dispatcher), customer=world.customer, name="家",
                                address="西湖区文三路 90 号", region=hangzhou, latitude=30.28, longitude=120.13)
    assert located(site) == (Decimal("30.280000"), Decimal("120.130000"), "pin", "manual", "")
    with pytest.raises(InvalidInput) as err:
        services.create_site(actor=actor(world.dispatcher), customer=world.customer, name="x",
                             address="西湖区文三路 1 号", latitude=30.28)
    assert err.value.field == "longitude"


@pytest.mark.django_db
def test_a_pin_corrects_the_point_and_a_new_address_replaces_the_pin(world, hangzhou):
    site = services.create_site(actor=actor(world.hotline), customer=world.customer, name="家",
                                address="西湖区文三路 90 号", region=hangzhou)
    services.pin_site(actor=actor(world.hotline), site=site, latitude="30.278432", longitude="120.131566")
    assert located(site) == (Decimal("30.278432"), Decimal("120.131566"), "pin", "pin", "330106")
    # Editing something else keeps the pin.
    services.update_site(actor=actor(world.hotline), site=site, changes={"contact_name": "张先生"})
    assert located(site)[2] == "pin"
    # A new address is placed again: the pin was for the old one.
    services.update_site(actor=actor(world.hotline), site=site, changes={"address": "滨江区江南大道 100 号"})
    assert located(site) == (*BINJIANG, "district", "gazetteer", "330108")


@pytest.mark.django_db
def test_only_customer_editors_and_the_sites_own_customer_may_pin(world):
    site = world.product.site
    before = located(site)
    for user in (world.analyst, world.tech_a.user, world.other_customer.user):
        with pytest.raises(PermissionDenied):
            services.pin_site(actor=actor(user), site=site, latitude="30.1", longitude="120.1")
    assert located(site) == before
    services.pin_site(actor=actor(world.customer.user), site=site, latitude="30.1", longitude="120.1")
    assert located(site)[:3] == (Decimal("30.100000"), Decimal("120.100000"), "pin")
    with pytest.raises(InvalidInput):
        services.pin_site(actor=actor(world.customer.user), site=site, latitude="91", longitude="120.1")
    with pytest.raises(InvalidInput):
        services.pin_site(actor=actor(world.customer.user), site=site, latitude="north", longitude="120.1")


@pytest.mark.django_db
def test_with_amap_configured_the_door_is_placed_and_a_failing_amap_falls_back(world, hangzhou, settings):
    amap = AmapStandIn(key="k", private_key="s", book={"西湖区文三路 90 号": (120.131566, 30.278432, "门牌号")})
    amap.start()
    try:
        settings.GEOCODER = {"BACKEND": "core.geo.amap.Amap", "AMAP_URL": amap.url, "AMAP_KEY": "k",
                             "AMAP_PRIVATE_KEY": "s", "TIMEOUT": 2}
        site = services.create_site(actor=actor(world.hotline), customer=world.customer, name="家",
                                    address="西湖区文三路 90 号", region=hangzhou)
        assert located(site) == (Decimal("30.278432"), Decimal("120.131566"), "exact", "amap", "330106")
        assert amap.log[-1].query["city"] == "杭州"
        amap.mode = "error"
        other = services.create_site(actor=actor(world.hotline), customer=world.customer, name="家",
                                     address="西湖区文三路 90 号", region=hangzhou)
        assert located(other) == (*WEST_LAKE, "district", "gazetteer", "330106")
    finally:
        amap.stop()


@pytest.mark.django_db
def test_the_backfill_places_unplaced_sites_and_leaves_placed_ones_alone(world, hangzhou):
    unplaced = SiteFactory(customer=world.customer, address="西湖区文三路 5 号", region=hangzhou,
                           latitude=None, longitude=None)
    nowhere = SiteFactory(customer=world.customer, address="文三路 6 号", latitude=None, longitude=None)
    demo = SiteFactory(customer=world.customer, address="滨江区江南大道 1 号", region=hangzhou,
                       geo_precision="exact", geo_source="demo")
    call_command("geocode_sites", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert located(unplaced) == (*WEST_LAKE, "district", "gazetteer", "330106")
    assert located(nowhere) == (None, None, "", "", "")
    assert located(demo) == (Decimal("30.280000"), Decimal("120.130000"), "exact", "demo", "")
    # Twice changes nothing.
    assert services.locate_unplaced_sites() == (0, 1)


@pytest.mark.django_db
def test_the_admin_locates_a_site_it_saves_and_keeps_a_point_typed_there(world, hangzhou, django_user_model):
    from django.test import Client

    admin_client = Client()
    admin_client.force_login(django_user_model.objects.create_superuser("root-geo", "r@example.com", "x"))
    base = {"customer": world.customer.pk, "name": "店", "region": hangzhou.pk, "contact_name": "",
            "contact_phone": ""}
    resp = admin_client.post("/admin/customers/site/add/", {**base, "address": "西湖区文三路 7 号"})
    assert resp.status_code == 302, resp.content.decode()[:2000]
    site = Site.objects.get(address="西湖区文三路 7 号")
    assert located(site) == (*WEST_LAKE, "district", "gazetteer", "330106")
    resp = admin_client.post(f"/admin/customers/site/{site.pk}/change/",
                             {**base, "address": "西湖区文三路 7 号", "latitude": "30.27", "longitude": "120.12"})
    assert resp.status_code == 302
    assert located(site) == (Decimal("30.270000"), Decimal("120.120000"), "pin", "admin", "")
