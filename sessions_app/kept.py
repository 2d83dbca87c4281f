"""Minutes kept by person, month and format (`MonthMinutes`), and by day and format for the
whole organisation (`DayMinutes`); sessions counted by supervisor, month and format
(`MonthSessions`): written with the records.

A page about a whole organisation's year summed every item of the year on every request
(docs/performance.md). The sums it needs are kept instead: a row per person, calendar month and
session format, in exact integers (twelfths of a minute per function, minutes per stage and
stakeholder, sessions held), the same sums `audit.selectors` makes live.

Kept by recomputing, never by adding deltas: whatever writes sessions, attendances or items
says which people's months it touched (`keys_of_session`, `keys_of_sessions`, or the keys it
knows), and `refresh` sums those months, and the organisation's days of them, again from the
records, in the same transaction. A write that touches nothing held touches no month. Every
write of a session, whatever its status, says which supervisors' months it touched
(`session_keys`), and `refresh_sessions` counts them again. `rebuild` sums and counts
everything again (the demo's seeding, `manage.py keep_minutes`, the migrations that made the
tables).

The sums are written once here as SQL (`SqlSum`): `audit.selectors` reads the live ones
through the same templates, so the kept and the live can never be two different rules.
"""

import weakref
from calendar import monthrange
from collections.abc import Iterable
from datetime import date
from functools import cached_property
from itertools import batched
from string import Formatter

from django.db import connection
from django.db.models import Aggregate, Count, F, IntegerField
from django.db.models.functions import TruncMonth

from core import bulk, db
from core.tally import TWELFTHS_BY_FUNCTION_COUNT
from core.vocabulary import (
    FUNCTIONS,
    STAGES,
    STAKEHOLDERS,
    function_field,
    stage_field,
    stakeholder_field,
)

from .models import (
    MONTH_SUM_COLUMNS,
    SESSION_COUNT_COLUMNS,
    Attendance,
    DayMinutes,
    MonthMinutes,
    MonthSessions,
    Session,
    Status,
)

SUM_COLUMNS = MONTH_SUM_COLUMNS


class _SharedRef(F):
    """A column reference that a query resolves once, however many sums name it: twenty sums
    of an item's columns name `minutes` twenty times and each function column five times, and
    Django resolved each naming on its own (the joins looked up again, about 40 microseconds
    each: 2 ms a query of `minute_sums`). What one resolution gives (a column of a table the
    query has joined) is the same for every naming in that query."""

    def resolve_expression(
        self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False
    ):
        shared = getattr(query, "_shared_refs", None)
        # A clone copies the attribute, and may be relabelled: each query has its own, known
        # by a weak reference to it (an id can be taken again by a later query).
        if shared is None or shared[0]() is not query:
            shared = (weakref.ref(query), {})
            query._shared_refs = shared
        key = (self.name, allow_joins, summarize, for_save)
        resolved = shared[1].get(key)
        if resolved is None:
            resolved = super().resolve_expression(query, allow_joins, reuse, summarize, for_save)
            shared[1][key] = resolved
        return resolved


class SqlSum(Aggregate):
    """`SUM(<sql>)` of one expression over a row's columns (an item's, a feedback's), written
    as SQL once.

    The same sums built from `Case`/`When`/`F` take Django about 40 ms a query to resolve and
    compile (the function count sits inside every function's weight): more than the query
    itself on any page. Here each column is resolved once per sum and the arithmetic is
    plain SQL, the same on SQLite (booleans 0/1) and PostgreSQL. `sql` names the columns as
    `{minutes}`, `{function_management}`, ...; only literals of this app go into it.
    """

    function = "SUM"

    def __init__(self, sql: str, prefix: str, columns, *, or_zero=False, **extra):
        self.sql, self.prefix, self.columns = sql, prefix, tuple(columns)
        self.or_zero = or_zero  # 0, not NULL, for a sum of no rows
        self.extra_options = tuple(sorted(extra.items()))
        super().__init__(
            *(_SharedRef(f"{prefix}{column}") for column in self.columns),
            output_field=IntegerField(),
            **extra,
        )

    @cached_property
    def identity(self):
        # What makes two sums the same, said directly: Django works it out from the
        # constructor's signature (inspect's binding, 50 microseconds a sum, twenty a query).
        return (type(self), self.sql, self.prefix, self.columns, self.or_zero, self.extra_options)

    def as_sql(self, compiler, connection, **extra_context):
        names, params = {}, []
        expressions = self.get_source_expressions()[: len(self.columns)]  # then filter, order
        for column, expression in zip(self.columns, expressions, strict=True):
            names[column], column_params = compiler.compile(expression)
            params.extend(column_params)
        total = f"SUM({self.sql.format(**names)})"
        return (f"COALESCE({total}, 0)" if self.or_zero else total), params

    def get_db_converters(self, connection):
        # A sum of integer columns comes back as an int (or NULL) from SQLite and PostgreSQL
        # alike: Django's int() on each value cost more than the query on the organisation's
        # pages (a row per person and month, twenty sums a row).
        return []


