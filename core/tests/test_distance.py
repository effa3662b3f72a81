"""The one great-circle distance (core.geo.distance): known distances, each caller's rounding, and the
properties of a distance (symmetric, zero to itself, the triangle inequality) over the whole globe."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from core.geo.distance import distance_km, distance_m, great_circle_m, great_circle_matrix_m

HANGZHOU = (Decimal("30.274084"), Decimal("120.155070"))
SHANGHAI = (Decimal("31.230416"), Decimal("121.473701"))

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes) | st.tuples(
    st.decimals(min_value=-90, max_value=90, places=6), st.decimals(min_value=-180, max_value=180, places=6))


def test_known_distances_in_whole_metres():
    assert distance_m((30.28, 120.13), (30.28, 120.13)) == 0
    assert distance_m((30.28, 120.13), (30.29, 120.13)) == 1112  # 0.01° of latitude
    assert 1_060_000 < distance_m((39.9042, 116.4074), (31.2304, 121.4737)) < 1_075_000  # Beijing–Shanghai, 1067 km


def test_kilometres_to_a_tenth_as_the_call_out_bands_read_them():
    assert distance_km(HANGZHOU, SHANGHAI) == Decimal("164.9")
    assert distance_km((30, 120), (30, 120)) == Decimal("0.0")
    assert distance_km((0, 0), (0, 180)) == Decimal("20015.1")  # half the mean circumference


def test_decimals_floats_strings_and_a_mix_of_them_give_the_same_distance():
    as_floats = (float(HANGZHOU[0]), float(HANGZHOU[1]))
    as_strings = (str(SHANGHAI[0]), str(SHANGHAI[1]))
    metres = great_circle_m(as_floats, (float(SHANGHAI[0]), float(SHANGHAI[1])))
    assert distance_m(HANGZHOU, SHANGHAI) == distance_m(as_floats, SHANGHAI) == distance_m(HANGZHOU, as_strings) \
        == round(metres)
    assert distance_km(as_floats, as_strings) == distance_km(HANGZHOU, SHANGHAI) == Decimal("164.9")


def test_the_matrix_is_the_single_distance_for_every_pair():
    sources = [(30.2741, 120.1551), (29.8683, 121.5440)]
    destinations = [(30.2420, 120.1490), (30.1850, 120.2640), (30.2741, 120.1551)]
    matrix = great_circle_matrix_m(sources, destinations)
    assert matrix.shape == (2, 3) and matrix[0][2] == 0
    for i, a in enumerate(sources):
        for j, b in enumerate(destinations):
            assert abs(matrix[i][j] - great_circle_m(a, b)) < 1e-6


def floats(point) -> tuple[float, float]:
    return float(point[0]), float(point[1])


@settings(max_examples=300, deadline=None)
@given(points, points)
def test_symmetric_and_zero_to_itself(a, b):
    a_, b_ = floats(a), floats(b)
    assert great_circle_m(a_, b_) == great_circle_m(b_, a_)
    assert distance_m(a, b) == distance_m(b, a) and distance_km(a, b) == distance_km(b, a)
    assert great_circle_m(a_, a_) == 0 and distance_m(b, b) == 0 and distance_km(a, a) == 0
    assert 0 <= great_circle_m(a_, b_) <= 20_015_115  # never more than half round the Earth


@settings(max_examples=300, deadline=None)
@given(points, points, points)
def test_the_triangle_inequality_within_rounding(a, b, c):
    # Haversine loses a few centimetres near antipodal points; whole metres add half a metre per leg.
    a_, b_, c_ = floats(a), floats(b), floats(c)
    assert great_circle_m(a_, c_) <= great_circle_m(a_, b_) + great_circle_m(b_, c_) + 0.5
    assert distance_m(a, c) <= distance_m(a, b) + distance_m(b, c) + 2
    assert distance_km(a, c) <= distance_km(a, b) + distance_km(b, c) + Decimal("0.2")
