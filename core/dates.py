"""Dates as people type them: the one parser for YYYY-MM-DD, and a year back."""

import re
from datetime import date

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_iso_date(text) -> date | None:
    """`text` as a date written YYYY-MM-DD, or None when it is not one.

    Stricter than `date.fromisoformat`, which also takes 20260101 and week dates: the import
    and report formats (INTERFACES.md) say YYYY-MM-DD, and so do the pages.
    """
    text = (text or "").strip()
    if not ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def one_year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February); `date.min` stays itself."""
    if day.year == 1:
        return date.min
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