def when(condition: str, then: str) -> str:
    return f"CASE WHEN {condition} THEN {then} ELSE 0 END"


def columns_of(sql: str) -> list[str]:
    """The columns a template names, in order: `{minutes}` and the like."""
    return [name for _, name, _, _ in Formatter().parse(sql) if name]


def minute_sums(prefix: str, *, or_zero=False) -> dict:
    """Aggregates over items reached through `prefix` ("session__items__"): exact as integers.

    An item of `m` minutes tagged with `k` functions gives each `m * (12 / k)` twelfths
    (`TWELFTHS_BY_FUNCTION_COUNT`); a row with no item (NULL columns) gives 0 to every sum but
    `tagged`, whose sum of no minutes is NULL (0 with `or_zero`).
    """
    function_count = " + ".join(when(f"{{{function_field(key)}}}", "1") for key in FUNCTIONS)
    twelfths_per_minute = (
        f"CASE ({function_count})"
        + "".join(f" WHEN {k} THEN {t}" for k, t in TWELFTHS_BY_FUNCTION_COUNT.items())
        + " ELSE 0 END"
    )
    templates = {
        f"twelfths_{key}": when(
            f"{{{function_field(key)}}}", f"{{minutes}} * ({twelfths_per_minute})"
        )
        for key in FUNCTIONS
    }
    templates["tagged"] = "{minutes}"
    # The quick fix counts all the item's minutes, whatever its number of functions.
    templates["short_circuit"] = when(
        "{stage_plans_actions} AND NOT {stage_reflection} AND NOT {stage_analysis}", "{minutes}"
    )
    # Stages and stakeholders are coverage: an item's minutes in full for each one ticked.
    for key in STAGES:
        templates[f"stage_{key}"] = when(f"{{{stage_field(key)}}}", "{minutes}")
    for key in STAKEHOLDERS:
        templates[f"stakeholder_{key}"] = when(f"{{{stakeholder_field(key)}}}", "{minutes}")
    templates["no_stage"] = when(
        " AND ".join(f"NOT {{{stage_field(key)}}}" for key in STAGES), "{minutes}"
    )
    return {
        name: SqlSum(sql, prefix, dict.fromkeys(columns_of(sql)), or_zero=or_zero)
        for name, sql in templates.items()
    }


# Keys: (person id, a day of the month). Which months a write touched.

Key = tuple[int, date]


def month_of(day: date) -> date:
    return day.replace(day=1)


def last_of(month: date) -> date:
    return month.replace(day=monthrange(month.year, month.month)[1])


def keys_of_sessions(ids: Iterable[int]) -> set[Key]:
    """The months the held sessions among `ids` count in, as saved now: each attendee's month
    of the session's date. One query a thousand."""
    keys = set()
    for chunk in batched(ids, 1000):
        keys.update(
            Attendance.objects.filter(session__in=chunk, session__status=Status.HELD)
            .order_by()
            .values_list("person", "session_date")
        )
    return keys


def keys_of_session(session: Session) -> set[Key]:
    """`keys_of_sessions` of one session (no query for a session not held)."""
    if session.pk is None or session.status != Status.HELD:
        return set()
    return keys_of_sessions([session.pk])


# The live sums, and writing them.


def _held(attendance, first, last):
    rows = attendance.objects.filter(present=True, session__status=Status.HELD)
    if first is not None:
        rows = rows.filter(session_date__gte=first, session_date__lte=last)
    return rows.order_by()


