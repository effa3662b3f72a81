"""The shop on a phone (390 px, Chinese) in Debian's chromium against a live server: a customer opens the shop
from a filter reminder's link with the filter chosen for them, orders it, pays at the WeChat Pay stand-in's
cashier, whose signed callback reaches the live server, and is brought back to an order that is paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone, translation

from conftest import build_world
from core.browser import PHONE, open_page, shot
from customers.models import InstalledProduct
from maintenance.choices import ReminderStatus, ScheduleKind
from maintenance.models import ConsumableRule, Reminder, Schedule
from pricing.extended_models import ExtendedWarranty
from pricing.services import estimate
from pricing.tests.factories import ExtensionTermFactory, LabourPriceFactory, TermPriceFactory
from shop.choices import OrderStatus
from shop.models import ShopOrder, ShopPayment
from shop.tests.factories import build_shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(transactional_db):
    return build_world()


def _signed_in(page, user) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME,
                               "value": client.cookies[django_settings.SESSION_COOKIE_NAME].value,
                               "url": page.base}])


def test_a_reminder_to_a_paid_filter_on_the_phone(world, browser, live_server, wechatpay):
    shop = build_shop(world)
    schedule = Schedule.objects.create(brand=shop.brand, customer=shop.customer, product=shop.product,
                                       kind=ScheduleKind.CONSUMABLE, rule=ConsumableRule.objects.get(part=shop.filter),
                                       due_on=timezone.localdate())
    reminder = Reminder.objects.create(brand=shop.brand, customer=shop.customer, schedule=schedule,
                                       due_on=schedule.due_on, sent_at=timezone.now())
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        _signed_in(page, shop.customer.user)
        page.goto(f"{page.base}/portal/acme/shop/?r={reminder.token}")
        assert page.is_checked(f"input[value='part:{shop.filter.pk}']")
        assert "该换滤芯了" in page.inner_text("#from-reminder")
        assert page.locator(f"[data-offer='part:{shop.big_filter.pk}']").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(page, "shop-phone-zh-offers")
        page.click("#place-order")
        page.wait_for_selector("#shop-order[data-status='awaiting']")
        assert page.inner_text("#shop-total") == "¥39.00"
        page.click("#pay")
        page.wait_for_selector("text=确认支付")  # the stand-in's cashier page
        shot(page, "shop-phone-zh-cashier")
        page.click("button[type=submit]")
        page.wait_for_selector("#back")
        page.click("#back")
        page.wait_for_selector("#shop-order[data-status='paid']")
        shot(page, "shop-phone-zh-paid")
    finally:
        page.context.close()
    order = ShopOrder.objects.get()
    assert order.status == OrderStatus.PAID and order.reminder == reminder
    payment = ShopPayment.objects.get(order=order)
    assert (payment.method, payment.amount) == ("wechatpay", order.total)
    assert wechatpay.notified == [(order.number, 204)]
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.ORDERED


def test_extended_warranty_bought_in_the_shop_covers_the_next_estimate(world, browser, live_server, wechatpay):
    shop = build_shop(world)
    today = timezone.localdate()
    # Bought 14 months ago: the catalogue's 12 months have run out; a late term may still be bought.
    InstalledProduct.objects.filter(pk=shop.product.pk).update(purchase_date=today - dt.timedelta(days=425),
                                                               install_date=today - dt.timedelta(days=420))
    term = ExtensionTermFactory(brand=shop.brand, category=shop.category, name="净水器延保一年",
                                name_en="Purifier +1 year", months=12, months_after_expiry=6)
    TermPriceFactory(term=term, price_list=shop.price_list, amount="199.00")
    LabourPriceFactory(price_list=shop.price_list, category=shop.category, service_type="repair", amount="80.00")
    assert estimate(product=InstalledProduct.objects.get(pk=shop.product.pk), service_type="repair",
                    at=timezone.now()).warranty.code != "extended_warranty"
    page = open_page(browser, live_server, locale="zh-CN", viewport=PHONE, has_touch=True, is_mobile=True)
    try:
        _signed_in(page, shop.customer.user)
        page.goto(f"{page.base}/portal/acme/shop/")
        page.check(f"input[value='warranty:{term.pk}']")
        shot(page, "shop-phone-zh-extended-warranty")
        page.click("#place-order")
        page.wait_for_selector("#shop-order[data-status='awaiting']")
        page.click("#pay")
        page.click("text=确认支付")
        page.click("#back")
        page.wait_for_selector("#shop-order[data-status='done']")  # nothing to deliver: in force once paid
        page.goto(f"{page.base}/portal/acme/products/{shop.product.pk}/")
        shot(page, "shop-phone-zh-extended-warranty-product")
    finally:
        page.context.close()
    sold = ExtendedWarranty.objects.get(product=shop.product)
    assert (sold.term, sold.price, sold.sold_via) == (term, Decimal("199.00"), "shop")
    with translation.override("zh-hans"):
        verdict = estimate(product=InstalledProduct.objects.get(pk=shop.product.pk), service_type="repair",
                           at=timezone.now()).warranty
        assert str(verdict.reason) == f"延保期内，保修至 {sold.ends_on.isoformat()}"
