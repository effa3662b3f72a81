"""Every documented operation answers as the OpenAPI document says (schemathesis, in-process over WSGI).

Hypothesis generates requests from the document itself (valid ones, then ones that break it); each answer
must not be a server error, must have a documented status and content type, and its body must match the
documented schema for that status. A staff token of the brand authenticates, on a small world with data.
Bounded: a few examples per operation, so the whole run stays well under two minutes.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from aftersales.api import api
from workorders.tests.factories import make_order

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = WSGIHandler()
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations whose bodies are not JSON a generator can make sense of: multipart uploads (photos, signatures;
# covered by their own tests) and the signed IoT alert (an HMAC over the raw body; integrations tests).
SKIPPED = {"/api/v1/workorders/{order_id}/attachments": {"POST"}, "/api/v1/field/jobs/{order_id}/photos": {"POST"},
           "/api/v1/field/jobs/{order_id}/signature": {"POST"}, "/api/v1/integrations/iot/alerts": {"POST"}}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    # In-process, a request must not close the test's database connection (Django's test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(world):
    """A brand dispatcher's token, on the shared personas' world with an order in it."""
    make_order(world)
    return ApiToken.issue(user=world.dispatcher, name="schemathesis")[1]


@schema.parametrize()
@settings(max_examples=4, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_answers_as_documented(case, token):
    if case.method.upper() in SKIPPED.get(case.path, ()):
        pytest.skip("not JSON: covered by its own tests")
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