def live(people=None, first: date | None = None, last: date | None = None, *, models=None):
    """The sums as `MonthMinutes` keeps them, from the records: a query of rows of (person,
    month, format, *SUM_COLUMNS), for `people` in [first, last] (or everyone, always).
    `models` (attendance, for a migration's historical model) defaults to this app's."""
    rows = _held(models or Attendance, first, last)
    if people is not None:
        rows = rows.filter(person__in=people)
    return (
        rows.annotate(kept_month=TruncMonth("session_date"), kept_format=F("session__format"))
        .values("person", "kept_month", "kept_format")
        .annotate(
            sessions_held=Count("session", distinct=True),
            **minute_sums("session__items__", or_zero=True),
        )
        .values_list("person", "kept_month", "kept_format", *SUM_COLUMNS)
    )


def live_days(days=None, *, models=None):
    """The sums as `DayMinutes` keeps them, from the records: rows of (day, format,
    *SUM_COLUMNS), everyone's present attendances added up, on `days` (or every day).
    `sessions_held` counts the attendances: the sum of each person's sessions held."""
    rows = _held(models or Attendance, None, None)
    if days is not None:
        rows = rows.filter(session_date__in=days)
    return (
        rows.annotate(kept_format=F("session__format"))
        .values("session_date", "kept_format")
        .annotate(
            sessions_held=Count("pk", distinct=True),
            **minute_sums("session__items__", or_zero=True),
        )
        .values_list("session_date", "kept_format", *SUM_COLUMNS)
    )


MONTH_KEY = ("person", "month", "format")
DAY_KEY = ("day", "format")
SESSIONS_KEY = ("supervisor", "month", "format")


def insert(rows, kept=None, *, key=MONTH_KEY, columns=SUM_COLUMNS, whole=False) -> None:
    """INSERT INTO `kept` (month minutes) SELECT the live `rows`, whose columns are `key`'s then
    `columns`: one statement, nothing through Python."""
    kept = kept or MonthMinutes
    table = connection.ops.quote_name(kept._meta.db_table)
    names = ", ".join(
        connection.ops.quote_name(kept._meta.get_field(name).column) for name in (*key, *columns)
    )
    select, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        if not whole or connection.vendor != "postgresql":
            cursor.execute(f"INSERT INTO {table} ({names}) {select}", params)  # noqa: S608
            return
        # Everything: PostgreSQL sums in parallel for CREATE TABLE AS, never for INSERT (a
        # council's 10 years 7 to 3.5 s). Written in date order (the months by month, then
        # person), as an organisation's records arrive: summed person by person, a month's rows
        # lay on every page of the table, and the organisation page's months of everyone read
        # 288 MB of a national body's 561 MB table for three months (213 ms; 102 ms with the
        # rows in month order).
        cursor.execute(f"CREATE TEMPORARY TABLE kept_sums ON COMMIT DROP AS {select}", params)
        in_order = "1, 2" if key[0] == "day" else "2, 1"  # the date's column first
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT * FROM kept_sums ORDER BY {in_order}"  # noqa: S608
        )
        cursor.execute("DROP TABLE kept_sums")


# `core.db.hold`'s namespaces: the people whose months are being summed again; the days
# (by their ordinal) whose organisation's sums are; the supervisors whose sessions are being
# counted again. Always held in that order (after `brought_forward.hold`'s supervisors).
HOLD_PEOPLE = 1
HOLD_DAYS = 3
HOLD_SESSIONS = 4
# People refreshed by one statement: within every database's limit on parameters.
PEOPLE_AT_ONCE = 500
DAYS_AT_ONCE = 500


def refresh(keys: Iterable[Key], *, days: Iterable[date] | None = None) -> None:
    """Sum again, from the records, the months in `keys` ((person id, a day of the month)),
    all formats: each of the people's months from the first of these months to the last (a
    session moved across months refreshes the months between too). Two statements for up to
    PEOPLE_AT_ONCE people, however many months: a whole file's import as few as one edit.
    Then the organisation's `days` (by default the days of `keys`, which are then the sessions'
    own dates): two statements for up to DAYS_AT_ONCE days.

    Call it inside the transaction that wrote the records, after writing them, with the keys
    of the sessions both before the change (where they counted) and after it."""
    keys = list(keys)
    days = {day for _person, day in keys} if days is None else days
    _refresh_months(keys, HOLD_PEOPLE, MonthMinutes, "person", live)
    # Many writers share a day (everyone's sessions of today): each waits for the last to
    # commit, then sums what it wrote.
    rewrite_days(days, HOLD_DAYS, DayMinutes, live_days, key=DAY_KEY)


