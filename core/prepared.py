"""Queries the ORM builds and compiles once, then runs again with other values (PostgreSQL).

Building a queryset and compiling it to SQL costs the same Python every time it is run, however
few its rows: about 1-2 ms for a query of many sums (a balance's twenty-odd `SUM(CASE ...)`),
which on a dashboard of a dozen such queries was more than the database's own time. A
`Prepared` query is built by its function once per process and shape, with stand-in values for
its arguments; its SQL is kept, and each run puts the real values where the stand-ins were.

The build function must make the same SQL whatever its arguments' values: ids as one
parameter (`field__any_id=ids`, never a `__in` list, whose length is part of the SQL), no
branch on a value, no value worked out from an argument in Python (pass it as an argument of
its own). Building it twice, with two sets of stand-ins, checks this: the same SQL, each
stand-in where its twin is, every other parameter equal, every argument used; else
`PreparedQueryError`, at the first run (the tests run each one).

What is a value and what is a shape: an int, a date, a datetime or a list of ints (ids) is a
value (a parameter). Anything else (None, a bool, a string, a duration, a tuple) is part of the
shape: a different one builds and keeps a query of its own, so a shape is one of a few (a
format, "day" or "month", a policy's deadline), never free text. Whether a list holds a few ids
or more than `ID_LIST_FROM` is part of the shape too, its stand-in as long: a selector may read
a few people's rows one way and an organisation's another (`audit.selectors.feedback_in_window`).
A queryset as an argument (a subquery of people, say) is no value: with one, the function builds
and runs its queryset each time.

Elsewhere than on PostgreSQL (SQLite, where ids travel as JSON and no page is large), the
function builds and runs its queryset each time, as any query is run.
"""

import copy
import itertools
import re
from datetime import UTC, date, datetime, timedelta
from threading import Lock

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.utils import timezone
from psycopg2 import DatabaseError

from . import clock
from .db import ID_LIST_FROM


class PreparedQueryError(Exception):
    """The build function's SQL depends on its arguments' values in a way stand-ins miss."""


_counter = itertools.count(1)


def _kind(value):
    """What stand-in `value` takes ("int", "str", ...), or None when it is part of the shape."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return "int"
    if isinstance(value, datetime):
        return "aware" if timezone.is_aware(value) else "naive"
    if isinstance(value, date):
        return "date"
    # Every element exactly an int (no bool), checked by the set of their types: an
    # organisation's lists of 1,800 ids, each element tested in a generator, cost the page
    # 1-2 ms.
    if isinstance(value, list) and set(map(type, value)) <= {int}:
        return "ids" if len(value) <= ID_LIST_FROM else "many ids"
    return None


def _stand_in(kind):
    """A value of `kind` that no real argument has."""
    n = next(_counter)
    return {
        # Within every integer field's range (a small one's ends at 32,767): Django leaves out
        # a condition on a number beyond it, and the stand-in would not reach the SQL.
        "int": lambda: 30_011 + n % 2_700,
        "aware": lambda: datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=n),
        "naive": lambda: datetime(1901, 1, 1) + timedelta(seconds=n),  # noqa: DTZ001
        "date": lambda: date(1901, 1, 1) + timedelta(days=n % 30000),
        "ids": lambda: [-(10**15) - n],
        "many ids": lambda: [-(10**15) - n - i for i in range(ID_LIST_FROM + 1)],
    }[kind]()


def _is(a, b) -> bool:
    return type(a) is type(b) and a == b


class _Plan:
    """One shape's SQL, its compiler (what its rows are made from) and where each argument
    goes among its parameters; and, on PostgreSQL, the statement it is prepared as."""

    def __init__(self, queryset, compiler, sql, params, slots):
        self.queryset = queryset
        self.compiler = compiler
        self.sql = sql
        self.params = params
        self.slots = slots  # [(position, argument index)]
        self.arguments = sorted({index for _position, index in slots})
        self.name = f"fourfold_{next(_statements)}"
        self.statement = None  # its PREPARE, written at its first run; "" when it cannot be
        # Without arguments (an administrator's list, which reads none of the reader's): no
        # parentheses, which PostgreSQL refuses empty.
        marks = ", ".join(["%s"] * len(self.arguments))
        self.execute = f"EXECUTE {self.name}({marks})" if marks else f"EXECUTE {self.name}"

    def prepare_sql(self, raw) -> str:
        """`PREPARE name AS` the SQL: each argument a `$n`, the constants written in as the
        driver writes them (`raw`, a psycopg2 connection)."""
        numbers = {index: n for n, index in enumerate(self.arguments, start=1)}
        slot_of = dict(self.slots)
        parts, position = [], 0
        with raw.cursor() as cursor:
            for token in re.split(r"(%%|%s)", self.sql):
                if token == "%%":  # noqa: S105 (SQL, not a password)
                    parts.append("%")
                elif token == "%s":  # noqa: S105
                    if position in slot_of:
                        parts.append(f"${numbers[slot_of[position]]}")
                    else:
                        parts.append(cursor.mogrify("%s", [self.params[position]]).decode())
                    position += 1
                else:
                    parts.append(token)
        return f"PREPARE {self.name} AS {''.join(parts)}"

    def executed(self, values) -> list:
        """The arguments of its EXECUTE."""
        return [_as_parameter(values[i]) for i in self.arguments]

    def parameters(self, values) -> list:
        """Its SQL's parameters, the values where the stand-ins were."""
        params = list(self.params)
        for position, index in self.slots:
            params[position] = _as_parameter(values[index])
        return params


