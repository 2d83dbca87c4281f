"""The one rounding rule and the one way each figure is written (core.numbers)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from core.numbers import (
    minutes_text,
    number_text,
    percent_text,
    plain_text,
    points_text,
    ratio,
    round_half_away,
    round_minutes,
    round_share,
    rounded_text,
)

# Rounding: once, at the end, half away from zero.


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Fraction(1, 32), 4, "0.0313"),  # 0.03125: half rounds away from zero, not to even
        (Fraction(5, 160), 4, "0.0313"),  # the worked example's mediation share
        (Fraction(45, 160), 4, "0.2813"),  # 0.28125
        (Fraction(1, 3), 2, "0.33"),
        (Fraction(2, 3), 2, "0.67"),
        (Fraction(10, 3), 2, "3.33"),
        (Fraction(20, 3), 2, "6.67"),
        (Fraction(190, 3), 2, "63.33"),
        (Fraction(245, 3), 2, "81.67"),
        (Fraction(1, 3), 4, "0.3333"),
        (Fraction(2, 3), 4, "0.6667"),
        (Fraction(1, 200), 2, "0.01"),  # 0.005
        (Fraction(1, 8), 2, "0.13"),  # 0.125
        (Fraction(3, 8), 2, "0.38"),  # 0.375: half-even would give 0.38 too, 0.125 tells them apart
        (Fraction(1, 20000), 4, "0.0001"),  # 0.00005
        (Fraction(4999, 100_000_000), 4, "0.0000"),
        (Fraction(-1, 200), 2, "-0.01"),  # away from zero on the negative side too
        (0, 2, "0.00"),
        (175, 2, "175.00"),
        (Decimal("0.125"), 2, "0.13"),
        (Decimal("-0.125"), 2, "-0.13"),
        (Fraction(-5, 2), 0, "-3"),
        (Fraction(5, 2), 0, "3"),
        (-7, 1, "-7.0"),
    ],
)
def test_round_half_away_from_zero(value, places, expected):
    result = round_half_away(value, places)
    assert result == Decimal(expected)
    assert str(result) == expected


def test_round_minutes_and_shares_use_two_and_four_places():
    assert round_minutes(Fraction(1, 3)) == Decimal("0.33")
    assert round_share(Fraction(1, 32)) == Decimal("0.0313")
    assert round_share(None) is None


def test_rounding_happens_on_the_exact_value_not_a_decimal_approximation():
    # 0.0312499999... must not become 0.0313 just because a 28-digit decimal got close.
    just_below = Fraction(1, 32) - Fraction(1, 10**40)
    assert round_half_away(just_below, 4) == Decimal("0.0312")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("175.00", "175.0"), ("63.33", "63.33"), ("0.2000", "0.2"), ("0.0000", "0.0"), ("5", "5.0")],
)
def test_number_text_prints_like_json(value, expected):
    assert number_text(Decimal(value)) == expected


def test_ratio_is_exact_and_none_without_a_whole():
    assert ratio(1, 3) == Fraction(1, 3)
    assert ratio(5, 0) is None
    assert ratio(0, 0) is None


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        (Fraction(5, 8), "62.5%"),
        (Fraction(1, 8), "12.5%"),
        (Fraction(1, 2), "50%"),
        (Fraction(31, 320), "9.69%"),  # 0.096875: half away from zero, as in the CSV's 0.0969
        (Fraction(1, 3), "33.33%"),
        (Fraction(0), "0%"),
        (Fraction(1), "100%"),
    ],
)
def test_a_share_is_written_as_a_percentage_to_two_decimals(share, expected):
    assert percent_text(share) == expected


def test_a_percentage_is_the_csv_share_times_a_hundred():
    for share in (Fraction(1, 32), Fraction(45, 160), Fraction(2, 3), Fraction(7, 80)):
        assert percent_text(share) == f"{round_share(share) * 100:f}".rstrip("0").rstrip(".") + "%"


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (Fraction(25, 4), "6.25"),
        (Fraction(1, 4), "0.25"),
        (240, "240"),
        (Fraction(100, 3), "33.33"),
    ],
)
def test_minutes_are_written_to_two_decimals_without_trailing_zeros(minutes, expected):
    assert minutes_text(minutes) == expected


def test_points_are_unsigned_percentage_points():
    assert points_text(Fraction(-1, 8)) == "12.5"
    assert points_text(Fraction(1, 100)) == "1"


def _values():
    """Exact values of every kind a page writes: halves at each place, thirds, negatives, 0,
    whole numbers, Decimals and ints, small and large."""
    values = [0, 1, -1, 240, -240, Decimal("2.5"), Decimal("-0.125"), Decimal("0.005")]
    for denominator in (1, 2, 3, 7, 8, 12, 32, 160, 320, 1000, 20000, 99991):
        for numerator in (-20001, -5, -1, 1, 5, 31, 999, 1234567, 20001):
            values.append(Fraction(numerator, denominator))
    return values


@pytest.mark.parametrize("places", [0, 1, 2, 4])
@pytest.mark.parametrize("times", [1, 100])
def test_rounded_text_is_the_decimal_route_written_plainly(places, times):
    for value in _values():
        expected = plain_text(round_half_away(Fraction(value) * times, places))
        assert rounded_text(value, places, times=times) == expected, value