def rewrite_days(days, namespace, kept, live_rows, **insert_options) -> None:
    """Work out again the rows of `kept` (by day) of `days`, from `live_rows(days)`, the days
    held in `namespace` first (by their ordinal): two statements for up to DAYS_AT_ONCE days.
    The organisation's minutes here, its checks in `sessions_app.brought_forward`."""
    days = sorted(set(days))
    if not days:
        return
    db.hold(namespace, [day.toordinal() for day in days])
    for chunk in batched(days, DAYS_AT_ONCE):
        kept.objects.filter(day__in=chunk).delete()
        insert(live_rows(chunk), kept, **insert_options)


def _refresh_months(keys, namespace, kept, owner, live_rows, **insert_options) -> None:
    """Work out again the rows of `kept` (by `owner`, month and format) of the owners in
    `keys` ((owner id, a day)), every month from the first of the days to the last, from
    `live_rows(owners, first, last)`; the owners held in `namespace` first, so that a second
    writer of the same owners waits for this one, then reads what it wrote."""
    if not keys:
        return
    owners = sorted({pk for pk, _day in keys})
    db.hold(namespace, owners)
    first = month_of(min(day for _pk, day in keys))
    last = last_of(month_of(max(day for _pk, day in keys)))
    for chunk in batched(owners, PEOPLE_AT_ONCE):
        kept.objects.filter(month__gte=first, month__lte=last, **{f"{owner}__in": chunk}).delete()
        insert(live_rows(chunk, first, last), kept, **insert_options)


def rebuild() -> None:
    """Sum every month and every day again from the records; count every session again."""
    rebuild_months()
    rebuild_days()
    rebuild_sessions()


def rewrite_all(namespace, kept, live_rows, **insert_options) -> None:
    """Work out every row of `kept` again from the live `live_rows`, everything held in
    `namespace` first: the rebuilds of each kept table (the seeding, `keep_minutes`, the
    migrations that made them)."""
    db.hold(namespace, everything=True)
    kept.objects.all().delete()
    insert(live_rows, kept, whole=True, **insert_options)
    bulk.analyse(kept)


def rebuild_months(*, attendance=None, kept=None) -> None:
    """Sum every person's month again (historical models in a migration)."""
    rewrite_all(HOLD_PEOPLE, kept or MonthMinutes, live(models=attendance))


def rebuild_days(*, attendance=None, kept=None) -> None:
    """Sum every day of the organisation again (historical models in a migration)."""
    rewrite_all(HOLD_DAYS, kept or DayMinutes, live_days(models=attendance), key=DAY_KEY)


def differences() -> list[tuple]:
    """Where the kept figures and the live ones disagree: ("month", person, month, format,
    kept, live), ("day", day, format, kept, live) and ("sessions", supervisor, month, format,
    kept, live) for each row that is missing, extra or different; empty when they agree. Reads
    everything: for tests and `manage.py keep_minutes --check`, not for pages."""
    return [
        *_differences(
            "month",
            MonthMinutes.objects.order_by().values_list(*MONTH_KEY, *SUM_COLUMNS),
            live(),
            len(MONTH_KEY),
        ),
        *_differences(
            "day",
            DayMinutes.objects.order_by().values_list(*DAY_KEY, *SUM_COLUMNS),
            live_days(),
            len(DAY_KEY),
        ),
        *_differences(
            "sessions",
            MonthSessions.objects.order_by().values_list(*SESSIONS_KEY, *SESSION_COUNT_COLUMNS),
            live_sessions(),
            len(SESSIONS_KEY),
        ),
    ]


def _differences(kind, stored_rows, live_rows, width) -> list[tuple]:
    stored = {tuple(row[:width]): tuple(row[width:]) for row in stored_rows}
    computed = {tuple(row[:width]): tuple(row[width:]) for row in live_rows}
    return [
        (kind, *key, stored.get(key), computed.get(key))
        for key in sorted(stored.keys() | computed.keys())
        if stored.get(key) != computed.get(key)
    ]


