"""Dates as people type them and read them: the one parser for YYYY-MM-DD, the one way
pages write a day ("3 Dec 2026") and a time ("14:02"), and a year back."""

import re
from datetime import date, datetime, time
from functools import lru_cache

from django.utils import timezone
from django.utils.dateformat import format as _format
from django.utils.translation import get_language

# How every page, e-mail and history line writes a day and a time of day (Django's format
# characters). Machine formats (CSV, JSON, the import files) stay YYYY-MM-DD.
DAY_FORMAT = "j M Y"
TIME_FORMAT = "H:i"

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


def date_text(value, format_string) -> str:
    """A date or moment in Django's format characters, as the `date` filter writes it ('' for
    None); an aware moment in the organisation's time zone.

    A plain date's text is remembered, per language: a page of months and days wrote the same
    few dozen dates through Django's formatter (about 30 microseconds each: a format parsed,
    month names looked up in the translations) on every request.
    """
    if value is None or value == "":
        return ""
    if type(value) is date:
        return _date_text(value, format_string, get_language())
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return _format(value, format_string)


@lru_cache(maxsize=4096)
def _date_text(value: date, format_string: str, language: str) -> str:
    return _format(value, format_string)


def day_text(value) -> str:
    """'3 Dec 2026': a date, or the organisation's date of an aware moment; '' for None."""
    if isinstance(value, datetime):
        value = timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return date_text(value, DAY_FORMAT)


def time_text(value) -> str:
    """'14:02': a time of day, or an aware moment's time in the organisation's zone."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if isinstance(value, datetime | time):
        return _format(value, TIME_FORMAT)
    return str(value)


def day_time_text(value) -> str:
    """'3 Dec 2026 14:02': a moment in the organisation's time zone."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return day_text(value)
    return f"{day_text(value)} {time_text(value)}"
