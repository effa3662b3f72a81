"""The technician's day on a phone (390 px, Chinese for most, one in English) in Debian's chromium, against a
live server and a real database, with the real service worker and offline queue.

Screenshots go to test-artifacts/screenshots/field-*.png.
"""

from __future__ import annotations

import datetime as dt
import io
import time
from decimal import Decimal

import pytest
from django.utils import timezone
from PIL import Image

from conftest import build_world
from core.browser import PHONE, open_page, shot, sign_in
from field.choices import ItemKind
from field.models import ChecklistAnswer, ChecklistItem, Visit, VisitPhoto
from field.tests.setup import VAN_FILTERS, VAN_PUMPS, dispatched_job, on_site, prepare_field
from parts.tests.helpers import level
from reports.models import ServiceReport
from workorders.choices import Status
from workorders.models import AttachmentKind, WorkOrder, WorkOrderAttachment, WorkOrderEvent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEAR_SITE = {"latitude": 30.2801, "longitude": 120.1301, "accuracy": 10}


@pytest.fixture
def world(transactional_db):
    return build_world()


@pytest.fixture
def w(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = prepare_field(world)
    today = timezone.localdate()
    w.job = dispatched_job(w)
    start = timezone.make_aware(dt.datetime.combine(today, dt.time(10)))
    WorkOrder.objects.filter(pk=w.job.pk).update(slot_start=start, slot_end=start + dt.timedelta(hours=2))
    w.later = dispatched_job(w, customer=w.other_customer, product=w.other_product)
    WorkOrder.objects.filter(pk=w.later.pk).update(slot_start=start + dt.timedelta(hours=4),
                                                   slot_end=start + dt.timedelta(hours=6))
    return w


@pytest.fixture
def phone(browser, live_server):
    contexts = []

    def make(locale="zh-CN", **options):
        options.setdefault("geolocation", NEAR_SITE)
        options.setdefault("permissions", ["geolocation"])
        page = open_page(browser, live_server, locale=locale, viewport=PHONE, has_touch=True, is_mobile=True,
                         **options)
        contexts.append(page.context)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def pictures(tmp_path):
    paths = []
    for n, colour in enumerate([(200, 60, 40), (40, 140, 60), (30, 60, 160)]):
        path = tmp_path / f"shot-{n}.jpg"
        buffer = io.BytesIO()
        Image.new("RGB", (2000, 1500), colour).save(buffer, "JPEG")
        path.write_bytes(buffer.getvalue())
        paths.append(str(path))
    return paths


def fits_the_phone(page) -> None:
    """No sideways scroll at 390 px, and every visible button is a thumb's size."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url
    small = page.evaluate("""[...document.querySelectorAll('.btn, .chip, .choice, .choice-btn, summary')]
        .filter(e => e.offsetParent !== null)
        .map(e => [e.textContent.trim().slice(0, 30), Math.round(e.getBoundingClientRect().height)])
        .filter(([t, h]) => h < 44)""")
    assert small == [], small


def contrast_ok(page) -> None:
    """Readable in sunlight: body text and buttons at WCAG AA contrast (4.5:1) or better."""
    low = page.evaluate("""(() => {
      const lum = (c) => { const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map(Number).map(v => v / 255)
        .map(v => v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4));
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const bg = (e) => { while (e) { const c = getComputedStyle(e).backgroundColor;
        if (c && !c.startsWith('rgba(0, 0, 0, 0)') && c !== 'transparent') return c; e = e.parentElement; }
        return 'rgb(255, 255, 255)'; };
      return [...document.querySelectorAll('.btn, .badge, .tag, .job-time, .job-title, p, dd, dt, label, h1, h2')]
        .filter(e => e.offsetParent !== null && e.textContent.trim())
        .map(e => { const a = lum(getComputedStyle(e).color), b = lum(bg(e));
                    return [e.textContent.trim().slice(0, 24), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)]; })
        .filter(([t, r]) => r < 4.5);
    })()""")
    assert low == [], low


INKED = """() => { const c = document.getElementById('signature-pad'); if (!c || !c.width) return false;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < d.length; i += 4) if (d[i] < 128) return true; return false; }"""


def draw_signature(page) -> None:
    # The page redraws its work section as each queued step comes back from the server (online), and a line
    # appearing above the pad (a pending note, the payment's receipt) moves it: find the pad again before each
    # stroke, and sign again when the stroke missed it, as a customer who sees no line on the pad does.
    for _ in range(3):
        pad = page.locator("#signature-pad")
        box = None
        for _ in range(20):
            pad.wait_for(state="visible")
            pad.scroll_into_view_if_needed()
            box = pad.bounding_box()
            if box is not None:
                break
            page.wait_for_timeout(100)
        assert box is not None, "the signature pad is not on the page"
        page.mouse.move(box["x"] + 30, box["y"] + 150)
        page.mouse.down()
        for x, y in [(80, 60), (140, 160), (200, 50), (260, 150), (320, 70)]:
            page.mouse.move(box["x"] + x, box["y"] + y, steps=6)
        page.mouse.up()
        if page.evaluate(INKED):
            return
        page.wait_for_timeout(300)
    raise AssertionError("three strokes and the signature pad shows no line")


def sign(page, signer: str) -> None:
    """The customer signs on the pad and the technician saves it; the saved signature is shown in its place."""
    draw_signature(page)
    page.fill("#signer", signer)
    page.click("[data-action=signature]")
    assert page.locator("#signature .field-error").is_hidden(), "the pad had no ink when saved"
    page.wait_for_selector("#signature .signed-img", timeout=30_000)  # a blob the phone writes first: slow under load


def wait_synced(page, timeout=20_000) -> None:
    page.wait_for_selector("#sync[data-state=ok]", timeout=timeout)


def do_the_work(page, pictures, *, shots: str, online: bool = True) -> None:
    """On site: checklist, photos, diagnosis, one filter from the van, charge, WeChat payment, signature."""
    page.wait_for_selector("#work:not([hidden])")
    # One answer at a time, as a person gives them: each answer redraws the checklist once the phone has queued
    # it, and under load that redraw can land after the next field was typed into (and take its value away).
    done = "n => document.querySelectorAll('#checklist .is-done').length >= n"
    # Online, the server's copy of each answer redraws the checklist too: wait for it before typing the next.
    settle = (lambda: wait_synced(page)) if online else (lambda: None)
    page.check("#checklist input[type=checkbox]")
    page.wait_for_function(done, arg=1)
    settle()
    page.click("#checklist .choice-btn[data-value=yes]")
    page.wait_for_function(done, arg=2)
    settle()
    page.fill("#checklist input[inputmode=decimal]", "0.25")
    page.locator("#checklist input[inputmode=decimal]").press("Tab")
    page.wait_for_function(done, arg=3)
    page.set_input_files("#photo-before", pictures[0])
    page.wait_for_selector(".photo-row[data-code=before] .thumb")
    page.set_input_files("#photo-after", pictures[1])
    page.wait_for_selector(".photo-row[data-code=after] .thumb")
    page.fill("#fault-code", "e1")
    page.fill("#diagnosis-note", "PP棉滤芯堵塞，已更换")
    page.click("[data-action=diagnosis]")
    page.click(".van-row[data-part=pp-cotton] [data-action=use]")
    page.wait_for_selector(".used li[data-part=pp-cotton]")
    assert page.text_content("#charge-total").strip() == "¥39.00"
    shot(page, f"{shots}-on-site-charge")
    page.click(".methods .choice:has(input[value=wechat])")
    page.wait_for_selector(".methods input[value=wechat]:checked")  # the choice settled before the reference is typed
    page.fill("#pay-reference", "WX20261202001")
    page.wait_for_function("document.querySelector('#pay-reference')?.value === 'WX20261202001'")  # across a redraw
    page.click("[data-action=payment]")
    page.wait_for_selector("#payment .muted.small")
    sign(page, "张女士")
    page.wait_for_selector("[data-action=complete]:not([disabled])")


def assert_completed_once(w, order) -> Visit:
    order.refresh_from_db()
    assert order.status == Status.COMPLETED
    actions = list(WorkOrderEvent.objects.filter(work_order=order).exclude(action="").values_list("action", flat=True))
    assert actions == ["assign", "dispatch", "accept", "depart", "arrive", "complete"]
    visit = Visit.objects.get(work_order=order)
    assert visit.completed_at is not None and visit.charge_total == Decimal("39.00")
    assert (visit.payment_method, visit.payment_amount, visit.payment_reference) == ("wechat", Decimal("39.00"),
                                                                                     "WX20261202001")
    assert visit.shown_total == Decimal("39.00")
    assert (visit.fault_code, visit.diagnosis) == ("E1", "PP棉滤芯堵塞，已更换")
    assert visit.checkin_distance_m == 15 and visit.labour_minutes is not None
    assert dict(ChecklistAnswer.objects.filter(visit=visit).values_list("item_id", "value")) == {
        w.items.tick.pk: "done", w.items.leak.pk: "yes", w.items.pressure.pk: "0.25"}
    assert sorted(VisitPhoto.objects.filter(visit=visit).values_list("requirement", flat=True)) == ["after", "before"]
    kinds = sorted(WorkOrderAttachment.objects.filter(work_order=order).values_list("kind", flat=True))
    assert kinds.count(AttachmentKind.PHOTO) == 2 and kinds.count(AttachmentKind.SIGNATURE) == 1
    assert level(w.van_a, w.filter)[0] == VAN_FILTERS - 1 and level(w.van_a, w.pump)[0] == VAN_PUMPS
    # The PDF service report is rendered once the completion has committed (reports.tasks), in the request
    # that committed it. The page can show the order completed before that: when the outbox sent the
    # completion twice, the second answer ("already completed") may come back while the first request is
    # still rendering. So the report is waited for, not expected at once.
    deadline = time.monotonic() + 30
    while (report := ServiceReport.objects.filter(work_order=order).select_related("attachment").first()) is None:
        assert time.monotonic() < deadline, "no service report 30 s after the completion"
        time.sleep(0.2)
    assert report.attachment.kind == AttachmentKind.REPORT and report.attachment.content_type == "application/pdf"
    return visit


def test_the_whole_day_on_a_phone(w, phone, pictures):
    page = phone()
    sign_in(page, "tech_a")
    page.goto(page.base + "/field/")
    page.wait_for_selector("#jobs-page")
    cards = page.locator(".job[data-order]")
    assert [cards.nth(i).get_attribute("data-order") for i in range(cards.count())] == [str(w.job.pk),
                                                                                      str(w.later.pk)]
    assert page.locator(".job").first.locator(".tag").first.is_visible()
    fits_the_phone(page)
    contrast_ok(page)
    shot(page, "field-jobs")
    page.locator(".job").first.locator("summary").click()
    assert page.locator(".job").first.locator("a[data-map=amap]").is_visible()
    shot(page, "field-jobs-navigate")

    page.click(f".job[data-order='{w.job.pk}'] .job-main")
    page.wait_for_selector("#job-page [data-action=accept]")
    fits_the_phone(page)
    contrast_ok(page)
    shot(page, "field-job-dispatched")
    page.click("[data-action=accept]")
    page.wait_for_selector("[data-action=depart]")
    page.click("[data-action=depart]")
    page.wait_for_selector("[data-action=arrive]")
    wait_synced(page)
    shot(page, "field-job-en-route")
    page.click("[data-action=arrive]")
    # The server's answer to the check-in redraws the work sections; a tap during that redraw is lost.
    wait_synced(page)
    do_the_work(page, pictures, shots="field-job")
    fits_the_phone(page)
    shot(page, "field-job-signed")
    # The serial read off the nameplate is not the one on record: noted, never blocking; settlement checks it.
    page.fill("#nameplate-serial", "sn-a 0009")
    page.wait_for_selector("#nameplate-serial-note:not([hidden])")
    assert "SN-A-0001" in page.inner_text("#nameplate-serial-note")
    page.click("[data-action=complete]")
    wait_synced(page)
    page.wait_for_selector("#summary .quote")
    page.wait_for_selector("#job-status[data-status=completed]")
    fits_the_phone(page)
    shot(page, "field-job-completed")
    assert assert_completed_once(w, w.job).serial_seen == "SN-A0009"


def cached_page_says(page, path: str, text: str) -> bool:
    return page.evaluate("""async ([path, text]) => {
        const copy = await caches.match(path, { ignoreVary: true });
        return !!copy && (await copy.text()).includes(text);
    }""", [path, text])


def eventually(check, timeout_s: float = 15) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_a_job_completed_in_a_basement_syncs_once(w, phone, pictures):
    page = phone()
    sign_in(page, "tech_a")
    # Signing in lands on the list while the worker is still installing, so that first page is not the
    # worker's; the worker fetches today's jobs all the same: readable offline later.
    assert page.url == page.base + "/field/"
    job_path = f"/field/jobs/{w.job.pk}/"
    eventually(lambda: cached_page_says(page, job_path, '"status": "dispatched"'))
    page.goto(page.base + job_path)
    page.wait_for_function("navigator.serviceWorker.controller !== null", timeout=15_000)
    page.click("[data-action=accept]")
    wait_synced(page)
    eventually(lambda: cached_page_says(page, job_path, '"status": "accepted"'))

    page.context.set_offline(True)
    page.reload()  # from the worker's copy: the signal is gone
    page.wait_for_selector("[data-action=depart]")
    page.goto(page.base + "/field/")
    page.wait_for_selector(f".job[data-order='{w.later.pk}']")
    shot(page, "field-offline-jobs")
    page.goto(page.base + job_path)
    page.click("[data-action=depart]")
    page.wait_for_selector("[data-action=arrive]")
    page.click("[data-action=arrive]")
    do_the_work(page, pictures, shots="field-offline", online=False)
    page.click("[data-action=complete]")
    page.wait_for_selector("#step .note-success")
    assert page.get_attribute("#sync", "data-state") == "wait"
    waiting = page.text_content("#sync-text")
    assert "12" in waiting, waiting  # depart, arrive, 3 answers, 2 photos, diagnosis, parts, payment, signature, done
    assert page.locator("#sync-list .sync-item-pending").count() == 12
    page.click("#sync-more")
    page.wait_for_selector("#sync-list", state="visible")  # drawn once the phone's queue is read back
    fits_the_phone(page)
    shot(page, "field-offline-waiting")
    page.click("#sync-more")
    # Nothing has reached the server yet.
    assert WorkOrder.objects.get(pk=w.job.pk).status == Status.ACCEPTED
    assert not WorkOrderEvent.objects.filter(work_order=w.job, action="depart").exists()
    # The phone keeps its queue across a reload, and still shows the job as done.
    page.reload()
    page.wait_for_selector("#step .note-success")
    assert page.locator("#sync-list .sync-item-pending").count() == 12

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    wait_synced(page, timeout=40_000)
    page.wait_for_selector("#summary .quote")
    page.wait_for_selector("#report-link")
    shot(page, "field-offline-synced")
    assert_completed_once(w, w.job)
    pdf = page.request.get(page.base + page.get_attribute("#report-link", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body()[:5] == b"%PDF-"
    # The phone's times count: labour ran from the check-in to the check-out made offline.
    visit = Visit.objects.get(work_order=w.job)
    assert visit.checked_in_at < visit.checked_out_at <= visit.completed_at


def test_a_lost_answer_is_retried_without_applying_twice_in_english(w, phone):
    """The server takes "on my way" but the answer never reaches the phone (a tunnel): the phone sends it again
    with the same key and the server replays its first answer."""
    page = phone(locale="en-US", service_workers="block")
    sign_in(page, "tech_a")
    page.goto(page.base + f"/field/jobs/{w.job.pk}/")
    page.wait_for_selector("html[lang=en]")  # the phone's language, chosen by the browser
    page.click("[data-action=accept]")
    wait_synced(page)
    lost = {"count": 0}

    def lose_the_first_answer(route):
        if lost["count"] == 0:
            lost["count"] += 1
            route.fetch()  # it reaches the server and is applied ...
            route.abort("connectionreset")  # ... but the phone hears nothing
        else:
            route.continue_()

    page.route("**/api/v1/field/jobs/*/depart", lose_the_first_answer)
    page.click("[data-action=depart]")
    page.wait_for_selector("[data-action=arrive]")
    page.wait_for_selector("#sync[data-state=wait]")
    shot(page, "field-en-waiting")
    page.click("#sync-retry")
    wait_synced(page, timeout=30_000)
    assert lost["count"] == 1
    assert WorkOrderEvent.objects.filter(work_order=w.job, action="depart").count() == 1
    assert WorkOrder.objects.get(pk=w.job.pk).status == Status.EN_ROUTE
    assert page.text_content("[data-action=arrive]").strip() == "Check in on site"
    fits_the_phone(page)
    contrast_ok(page)
    shot(page, "field-en-en-route")


def test_declining_needs_a_reason(w, phone):
    page = phone()
    sign_in(page, "tech_a")
    page.goto(page.base + f"/field/jobs/{w.job.pk}/")
    page.click("[data-action=decline]")
    page.click("[data-action=decline-confirm]")
    assert page.locator("#step .field-error").is_visible()
    assert page.get_attribute("#decline-reason", "aria-invalid") == "true"
    shot(page, "field-decline-reason")
    page.fill("#decline-reason", "车辆故障，今天无法上门")
    page.click("[data-action=decline-confirm]")
    page.wait_for_selector("#step .note")
    wait_synced(page)
    job = WorkOrder.objects.get(pk=w.job.pk)
    assert (job.status, job.technician_id) == (Status.ASSIGNED, None)
    assert WorkOrderEvent.objects.get(work_order=job, action="decline").reason == "车辆故障，今天无法上门"


def test_a_number_being_typed_survives_the_server_copy_of_an_earlier_answer(w, phone):
    """The inlet pressure is answered "0.50" and the outlet pressure is half typed when the server's copy of the
    first comes back as "0.5": the checklist is redrawn, and the outlet field comes back with what was typed,
    focused, the caret where it was; leaving it sends it."""
    outlet = ChecklistItem.objects.create(template=w.items.template, label="出水压力", label_en="Outlet pressure",
                                          kind=ItemKind.NUMBER, unit="MPa", required=False, sort_order=5)
    on_site(w, w.job)
    page = phone()
    sign_in(page, "tech_a")
    page.goto(page.base + f"/field/jobs/{w.job.pk}/")
    page.wait_for_selector("#work:not([hidden])")
    held, sent = [], []

    def hold_the_first(route):
        sent.append(route.request.post_data_json["answers"])
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/api/v1/field/jobs/*/checklist", hold_the_first)
    inlet = page.locator(f"#item-{w.items.pressure.pk}")
    inlet.fill("0.50")
    inlet.press("Tab")
    page.wait_for_function("n => document.querySelectorAll('#checklist .is-done').length >= n", arg=1)
    for _ in range(100):  # the outbox sends it at once; the server's answer is held back here
        if held:
            break
        page.wait_for_timeout(100)
    assert len(held) == 1, "the inlet pressure was not sent"
    typing = page.locator(f"#item-{outlet.pk}")
    typing.click()
    typing.press_sequentially("0.5")
    typing.press("ArrowLeft")  # the caret between "." and "5"
    typing.evaluate("field => { field.dataset.typedHere = 'yes'; }")
    held[0].continue_()
    page.wait_for_function(f"() => document.getElementById('item-{w.items.pressure.pk}').value === '0.5'")
    assert typing.evaluate("field => field.dataset.typedHere") is None, "the checklist was not redrawn"
    assert page.evaluate("document.activeElement.id") == f"item-{outlet.pk}"
    page.keyboard.type("2")  # where the caret is, without clicking the field again
    assert typing.input_value() == "0.25"
    typing.press("Tab")
    page.wait_for_function("n => document.querySelectorAll('#checklist .is-done').length >= n", arg=2)
    wait_synced(page)
    answers = dict(ChecklistAnswer.objects.filter(visit__work_order=w.job).values_list("item_id", "value"))
    assert answers == {w.items.pressure.pk: "0.5", outlet.pk: "0.25"}
    # Nothing half typed was sent on the way.
    assert sent == [[{"item_id": w.items.pressure.pk, "value": "0.50"}], [{"item_id": outlet.pk, "value": "0.25"}]]


def test_the_dispatcher_sees_a_check_in_far_from_the_site(w, browser, live_server):
    from field.geo import Position
    from field.tests.setup import on_site

    on_site(w, w.job, where=Position(Decimal("30.295000"), Decimal("120.140000"), 20))
    page = open_page(browser, live_server, locale="zh-CN")
    try:
        sign_in(page, "dispatcher")
        page.goto(page.base + f"/console/orders/{w.job.pk}/")
        page.wait_for_selector("#far-checkin")
        assert "签到位置距现场 1.9 公里" in page.text_content("#far-checkin")  # 1925 m
        shot(page, "field-console-far-check-in")
    finally:
        page.context.close()


def test_the_job_speaks_chinese_lists_only_parts_that_fit_and_writes_money_and_distance_as_people_do(phone, w):
    """Van list: names only (no part codes), only parts made for this model; a discount −¥; a far check-in in km."""
    from accounts.principal import principal_of
    from catalog.models import Part
    from catalog.tests.factories import ProductModelFactory
    from field.geo import Position
    from field.tests.setup import on_site
    from parts import services as parts
    from parts.services import Line

    other_model = ProductModelFactory(category=w.category, code="UF-9")
    uf_only = Part.objects.create(brand=w.brand, code="uf-membrane-9", name="超滤膜滤芯", name_en="UF membrane",
                                  family="filter", category=w.category)
    uf_only.product_models.add(other_model)
    w.pump.product_models.add(w.model)  # named for this very model: still fits
    clerk = principal_of(w.clerk)
    central = parts.ensure_central(w.brand)
    parts.receive_stock(warehouse=central, part=uf_only, quantity=5, actor=clerk, reason="factory")
    parts.transfer_stock(source=central, target=w.van_a, actor=clerk, lines=[Line(uf_only, 2)])
    Customer = type(w.customer)
    Customer.objects.filter(pk=w.customer.pk).update(segment="premium")  # the price list takes 10 % off labour
    product = w.product  # out of warranty, so labour is charged and the discount shows
    product.purchase_date = product.install_date = timezone.localdate() - dt.timedelta(days=5 * 365)
    product.save()
    site = w.job.site
    # Checked in about 18 km north of the site.
    on_site(w, w.job, where=Position(latitude=site.latitude + Decimal("0.1619"), longitude=site.longitude))

    page = phone()
    sign_in(page, "tech_a")
    page.goto(f"{page.base}/field/jobs/{w.job.pk}/")
    page.wait_for_selector("#work:not([hidden])")
    van = page.locator("ul.van")
    assert sorted(van.locator(".van-row").evaluate_all("rows => rows.map(r => r.dataset.part)")) == [
        "booster-pump", "pp-cotton"]
    shown = van.inner_text()
    assert "pp-cotton" not in shown and "booster-pump" not in shown and "PP棉滤芯" in shown
    assert "签到位置距现场 18.0 公里" in page.locator("body").inner_text()
    charge = page.locator("#charge").inner_text()
    assert "−¥" in charge and "¥-" not in charge
    shot(page, "field-van-fit-money-distance-zh")
