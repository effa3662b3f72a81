"""manage.py send_test_alert against a live server, and what it says when something is missing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from integrations.tests.factories import iot_world
from workorders.models import WorkOrder


@pytest.mark.django_db(transaction=True)
def test_send_test_alert_signs_and_posts_to_a_running_server(live_server, world):
    iot_world(world)
    out = StringIO()
    call_command("send_test_alert", "--url", live_server.url, "--brand", "acme", "--serial", "SN-A-0001",
                 "--fault", "E01", "--alert-id", "cmd-1", stdout=out)
    assert "→ 201" in out.getvalue()
    order = WorkOrder.objects.get(channel="iot")
    assert order.product.serial == "SN-A-0001" and order.number in out.getvalue()
    again = StringIO()
    call_command("send_test_alert", "--url", live_server.url, "--brand", "acme", "--serial", "SN-A-0001",
                 "--fault", "E01", "--alert-id", "cmd-1", stdout=again)
    assert "→ 201" in again.getvalue() and WorkOrder.objects.count() == 1


@pytest.mark.django_db
def test_send_test_alert_says_what_is_missing(world):
    with pytest.raises(CommandError, match="no active IoT secret"):
        call_command("send_test_alert", "--brand", "acme", stdout=StringIO())
    iot_world(world)
    with pytest.raises(CommandError, match="is the server running"):
        call_command("send_test_alert", "--brand", "acme", "--url", "http://127.0.0.1:9", stdout=StringIO())