class Prepared:
    """`Prepared(build)`: calling it with arguments runs `build(*arguments)`'s queryset and
    returns its rows as a list (model instances, or tuples for `values_list`), its prefetches
    done; on PostgreSQL from the SQL kept for the arguments' shape."""

    def __init__(
        self,
        build,
        *,
        using=DEFAULT_DB_ALIAS,
        server=True,
        ids_at_most=ID_LIST_FROM,
        optional=(),
        name=None,
    ):
        self.build = build
        self.name = name or getattr(build, "__qualname__", repr(build))
        self.using = using
        # Arguments a build may leave out of its SQL (a reader's id and teams, which an
        # administrator's queryset never reads: `people.access.for_readers`); every other one
        # must reach it.
        self.optional = frozenset(optional)
        # Whether a run may use the statement prepared on the server (`_prepared_on`): False,
        # or a test of the run's arguments; never for more ids than `ids_at_most` (people: an
        # organisation's hundreds or thousands).
        self.server = server
        self.ids_at_most = ids_at_most
        self._plans = {}
        self._lock = Lock()

    def __call__(self, *args) -> list:
        connection = connections[self.using]
        if connection.vendor != "postgresql" or any(isinstance(v, QuerySet) for v in args):
            return list(self.build(*args))
        # The time zone too: a date of a moment (TruncDate) is worked out in the current one.
        shape = (
            len(args),
            timezone.get_current_timezone_name(),
            *((i, _shape_key(v)) for i, v in enumerate(args) if _is_shape(v)),
            *(i for i, v in enumerate(args) if _kind(v) == "many ids"),
        )
        plan = self._plans.get(shape)
        if plan is None:
            with self._lock:
                plan = self._plans.get(shape) or self._plan(args)
                self._plans[shape] = plan
        queryset = plan.queryset._chain()
        compiler = copy.copy(plan.compiler)
        compiler.connection = connection
        compiler.using = self.using
        if self._on_server(args) and _prepared_on(connection, plan):
            sql, params = plan.execute, plan.executed(args)
        else:
            sql, params = plan.sql, plan.parameters(args)
        compiler.as_sql = lambda *a, **k: (sql, params)
        queryset.query.get_compiler = lambda *a, **k: compiler
        return list(queryset)

    def _on_server(self, args) -> bool:
        """Whether this run uses the statement prepared on the server. PostgreSQL plans such a
        statement once, for any values (`plan_cache_mode`, supervision/settings.py): right for
        a few people's rows, whatever the few; for an organisation's, whose best plan depends
        on how many (thousands of ids), it plans each run as it comes."""
        if not settings.PREPARED_STATEMENTS or not self.server:
            return False
        if any(isinstance(value, list) and len(value) > self.ids_at_most for value in args):
            return False
        return self.server is True or self.server(*args)

    def _plan(self, args) -> _Plan:
        name = self.name
        compiled = []
        for _ in range(2):
            stand_ins = [None if k is None else _stand_in(k) for k in map(_kind, args)]
            built = [value if s is None else s for value, s in zip(args, stand_ins, strict=True)]
            queryset, compiler, sql, params = self._built(name, built)
            compiled.append((queryset, compiler, sql, tuple(params), stand_ins))
        (queryset, compiler, sql, params, stand_ins), second = compiled
        query2, _, sql2, params2, stand_ins2 = second
        if sql != sql2 or len(params) != len(params2):
            raise PreparedQueryError(f"{name}: its SQL changes with its arguments' values")
        if _prefetches(queryset) != _prefetches(query2):
            raise PreparedQueryError(
                f"{name}: a prefetch of its rows reads an argument (the kept one would read "
                "the stand-in's rows: prefetch them after the run)"
            )
        slots = []
        for position, (p1, p2) in enumerate(zip(params, params2, strict=True)):
            index = next((i for i, s in enumerate(stand_ins) if s is not None and _is(p1, s)), None)
            if index is not None:
                if not _is(p2, stand_ins2[index]):
                    raise PreparedQueryError(f"{name}: argument {index} moves in its SQL")
                slots.append((position, index))
            elif not _is(p1, p2):
                raise PreparedQueryError(
                    f"{name}: parameter {position} is worked out from an argument "
                    "(pass it as an argument of its own)"
                )
        unused = {i for i, s in enumerate(stand_ins) if s is not None} - {i for _, i in slots}
        unused -= self.optional
        if unused:
            raise PreparedQueryError(
                f"{name}: argument(s) {sorted(unused)} do not reach its SQL as they are "
                "(a list of ids must be one parameter: `any_id`)"
            )
        return _Plan(queryset, compiler, sql, params, slots)

    def _built(self, name, arguments):
        """The build function's queryset for stand-ins, its compiler, SQL and parameters.
        Building and compiling it may neither read the clock (the day of the build would be
        kept: take it as an argument) nor run a query (what it read would be kept: a policy's
        days, say)."""

        def no_query(*_args):
            raise PreparedQueryError(
                f"{name}: it runs a query while it is built (what the query read would be "
                "kept: pass it as an argument)"
            )

        try:
            with (
                clock.not_to_be_read(f"{name} reads the clock while it is built"),
                connections[self.using].execute_wrapper(no_query),
            ):
                queryset = self.build(*arguments)
                compiler = queryset.query.get_compiler(using=self.using)
                return (queryset, compiler, *compiler.as_sql())
        except clock.ClockNotToBeRead as read:
            raise PreparedQueryError(f"{read}: the day must be an argument") from read


