import pytest
from django.core.cache import cache

from notifications.tests.messaging import start_providers, stop_providers


@pytest.fixture
def providers(settings, world):
    cache.clear()  # the WeChat token of another test's stand-in must not be used
    servers = start_providers(settings, world)
    yield servers
    stop_providers(servers)
