"""A row's bar (`charts.small_bar`, in integers) draws what the general bar draws."""

import random
from fractions import Fraction

import pytest

from audit import charts
from audit.templatetags.audit_tags import share_bar
from core.tally import shares_of
from core.vocabulary import FUNCTIONS


def general(shares):
    """The row's bar as `bar_segments` and `shares_text` make it."""
    segments = charts.bar_segments(shares)
    drawn = [(s.start, s.width, s.key) for s in segments if s.share]
    return drawn, charts.shares_text(shares, segments)


def shares(*minutes):
    by_function = dict(zip(FUNCTIONS, (Fraction(m) for m in minutes), strict=True))
    return shares_of(by_function, sum(by_function.values()))


@pytest.mark.parametrize(
    "minutes",
    [
        (60, 0, 0, 0),
        (0, 0, 0, 45),
        (30, 30, 30, 30),
        (1, 1, 1, 0),  # thirds: 33.33%, and positions to 4 places
        (Fraction(1, 32), Fraction(31, 32), 0, 0),  # 3.125%: half away from zero
        (Fraction(5, 12), Fraction(7, 3), Fraction(1, 4), Fraction(100, 7)),
        (1, 0, 2, 100_000),
    ],
)
def test_a_rows_bar_is_the_general_bars(minutes):
    assert charts.small_bar(shares(*minutes)) == general(shares(*minutes))


def test_the_same_over_many_mixes_of_twelfths_of_minutes():
    pick = random.Random(5)
    for _ in range(2_000):
        minutes = [Fraction(pick.choice([0, 0, pick.randint(1, 9_000)]), 12) for _ in FUNCTIONS]
        if not any(minutes):
            continue
        assert charts.small_bar(shares(*minutes)) == general(shares(*minutes)), minutes


def test_no_tagged_minutes_is_said_in_words():
    assert charts.small_bar(None) == ([], "No tagged minutes")
    assert "No tagged minutes" in share_bar(None)


def test_a_rows_bar_draws_a_rectangle_per_function_with_minutes_and_names_them_all():
    html = share_bar(shares(1, 1, 1, 0))
    assert html.count("<rect ") == 3 + 1  # three functions, and the frame
    assert 'x="33.3333%" y="0" width="33.3333%"' in html
    assert "Management 33.33%, Development 33.33%, Support 33.33%, Mediation 0%" in html
