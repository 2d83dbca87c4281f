"""Dates as people type them (core.dates)."""

import datetime

import pytest

from core.dates import one_year_before, parse_iso_date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-01-31", datetime.date(2026, 1, 31)),
        (" 2028-02-29 ", datetime.date(2028, 2, 29)),
        ("0001-01-01", datetime.date(1, 1, 1)),
        ("2027-02-29", None),  # not a leap year
        ("20260131", None),  # fromisoformat would take it; the formats say YYYY-MM-DD
        ("2026-W05-1", None),
        ("31/01/2026", None),
        ("", None),
        (None, None),
    ],
)
def test_only_real_dates_written_yyyy_mm_dd_are_dates(text, expected):
    assert parse_iso_date(text) == expected


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2026, 11, 25), datetime.date(2025, 11, 25)),
        (datetime.date(2028, 2, 29), datetime.date(2027, 2, 28)),
        (datetime.date(1, 6, 1), datetime.date.min),
    ],
)
def test_a_year_before(day, expected):
    assert one_year_before(day) == expected
