"""Telling a database that is busy from one that is broken."""

from django.db import OperationalError

# PostgreSQL's answers when a lock could not be had: lock_not_available (a lock_timeout ran out),
# deadlock_detected, serialization_failure.
PG_BUSY_CODES = {"55P03", "40P01", "40001"}

BUSY = (
    "Someone else was saving this record at the same moment, and Fourfold could not wait any "
    "longer for them to finish. Nothing of yours was saved: please try again."
)


def is_busy(exc: BaseException) -> bool:
    """A lock that could not be had in time: the change was rolled back; trying again works."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "pgcode", None) in PG_BUSY_CODES:
        return True
    # SQLite, once its busy timeout (settings.DATABASES OPTIONS "timeout") has run out.
    return "database is locked" in str(exc) or "database table is locked" in str(exc)
