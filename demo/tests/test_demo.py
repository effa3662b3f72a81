import hashlib
from io import StringIO

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from accounts.choices import SYSTEM
from accounts.models import Membership
from accounts.principal import principal_of
from core.models import Counter
from customers.models import Customer, InstalledProduct, Site
from demo import data
from feedback.models import Callback, Survey
from network.models import Technician
from workorders import services, workflow
from workorders.choices import Status
from workorders.models import WorkOrder, WorkOrderEvent

pytestmark = pytest.mark.django_db

NOW = "2026-11-20T10:00:00+00:00"
SMALL = ("--size", "small", "--now", NOW)
WITH_TECHNICIAN = {Status.DISPATCHED, Status.ACCEPTED, Status.EN_ROUTE, Status.ON_SITE, Status.COMPLETED,
                   Status.CLOSED}


def run_demo(*args: str) -> str:
    out = StringIO()
    call_command("demo", *SMALL, *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def demo(small_demo):
    """The demo as run_demo() loads it, copied from the session's first load (demo/tests/snapshot.py)."""
    return lambda: small_demo(*SMALL[2:])


def counts() -> dict[str, int]:
    return {m.__name__: m.objects.count() for m in (Customer, Site, InstalledProduct, WorkOrder, WorkOrderEvent)}


def checksum() -> str:
    h = hashlib.sha256()
    for row in WorkOrder.objects.order_by("number").values_list(
            "number", "status", "type", "customer__phone", "product__serial", "outlet__code", "technician__name",
            "version", "created_at"):
        h.update(repr(row).encode())
    for row in InstalledProduct.objects.order_by("serial").values_list("serial", "customer__phone", "warranty_end"):
        h.update(repr(row).encode())
    for row in WorkOrderEvent.objects.order_by("work_order__number", "created_at", "pk").values_list(
            "work_order__number", "action", "to_status", "actor__username", "created_at"):
        h.update(repr(row).encode())
    return h.hexdigest()


def test_two_runs_with_one_seed_make_the_same_data(demo):
    with transaction.atomic():
        demo()  # the session's first load (or this one)
        first, first_counts = checksum(), counts()
        transaction.set_rollback(True)
    assert counts()["WorkOrder"] == 0
    run_demo()
    assert (checksum(), counts()) == (first, first_counts)


def test_every_status_occurs_with_rework_and_the_logins_see_their_own_orders(demo):
    output = demo()
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert WorkOrder.objects.filter(is_rework=True).exists()
    # Callbacks (回访): some due a call, one to review, one reworked elsewhere (a new order), answered surveys.
    assert Callback.objects.filter(status="due").exists() and Callback.objects.filter(status="review").exists()
    reworked = Callback.objects.select_related("rework_order__rework_of").get(decision="rework").rework_order
    assert reworked.outlet_id != reworked.rework_of.outlet_id and reworked.rework_of.status == Status.CLOSED
    # The history's reworks are new orders too, each after its first order was done and closed
    history = WorkOrder.objects.filter(rework_of__isnull=False).exclude(pk=reworked.pk).select_related("rework_of")
    assert history.exists() and all(r.rework_of.status == Status.CLOSED and r.is_rework for r in history)
    assert all(r.rework_of.completed_at < r.created_at for r in history)
    assert Survey.objects.filter(answered_at__isnull=False).count() >= 3
    tech = Technician.objects.get(user__username="tech")
    assert tech.outlet.code == data.FEATURED_OUTLET
    assert WorkOrder.objects.filter(technician=tech, status=Status.DISPATCHED).exists()
    assert WorkOrder.objects.filter(customer__user__username="customer").count() >= 6
    for label, username, role, _where in data.STAFF_LOGINS:
        user = authenticate(username=username, password=data.PASSWORD)
        assert user is not None, username
        assert principal_of(user).role == role
        assert f"{username}" in output and label in output
    admin = authenticate(username="admin", password="demo1234")
    assert admin.is_staff and admin.is_superuser
    assert "http://127.0.0.1:8000/" in output and "/api/v1/docs" in output

    # `make run PORT=8123` prints the links of the server it starts, not the default port's.
    again = run_demo("--if-empty", "--url", "http://127.0.0.1:8123/")
    assert ":8000" not in again
    assert "http://127.0.0.1:8123/console/" in again and "http://127.0.0.1:8123/wechat/" in again


def check_order(order: WorkOrder, events: list[WorkOrderEvent], roles: dict[int, set[str]]) -> None:
    assert events[0].kind == "created" and events[0].to_status == Status.NEW
    assert events[0].actor_id == order.created_by_id and events[0].created_at == order.created_at
    for prev, nxt in zip(events, events[1:], strict=False):
        action = workflow.ACTIONS[nxt.action]
        assert nxt.kind == "transition"
        assert nxt.from_status == prev.to_status
        assert nxt.to_status in workflow.ALLOWED[nxt.from_status]
        assert action.target in (None, nxt.to_status)
        assert nxt.actor_role in action.roles and nxt.from_status in action.sources_for(nxt.actor_role)
        # The system acts with no user (an order closes after its callback); everyone else holds the role.
        assert (nxt.actor_id is None and nxt.actor_role == SYSTEM) or nxt.actor_role in roles[nxt.actor_id]
        assert nxt.customer_visible == action.customer_visible
        assert bool(nxt.reason) or not action.reason_required
        assert nxt.created_at > prev.created_at
    last = events[-1]
    assert last.to_status == order.status and last.created_at == order.updated_at
    assert order.version == len(events)
    if order.type == "mail_in":  # its clocks are its hops' (logistics), its window the courier's pickup
        assert order.response_due is None and order.onsite_due is None
    else:  # a window booked for first thing tomorrow is also the response's deadline (workorders.sla.due_times)
        assert order.created_at <= order.response_due <= order.onsite_due
    assert (order.closed_at is not None) == (order.status == Status.CLOSED)
    # Cancelling an order on hold ends the hold: only an order on hold remembers where it came from.
    assert (order.held_from != "") == (order.status == Status.ON_HOLD)
    effective = order.held_from if order.status == Status.ON_HOLD else order.status
    if effective in WITH_TECHNICIAN and order.type != "mail_in":  # a mail-in unit is repaired at the bench
        assert order.technician_id is not None
    if order.status != Status.CANCELLED and (effective not in WITH_TECHNICIAN or order.type == "mail_in"):
        assert order.technician_id is None
    if order.technician_id:
        assert order.technician.outlet_id == order.outlet_id
    assert (order.outlet_id is None) == (order.status == Status.NEW or (
        order.status == Status.CANCELLED and not any(e.action == "assign" for e in events)))
    done = "redeliver" if order.type == "mail_in" else "complete"  # the courier delivered it back
    for action, stamp in (("accept", "accepted_at"), ("arrive", "arrived_at"), (done, "completed_at")):
        taken = [e.created_at for e in events if e.action == action]
        if getattr(order, stamp) is not None:
            assert getattr(order, stamp) == taken[-1]
    if order.status in (Status.COMPLETED, Status.CLOSED):  # a mail-in unit is delivered back: nobody arrives
        assert order.completed_at is not None and (order.arrived_at is not None) == (order.type != "mail_in")
    # Rework: a new order a callback's review opened for the same fault (demo/callbacks.py), never a reopening.
    assert order.is_rework == (order.rework_of_id is not None)
    assert not any(e.action == "reopen" for e in events)


def check_all_orders(orders) -> None:
    roles: dict[int, set[str]] = {}
    for user_id, role in Membership.objects.values_list("user_id", "role"):
        roles.setdefault(user_id, set()).add(role)
    by_order: dict[int, list[WorkOrderEvent]] = {}
    # The SLA watch's marks are on the timeline too, and so are the ratings of answered surveys, the note of a
    # rework opened by a callback (demo/callbacks.py) and the customers' urges (demo/urges.py), but they are no
    # lifecycle step.
    for e in (WorkOrderEvent.objects.filter(work_order__in=orders)
              .exclude(kind__in=["sla", "rating", "note", "urge", "rework"])
              .order_by("created_at", "pk")):
        by_order.setdefault(e.work_order_id, []).append(e)
    for order in orders.select_related("technician"):
        check_order(order, by_order[order.pk], roles)


def test_every_timeline_follows_the_workflow_table(demo):
    demo()
    check_all_orders(WorkOrder.objects.all())


def test_every_open_booked_order_is_due_at_its_windows_end(demo):
    # The demo moves bookings about (the technician's day, the dispatch day, capacity): each move keeps the rule
    # that a booked order's on-site commitment is its window, stretched only by time paused for the customer.
    demo()
    open_booked = WorkOrder.objects.filter(slot_end__isnull=False).exclude(
        status__in=[Status.COMPLETED, Status.CLOSED, Status.CANCELLED]).exclude(type="mail_in")  # a courier's pickup
    assert open_booked.count() > 20
    for number, slot_end, onsite_due, paused, paused_at in open_booked.values_list(
            "number", "slot_end", "onsite_due", "sla_paused_seconds", "sla_paused_at"):
        if paused or paused_at:
            assert onsite_due >= slot_end, number
        else:
            assert onsite_due == slot_end, number


def test_phones_warranty_and_numbers_are_valid(demo):
    demo()
    phones = [*Customer.objects.values_list("phone", flat=True), *Technician.objects.values_list("phone", flat=True),
              *Site.objects.values_list("contact_phone", flat=True)]
    for phone in phones:
        assert phone.startswith("+861") and phonenumbers.is_valid_number(phonenumbers.parse(phone)), phone
    for product in InstalledProduct.objects.select_related("product_model"):
        assert product.warranty_end == product.compute_warranty_end()
    assert InstalledProduct.objects.values("serial").distinct().count() == InstalledProduct.objects.count()
    tz = timezone.get_default_timezone()
    for number, created in WorkOrder.objects.values_list("number", "created_at"):
        month = created.astimezone(tz).strftime("%Y%m")
        assert number.startswith(f"WO-{month}-")
        counter = Counter.objects.get(key=f"wo:{WorkOrder.objects.first().brand_id}:{month}")
        assert counter.value >= int(number.rsplit("-", 1)[1])


def test_a_new_order_through_the_service_does_not_collide(demo):
    demo()
    hotline = principal_of(authenticate(username="hotline", password=data.PASSWORD))
    customer = Customer.objects.get(user__username="customer")
    order = services.create_work_order(actor=hotline, customer=customer, type="repair", channel="hotline")
    assert WorkOrder.objects.filter(number=order.number).count() == 1


def test_if_empty_does_nothing_the_second_time():
    run_demo("--if-empty")
    before, mark = counts(), checksum()
    output = run_demo("--if-empty")
    assert (counts(), checksum()) == (before, mark)
    assert "already loaded" in output and "demo1234" in output


def test_scale_adds_exactly_that_many_products_and_orders(demo):
    demo()
    before = counts()
    old_ids = set(WorkOrder.objects.values_list("pk", flat=True))
    run_demo("--scale", "2000")
    after = counts()
    assert after["InstalledProduct"] - before["InstalledProduct"] == 2000
    assert after["WorkOrder"] - before["WorkOrder"] == 2000
    assert WorkOrder.objects.values("number").distinct().count() == after["WorkOrder"]
    assert InstalledProduct.objects.values("serial").distinct().count() == after["InstalledProduct"]
    new = WorkOrder.objects.exclude(pk__in=old_ids)
    assert {"new", "closed", "cancelled"} <= set(new.values_list("status", flat=True))
    check_all_orders(new)
    for product in InstalledProduct.objects.filter(work_orders__in=new).select_related("product_model"):
        assert product.warranty_end == product.compute_warranty_end()


def test_the_demos_installations_go_through_the_products_own_service():
    # customers.installation.install_unit installs every unit whose install order is done, as a technician's
    # completion does: its hooks (the maintenance schedule's, later) see each one, the fields follow.
    from customers import installation
    from customers.choices import ProductStatus
    from workorders.choices import WorkOrderType

    seen = []

    def hook(product):
        seen.append(product.pk)

    installation.on_installed(hook)
    try:
        run_demo()
    finally:
        installation._HOOKS.remove(hook)
    installs = set(WorkOrder.objects.filter(type=WorkOrderType.INSTALL).exclude(product=None)
                   .values_list("product_id", flat=True))
    assert seen and len(seen) == len(set(seen)) and set(seen) <= installs
    for product in InstalledProduct.objects.filter(pk__in=seen).select_related("product_model"):
        assert product.status == ProductStatus.ACTIVE and product.install_date is not None
        assert product.warranty_end == product.compute_warranty_end()
