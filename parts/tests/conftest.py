import pytest

from parts.tests.factories import build_stock


@pytest.fixture
def stock(world):
    return build_stock(world)
