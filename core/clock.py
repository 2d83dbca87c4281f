"""What time it is, for Fourfold: every view, service, command and test asks here.

"Today" is the date in the organisation's time zone (`TIME_ZONE`, DOMAIN.md), never the
machine's: `date.today()` and `datetime.now()` read the system zone, which is wrong between
00:00 and 01:00 in British Summer Time on a server kept in UTC. Tests freeze this clock with
time-machine (tests/conftest.py), so the suite gives the same answers on any day.
"""

import threading
from contextlib import contextmanager
from datetime import date, datetime

from django.utils import timezone

_unread = threading.local()


class ClockNotToBeRead(RuntimeError):
    """The clock was read where a moment must come in as an argument (`not_to_be_read`)."""


@contextmanager
def not_to_be_read(why: str):
    """Within, in this thread, reading the clock raises `ClockNotToBeRead(why)`: a query
    built once and run on other days (`core.prepared`) would keep the day of its build."""
    before = getattr(_unread, "why", None)
    _unread.why = why
    try:
        yield
    finally:
        _unread.why = before


def now() -> datetime:
    """The current moment, aware (UTC)."""
    why = getattr(_unread, "why", None)
    if why is not None:
        raise ClockNotToBeRead(why)
    return timezone.now()


def today() -> date:
    """The date in the organisation's time zone."""
    return timezone.localdate(now())


def local_date(moment: datetime) -> date:
    """The organisation's date of an aware moment (a record's `shared_at`, say)."""
    return timezone.localdate(moment)
