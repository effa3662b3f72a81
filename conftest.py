"""Shared personas (STYLE.md §12): two outlets of one brand, a second brand, and one user per party; the
thread-race helper of every concurrency test (race)."""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection, connections
from django.test import Client
from hypothesis import HealthCheck, settings

from accounts.choices import Role
from accounts.models import ApiToken
from accounts.tests.factories import BrandFactory, MembershipFactory, OutletFactory, UserFactory
from catalog.tests.factories import CategoryFactory, ProductModelFactory
from customers.tests.factories import CustomerFactory, InstalledProductFactory
from demo.tests import snapshot as demo_snapshot
from network.tests.factories import RegionFactory, SkillFactory, TechnicianFactory

# CI runs the SQLite and PostgreSQL suites side by side on two cores: a draw or an example may then take longer
# than Hypothesis's timing checks allow without anything being wrong. What the properties hold is unchanged.
settings.register_profile("shared-machine", suppress_health_check=[HealthCheck.too_slow], deadline=None)
settings.load_profile("shared-machine")


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium through Playwright (core/browser.py), shared by every browser test."""
    import os

    from playwright.sync_api import sync_playwright

    from core.browser import launch

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # Without it a service worker's own requests ignore context.set_offline (playwright#2311), and an
    # "offline" test of the technician app would still reach the server through its worker.
    os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")
    with sync_playwright() as p:
        chromium = launch(p)
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Before a live-server test's fixtures are torn down (its database emptied): close its browser pages and
    let the requests they started finish. A page still loading while PostgreSQL's TRUNCATE runs deadlocks with
    it, and the emptying fails (the next test then meets this one's rows)."""
    if "live_server" in getattr(item, "fixturenames", ()):
        browser = item.funcargs.get("browser")
        for context in list(browser.contexts) if browser is not None else []:
            with contextlib.suppress(Exception):
                context.close()
        _wait_for_live_requests()
    return (yield)


def _wait_for_live_requests(timeout: float = 10) -> None:
    """Until no request thread of the live server is running (the providers' stand-ins have request threads of
    their own, which a client may hold open: those are not waited for)."""

    def busy(thread: threading.Thread, frames: dict) -> bool:
        """A live-server request thread that is not waiting for the next request on a kept-alive socket."""
        server = getattr(getattr(thread, "_target", None), "__self__", None)
        if not (thread.is_alive() and isinstance(server, ThreadedWSGIServer)):
            return False
        frame = frames.get(thread.ident)
        return frame is not None and not (frame.f_code.co_name == "readinto"
                                          and frame.f_code.co_filename.endswith("socket.py"))

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        frames = sys._current_frames()
        if not any(busy(t, frames) for t in threading.enumerate()):
            return
        time.sleep(0.05)


@pytest.fixture(autouse=True)
def _fresh_sla_policies():
    # Test databases reuse ids after a rollback; a brand's cached policies must not leak into the next test.
    from workorders.sla import forget_policies

    forget_policies()
    yield
    forget_policies()


@pytest.fixture(autouse=True)
def _fresh_dispatch_masters():
    # The same for the per-process copies of dispatch rules and service standards (dispatch/masters.py).
    from dispatch import masters

    masters.forget()
    yield
    masters.forget()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per persona set; tests do not need it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _private_media(tmp_path_factory):
    # Uploads and reports of this run in a folder of its own: CI runs the SQLite and PostgreSQL suites
    # side by side, and neither may read or remove the other's files.
    from django.conf import settings

    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
    yield


def _member(org, role, username):
    user = UserFactory(username=username)
    MembershipFactory(user=user, organisation=org, role=role)
    return user


def _technician(outlet, username, skill):
    user = _member(outlet, Role.TECHNICIAN, username)
    tech = TechnicianFactory(user=user, outlet=outlet, name=username)
    tech.skills.add(skill)
    return tech


def _customer(brand, username, phone):
    user = _member(brand, Role.CUSTOMER, username)
    customer = CustomerFactory(brand=brand, user=user, phone=phone, name=username)
    return customer