def _prefetches(queryset) -> list:
    """What a queryset's prefetches would read, as SQL with its parameters: the same for two
    builds, or the kept prefetch reads a stand-in's rows."""
    found = []
    for lookup in queryset._prefetch_related_lookups:
        inner = getattr(lookup, "queryset", None)
        if inner is None:
            found.append(str(lookup))
        else:
            try:
                found.append((lookup.prefetch_to, *inner.query.sql_with_params()))
            except EmptyResultSet:
                found.append((lookup.prefetch_to, None))
    return found


_statements = itertools.count(1)


def _as_parameter(value):
    """An argument as the driver is given it: a list of ids (a `SessionIds`, say) as a plain
    list, a copy the run cannot change."""
    return list(value) if isinstance(value, list) else value


def pk_of(person):
    """A model instance as a prepared query's argument: its id (None, or an id, as it is)."""
    return getattr(person, "pk", person)


def _prepared_on(connection, plan) -> bool:
    """Whether `plan` is prepared on this connection (it is, from its first run on it, unless
    PostgreSQL cannot prepare it): PostgreSQL then plans it once, not at every run (0.7-1 ms a
    query of a dashboard, about as long as running it). A connection's statements last as
    long as it does (behind PgBouncer, in session mode: README). Prepared through the driver
    itself, not counted as one of the page's queries."""
    connection.ensure_connection()
    raw = connection.connection
    kept = getattr(connection, "_fourfold_statements", None)
    if kept is None or kept[0] is not raw:
        kept = (raw, set())
        connection._fourfold_statements = kept
    if plan.name in kept[1]:
        return True
    if plan.statement == "":
        return False
    if plan.statement is None:
        plan.statement = plan.prepare_sql(raw)
    in_transaction = not raw.autocommit
    with raw.cursor() as cursor:
        if in_transaction:
            cursor.execute("SAVEPOINT fourfold_prepare")
        try:
            cursor.execute(plan.statement)
        except DatabaseError:
            # A parameter whose type PostgreSQL cannot tell from the SQL alone: run as before.
            if in_transaction:
                cursor.execute("ROLLBACK TO SAVEPOINT fourfold_prepare")
            plan.statement = ""
        finally:
            if in_transaction:
                cursor.execute("RELEASE SAVEPOINT fourfold_prepare")
    if not plan.statement:
        return False
    kept[1].add(plan.name)
    return True


def _is_shape(value) -> bool:
    return _kind(value) is None


def _shape_key(value):
    """`value` as part of the key of a shape: one of a few, never an object (a model instance
    as a shape would keep a query for each one)."""
    if value is None or isinstance(value, (bool, str, timedelta)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (str, int)) for v in value):
        return tuple(value)
    raise PreparedQueryError(f"{type(value).__name__} is neither a value nor a shape")
