"""Telling a database that is busy from one that is broken."""

import json

from django.db import OperationalError, connection
from django.db.models import Exists, Field, ForeignObject, Lookup, Q, QuerySet, Subquery

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


# A long list of ids: Django prepares each id of a plain `__in` list on its own (about
# 2.5 microseconds each, every query), which an organisation's page of 1,750 people paid in each
# of its seven queries of them, and a national body's 37,500 in seconds. `field__any_id=ids`
# sends the whole list as one parameter instead: PostgreSQL's `= ANY(array)`, which it plans
# as it plans the list (the array's length known); SQLite reads it as a JSON list.


class AnyId(Lookup):
    """`field__any_id=ids`: the rows whose field is one of `ids` (integers), as `__in` finds
    them, with the ids as one parameter. Registered on every field, foreign keys too."""

    lookup_name = "any_id"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(pk) for pk in self.rhs]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        # `lhs` is Django's own column SQL; the ids are a parameter.
        sql = f"{lhs} IN (SELECT value FROM json_each(%s))"  # noqa: S608
        return sql, [*lhs_params, json.dumps(self.rhs)]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::bigint[])", [*lhs_params, self.rhs]


Field.register_lookup(AnyId)
ForeignObject.register_lookup(AnyId)  # foreign keys keep lookups of their own

# Up to this many ids elsewhere (SQLite), a plain `__in` list (the SQL reads as usual); beyond,
# `any_id`. On PostgreSQL always `any_id`: it reads `IN (list)` as `= ANY(array)` itself, and
# one parameter keeps a query's SQL the same for any number of ids, as a query prepared once
# needs (`core.prepared`). Up to this many are "a few people" too: read person by person and
# from queries prepared on the server (a team, a caseload, an organisation's page of ten teams,
# about 130 people: as many people's, planned each run, it took 46-56 ms at council scale
# against 36-41); more are an organisation's.
ID_LIST_FROM = 300


def among(field: str, ids) -> Q:
    """`Q(field__any_id=ids)` (on SQLite `Q(field__in=ids)` for a few ids); a queryset (a
    subquery) as `__in` takes it."""
    if isinstance(ids, QuerySet):
        return Q(**{f"{field}__in": ids})
    ids = list(ids)
    few = len(ids) <= ID_LIST_FROM and connection.vendor != "postgresql"
    return Q(**{f"{field}__{'in' if few else 'any_id'}": ids})


class ExistsEach(Exists):
    """`Exists`, tested for each outer row by the index its condition names, never turned into a
    join: `OFFSET 0` is PostgreSQL's documented fence (it does not simplify such an EXISTS into
    a semi-join). For a few outer rows of a large table: an organisation's feedback of a year
    (3,000) each checked against its attendance (unique index: session, person) took 60 ms;
    as a semi-join, PostgreSQL hashed all 430,000 attendances of a council's ten years (110 ms,
    growing each year). SQLite reads it as plain `Exists`."""

    template = "EXISTS(%(subquery)s OFFSET 0)"


class PerGroup(Subquery):
    """A `Subquery` of a grouped query's select list that refers to grouped columns only (the
    group's key): read once for each group, after the grouping, instead of grouped by. Django
    groups by every expression of the select list that is no aggregate, and a subquery so
    grouped is read for every row before the grouping: an organisation's year of sessions by
    supervisor, with each supervisor's e-mail and name as such subqueries, read 600,000 rows'
    subqueries (2.2 s at the national tier) for 3,351 supervisors."""

    def get_group_by_cols(self):
        return []