def build_world() -> SimpleNamespace:
    brand = BrandFactory(code="acme", name="Acme")
    region = RegionFactory(brand=brand, code="hangzhou", name="杭州")
    category = CategoryFactory(brand=brand, code="purifier", name="净水器")
    model = ProductModelFactory(category=category, code="RO-500", warranty_months=12)
    skill = SkillFactory(brand=brand, code="ro", name="RO")
    outlet_a = OutletFactory(brand=brand, code="outlet-a", name="Outlet A")
    outlet_b = OutletFactory(brand=brand, code="outlet-b", name="Outlet B", outlet_type="partner")
    for outlet in (outlet_a, outlet_b):
        region.outlets.add(outlet)
        category.authorised_outlets.add(outlet)
    w = SimpleNamespace(brand=brand, region=region, category=category, model=model, skill=skill,
                        outlet_a=outlet_a, outlet_b=outlet_b)
    w.admin = _member(brand, Role.BRAND_ADMIN, "admin")
    w.dispatcher = _member(brand, Role.DISPATCHER, "dispatcher")
    w.hotline = _member(brand, Role.HOTLINE_AGENT, "hotline")
    w.analyst = _member(brand, Role.ANALYST, "analyst")
    w.manager_a = _member(outlet_a, Role.OUTLET_MANAGER, "manager_a")
    w.manager_b = _member(outlet_b, Role.OUTLET_MANAGER, "manager_b")
    w.tech_a = _technician(outlet_a, "tech_a", skill)
    w.tech_a2 = _technician(outlet_a, "tech_a2", skill)
    w.tech_b = _technician(outlet_b, "tech_b", skill)
    w.customer = _customer(brand, "customer", "+8613900000001")
    w.other_customer = _customer(brand, "other_customer", "+8613900000002")
    w.product = InstalledProductFactory(customer=w.customer, brand=brand, product_model=model, serial="SN-A-0001")
    w.other_product = InstalledProductFactory(
        customer=w.other_customer, brand=brand, product_model=model, serial="SN-B-0001"
    )
    # A second brand: nothing of it is ever visible to the first brand's people.
    other_brand = BrandFactory(code="rival", name="Rival")
    w.other_brand = other_brand
    w.rival_dispatcher = _member(other_brand, Role.DISPATCHER, "rival_dispatcher")
    w.rival_customer = CustomerFactory(brand=other_brand, phone="+8613900000003")
    return w


@pytest.fixture
def world(db) -> SimpleNamespace:
    return build_world()


@pytest.fixture
def small_demo(db):
    """small_demo("--now", NOW) → what `manage.py demo --size small --now NOW` prints, its data in this test's
    database: loaded by the session's first such test, copied into the others (demo/tests/snapshot.py)."""
    yield demo_snapshot.load
    ContentType.objects.clear_cache()  # the copy's content types may be numbered otherwise than the database's


def token_client(user) -> Client:
    _, raw = ApiToken.issue(user=user, name="test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


@pytest.fixture
def api_as(world):
    """api_as("dispatcher") → a Django test client authenticated with that persona's bearer token."""

    def make(persona: str) -> Client:
        user = world.tech_a.user if persona == "tech_a" else getattr(world, persona)
        if persona in ("tech_a2", "tech_b"):
            user = getattr(world, persona).user
        if persona in ("customer", "other_customer"):
            user = getattr(world, persona).user
        return token_client(user)

    return make


def race(target: Callable[[int], object], n: int, *, timeout: float = 60, at_once: int | None = None) -> list:
    """Run target(0) … target(n - 1) at the same moment, each in a thread of its own on a database connection of
    its own (as separate web processes or workers would), and return what each call returned or raised, in index
    order: a list of (result | Exception).

    The threads connect first and are then released together by a barrier; each closes its connections when its
    call is done. at_once caps how many calls run (and hold a connection) at a time, released calls waiting their
    turn: then a thread connects only once its turn has come. The test fails, naming the threads, if they are not
    all released together or not all done within timeout seconds of the start, so a hang is never a silent None.
    """
    unset = object()
    results: list = [unset] * n
    unreleased: dict[int, BaseException] = {}
    barrier = threading.Barrier(n)
    turns = threading.BoundedSemaphore(at_once) if at_once else contextlib.nullcontext()

    def runner(i: int) -> None:
        try:
            if at_once is None:
                connection.ensure_connection()
            barrier.wait(timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - reported below, with the others' broken barrier
            barrier.abort()
            unreleased[i] = exc
            connections.close_all()
            return
        with turns:
            try:
                results[i] = target(i)
            except Exception as exc:  # noqa: BLE001 - returned: every outcome is asserted on by the test
                results[i] = exc
            finally:
                connections.close_all()

    threads = [threading.Thread(target=runner, args=(i,), name=f"race-{i}", daemon=True) for i in range(n)]
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    hung = [i for i, thread in enumerate(threads) if thread.is_alive()]
    if hung:
        pytest.fail(f"race: threads {hung} of {n} still running after {timeout}s", pytrace=False)
    if unreleased:
        causes = {i: exc for i, exc in unreleased.items() if not isinstance(exc, threading.BrokenBarrierError)}
        pytest.fail(f"race: the {n} threads were not released together: {causes or unreleased}", pytrace=False)
    lost = [i for i, result in enumerate(results) if result is unset]
    if lost:
        pytest.fail(f"race: threads {lost} of {n} ended without a result (see the thread exception above)",
                    pytrace=False)
    return results