# Sessions counted by supervisor, month and format (`MonthSessions`): what the cancellation
# rates count (`audit.selectors.cancellation_rates`), live or kept.

MOVED_STATUSES = (
    Status.CANCELLED_BY_SUPERVISOR,
    Status.CANCELLED_BY_SUPERVISEE,
    Status.RESCHEDULED,
)


def count_if(condition: str) -> SqlSum:
    """How many rows meet `condition` (SQL over `{column}` names and this app's own values,
    never input), as one `SUM(CASE ...)` written once: a `Count(filter=Q(...))` costs Django
    about 0.15 ms to resolve on every query."""
    return SqlSum(when(condition, "1"), "", dict.fromkeys(columns_of(condition)))


def count_where(column: str, value: str) -> SqlSum:
    return count_if(f"{{{column}}} = '{value}'")


def session_counts() -> dict:
    """Aggregates over sessions, by SESSION_COUNT_COLUMNS: every session (scheduled, whatever
    its status), those cancelled by either side or rescheduled, and those moved by whom."""
    moved = "{status} IN (" + ", ".join(f"'{status}'" for status in MOVED_STATUSES) + ")"
    return {
        "scheduled": Count("pk"),
        "cancelled_by_supervisor": count_where("status", Status.CANCELLED_BY_SUPERVISOR),
        "cancelled_by_supervisee": count_where("status", Status.CANCELLED_BY_SUPERVISEE),
        "rescheduled": count_where("status", Status.RESCHEDULED),
        "moved_by_supervisor": count_if(f"{moved} AND {{moved_by}} = {{supervisor}}"),
        "moved_by_others": count_if(
            f"{moved} AND {{moved_by}} IS NOT NULL AND {{moved_by}} <> {{supervisor}}"
        ),
        "moved_unrecorded": count_if(f"{moved} AND {{moved_by}} IS NULL"),
    }


def live_sessions(
    supervisors=None, first: date | None = None, last: date | None = None, *, models=None
):
    """The counts as `MonthSessions` keeps them, from the sessions: rows of (supervisor, month,
    format, *SESSION_COUNT_COLUMNS) for `supervisors` in [first, last] (or all, always)."""
    rows = (models or Session).objects.all()
    if first is not None:
        rows = rows.filter(date__gte=first, date__lte=last)
    if supervisors is not None:
        rows = rows.filter(supervisor__in=supervisors)
    return (
        rows.order_by()
        .annotate(kept_month=TruncMonth("date"))
        .values("supervisor", "kept_month", "format")
        .annotate(**session_counts())
        .values_list("supervisor", "kept_month", "format", *SESSION_COUNT_COLUMNS)
    )


def session_keys(ids: Iterable[int]) -> set[Key]:
    """(supervisor id, date) of the sessions `ids` as saved now: the months they count in.
    One query a thousand."""
    keys = set()
    for chunk in batched(ids, 1000):
        keys.update(
            Session.objects.filter(pk__in=chunk).order_by().values_list("supervisor", "date")
        )
    return keys


def session_key(session: Session) -> set[Key]:
    """(supervisor id, date) of one session as it stands (no query)."""
    return {(session.supervisor_id, session.date)}


def refresh_sessions(keys: Iterable[Key]) -> None:
    """Count again, from the sessions, the months in `keys` ((supervisor id, a day of the
    month)), all formats: each supervisor's months from the first of these to the last. Call
    it inside the transaction that wrote the sessions, after writing them, with the keys of
    the sessions before the change and after it."""
    _refresh_months(
        list(keys),
        HOLD_SESSIONS,
        MonthSessions,
        "supervisor",
        live_sessions,
        key=SESSIONS_KEY,
        columns=SESSION_COUNT_COLUMNS,
    )


def rebuild_sessions(*, session=None, kept=None) -> None:
    """Count every supervisor's sessions again (historical models in a migration)."""
    rewrite_all(
        HOLD_SESSIONS,
        kept or MonthSessions,
        live_sessions(models=session),
        key=SESSIONS_KEY,
        columns=SESSION_COUNT_COLUMNS,
    )
