"""Telling a database that is busy from one that is broken."""

from django.db import OperationalError, connection

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


# Rewriting what is kept about some ids (`hold`): up to this many, each id's own lock; beyond,
# the whole namespace's (PostgreSQL's lock table has room for a few thousand locks in all).
HOLD_EACH_AT_MOST = 200


def hold(namespace: int, ids=(), *, everything: bool = False) -> None:
    """Hold, until the transaction ends, the right to work out again what is kept about `ids`
    (people, supervisors) in `namespace`: a second writer of the same ids waits for the first
    to commit, then reads what it wrote. Many ids, or `everything`, hold the whole namespace;
    a few hold it shared, then each id, in order (no two writers wait for each other).

    PostgreSQL's advisory locks; elsewhere nothing (SQLite lets one writer in at a time)."""
    if connection.vendor != "postgresql":
        return
    ids = sorted(set(ids))
    if not ids and not everything:
        return
    with connection.cursor() as cursor:
        if everything or len(ids) > HOLD_EACH_AT_MOST:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, 0)", [namespace])
            return
        cursor.execute("SELECT pg_advisory_xact_lock_shared(%s, 0)", [namespace])
        # A volatile function in the select list is called after the sort: in order of id.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, id) FROM unnest(%s::integer[]) AS id ORDER BY id",
            [namespace, ids],
        )
