"""Writing many new rows at once, fast on PostgreSQL: ids from the table's sequence, then COPY.

Django's `bulk_create` builds each row's SQL through its insert compiler, and psycopg2 quotes
every value of a multi-row INSERT in Python: most of the time of a big import or of seeding a
council's records. `insert_new` writes the same rows (the same columns, the same defaults)
from plain tuples: the ids taken from the table's own sequence in one query, the rows streamed
in with `COPY ... FROM STDIN`. Elsewhere (SQLite, another driver) `fast()` is False and the
callers use the ORM; `imports.bulk` adds the history rows, `demo.bulk` seeds with it.

For a load into tables nothing else writes meanwhile (seeding), `checks_after` sets their
indexes and foreign keys aside and builds them again at the end, and their ids can be handed
out without asking the sequence for each (`next_ids`, `with_ids`, `continue_ids`). Rows of
which there are hundreds of thousands (seeding's items and attendances) can be made straight
as tuples, with no object to make and read back (`Rows`, `insert_rows`).
"""

import io
from contextlib import contextmanager
from datetime import date, datetime, time
from decimal import Decimal
from operator import attrgetter, itemgetter

from django.db import connection, models, router
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init
from psycopg2.extras import execute_values

# Field types whose Python value psycopg2 adapts as it is (Django's get_db_prep_save returns
# it unchanged on PostgreSQL). Anything else goes through get_db_prep_save.
PLAIN = (
    models.CharField,
    models.TextField,
    models.IntegerField,
    models.BooleanField,
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.ForeignKey,
)
PAGE = 2000


def copies() -> bool:
    """Whether rows can be written with COPY (`copy_rows`): PostgreSQL through psycopg2."""
    return connection.vendor == "postgresql" and connection.Database.__name__ == "psycopg2"


def fast(model) -> bool:
    """Whether `insert_new` can write `model`'s rows: COPY (`copies`), and a primary key its
    table's sequence gives."""
    return copies() and isinstance(model._meta.pk, models.AutoField)


def analyse(*models) -> None:
    """The planner's statistics of `models`' tables, now (PostgreSQL; elsewhere nothing): after
    a load, with autovacuum off or before it comes round, they would be planned as empty."""
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {', '.join(quote(model._meta.db_table) for model in models)}")


# What `new` sets on an object of each model (`_NewPlan`).
_NEW_PLANS = {}


def _plain_foreign_key(field):
    """`field` if it is a foreign key to its model's primary key (not one-to-one): its related
    object is set as its descriptor sets it, the id and the cache, without the descriptor's
    checks (seeding and imports give objects of the right model); else None."""
    if type(field) is models.ForeignKey and field.target_field.primary_key:
        return field
    return None


def _default_of(field):
    """A field's default as `new` uses it: the value itself when it is the same every time
    (what `field.get_default()` returns then), else the function that makes it."""
    if field.has_default() and callable(field.default):
        return field.get_default
    value = field.get_default()
    return field.get_default if callable(value) else value


class _NewPlan:
    """A model's concrete fields as `new` sets them: the defaults that are the same every time
    (set together), those made each time, and what each name a caller may give stands for."""

    def __init__(self, model):
        self.fixed = {}  # attname: default
        self.made = []  # (name, attname, function)
        # name or attname given: (attname, plain foreign key or None, whether it is the name
        # of a relation, given its related object)
        self.given = {}
        for field in model._meta.concrete_fields:
            default = _default_of(field)
            if callable(default):
                self.made.append((field.name, field.attname, default))
            else:
                self.fixed[field.attname] = default
            self.given[field.attname] = (field.attname, None, False)
            if field.name != field.attname:
                self.given[field.name] = (field.attname, _plain_foreign_key(field), True)


def new(model, **values):
    """An unsaved `model` object, as `model(**values)` makes it, at a fraction of the cost, for
    writing thousands at once (seeding): the same values and defaults, set without sending the
    pre_init and post_init signals (while anything listens to them, the constructor makes it).
    A related object given by its field's name is set as the field's descriptor sets it: its
    id (None until it is saved), its cache, and the database of the two."""
    if pre_init.receivers or post_init.receivers:
        return model(**values)
    plan = _NEW_PLANS.get(model)
    if plan is None:
        plan = _NEW_PLANS[model] = _NewPlan(model)
    obj = model.__new__(model)
    obj._state = ModelState()
    fields = obj.__dict__
    fields.update(plan.fixed)
    for name, attname, default in plan.made:
        if attname not in values and name not in values:
            fields[attname] = default()
    given = plan.given
    for key, value in values.items():
        known = given.get(key)
        if known is None:
            raise TypeError(f"{model.__name__} has no field named {key}")
        attname, foreign_key, related = known
        if not related:
            fields[attname] = value
        elif foreign_key is None or value is None:
            setattr(obj, key, value)
        else:
            # As the descriptor sets it: the databases the two are on, the id, the cache.
            if obj._state.db is None:
                obj._state.db = router.db_for_write(model, instance=value)
            if value._state.db is None:
                value._state.db = router.db_for_write(type(value), instance=obj)
            fields[attname] = value.pk
            foreign_key.set_cached_value(obj, value)
    return obj


class Rows:
    """Rows of `model` made straight as the tuples `with_ids` makes of objects, for a load of
    hundreds of thousands (seeding's items and attendances): no model object to make, then
    read back. `names` are the fields (attnames) given for each row, in that order; every
    other field takes its default, which must be the same every time. Plain fields only
    (`PLAIN`, no auto_now), whose values go to the database as they are given."""

    def __init__(self, model, names):
        fields = [field for field in model._meta.concrete_fields if not field.primary_key]
        attnames = [field.attname for field in fields]
        unknown = set(names) - set(attnames)
        if unknown:
            raise TypeError(f"{model.__name__} has no field named {', '.join(sorted(unknown))}")
        self.model = model
        self.attnames = attnames
        self.columns = [model._meta.pk.column, *(field.column for field in fields)]
        given = {name: i for i, name in enumerate(names)}
        defaults, order = [], []
        for field in fields:
            if (
                not isinstance(field, PLAIN)
                or getattr(field, "auto_now", False)
                or getattr(field, "auto_now_add", False)
            ):
                raise ValueError(f"{model.__name__}.{field.name} is not a plain field")
            if field.attname in given:
                order.append(given[field.attname])
                continue
            default = _default_of(field)
            if callable(default):
                raise ValueError(f"{model.__name__}.{field.name}'s default is made each time")
            order.append(len(names) + len(defaults))
            defaults.append(default)
        self.width = len(names)
        self.defaults = tuple(defaults)
        pick = itemgetter(*order)
        self.pick = pick if len(order) > 1 else lambda values: (pick(values),)

    def __call__(self, *values):
        """A row in the order of the table's columns: the values of `names` (given in their
        order) and the defaults."""
        if len(values) != self.width:
            raise TypeError(f"{self.width} values expected, {len(values)} given")
        return self.pick(values + self.defaults)

    def objects(self, rows):
        """The rows as unsaved objects (to write them through the ORM)."""
        return [self.model(**dict(zip(self.attnames, row, strict=True))) for row in rows]


def insert_rows(maker, rows):
    """Insert `rows` made by `maker` (a `Rows`), with ids from the table's sequence."""
    meta = maker.model._meta
    ids = new_ids(meta.db_table, meta.pk.column, len(rows))
    copy_rows(meta.db_table, maker.columns, numbered(ids, rows))


def numbered(ids, rows):
    """Each of `rows` with its id first, as a table's rows are written."""
    return [(pk, *row) for pk, row in zip(ids, rows, strict=True)]


def insert_new(objs, model):
    """Insert the unsaved `objs` of `model`, setting their ids."""
    ids = new_ids(model._meta.db_table, model._meta.pk.column, len(objs))
    _fields, _rows, columns, written = with_ids(objs, model, ids)
    copy_rows(model._meta.db_table, columns, written)


def with_ids(objs, model, ids):
    """Give the unsaved `objs` of `model` their `ids`, as saving them would; returns (fields,
    rows, columns, written): the fields besides the primary key, each object's values of them,
    the table's columns, and each object's row to write (its id first)."""
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = rows_of(objs, fields)
    alias = connection.alias  # read once: each read looks up the thread's connection
    meta = model._meta
    # The id straight into the object's values, as `obj.pk = pk` sets it for a model with no
    # parent model (whose link would be set too).
    plain = None if meta.parents else meta.pk.attname
    for obj, pk in zip(objs, ids, strict=True):
        if plain is None:
            obj.pk = pk
        else:
            obj.__dict__[plain] = pk
        state = obj._state
        state.adding = False
        state.db = alias
    columns = [model._meta.pk.column, *(f.column for f in fields)]
    return fields, rows, columns, numbered(ids, rows)


def _related_pk(field, obj):
    """A foreign key left NULL on `obj` whose related object was given, created earlier in
    the same import or seeding: its id is known now."""
    if not field.is_cached(obj):
        return None
    related = field.get_cached_value(obj)
    if related is None:
        return None
    # Into the object's own values, as the descriptor keeps it: setting the id through its
    # attribute would forget the related object.
    obj.__dict__[field.attname] = related.pk
    return related.pk


def _fixer(field):
    """How a field's value, as read from the object, becomes what the database takes; None
    for a field whose value goes as it is."""
    if isinstance(field, models.ForeignKey):
        return lambda obj, value: _related_pk(field, obj) if value is None else value
    if isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
        return lambda obj, value: field.pre_save(obj, add=True)
    if isinstance(field, PLAIN):
        return None
    return lambda obj, value: field.get_db_prep_save(field.pre_save(obj, add=True), connection)


def rows_of(objs, fields):
    """Each of `objs`' values of `fields`, as the database takes them: what each field needs
    is worked out once, and the plain values of an object are read together."""
    read = attrgetter(*(field.attname for field in fields))
    fixes = [(i, fix) for i, fix in enumerate(map(_fixer, fields)) if fix is not None]
    if len(fields) == 1:
        original = read
        read = lambda obj: (original(obj),)  # noqa: E731 - attrgetter of one name: no tuple
    rows = []
    for obj in objs:
        values = read(obj)
        if fixes:
            values = list(values)
            for i, fix in fixes:
                values[i] = fix(obj, values[i])
            values = tuple(values)
        rows.append(values)
    return rows


def new_ids(table, pk_column, count):
    """`count` new ids from the table's own sequence (as the inserts would have taken them)."""
    with connection.cursor() as cursor:
        if table in _HELD:
            # No one else can insert into the table until the load commits: its sequence gives
            # the next `count` ids in one step rather than one call a row.
            cursor.execute(
                "SELECT setval(s, nextval(s) + %s - 1) FROM pg_get_serial_sequence(%s, %s) s",
                [count, connection.ops.quote_name(table), pk_column],
            )
            (last,) = cursor.fetchone()
            return list(range(last - count + 1, last + 1))
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), pk_column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def update_rows(model, names, rows):
    """Set fields `names` of `model`'s rows to the values given: `rows` holds (id, *values).
    One `UPDATE ... FROM (VALUES ...)` a page, where an update per value or bulk_update's CASE
    of a branch per row would be one statement or one long expression a row."""
    quote = connection.ops.quote_name
    meta = model._meta
    fields = [meta.get_field(name) for name in names]
    columns = [meta.pk.column, *(field.column for field in fields)]
    # Each value cast to its column's type: a page whose values are all NULL has no other.
    types = [field.db_type(connection) for field in (meta.pk, *fields)]
    template = "(" + ", ".join(f"%s::{kind}" for kind in types) + ")"
    # Names from the model, quoted; the values go as data, never into the SQL.
    table, pk = quote(meta.db_table), quote(columns[0])
    assign = ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns[1:])
    source = f"(VALUES %s) AS v ({', '.join(map(quote, columns))})"
    sql = f"UPDATE {table} SET {assign} FROM {source} WHERE {table}.{pk} = v.{pk}"  # noqa: S608
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, template=template, page_size=PAGE)


def _copy_str(value):
    # COPY's text format: a backslash, and the characters that end a column or a row, escaped
    # (str.replace four times is a tenth of the time of str.translate here).
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


# Each plain type's text as COPY reads it, looked up by the value's exact type. A datetime is
# aware (USE_TZ): isoformat writes its offset.
_COPY_TEXT = {
    type(None): lambda value: "\\N",
    bool: lambda value: "t" if value else "f",
    str: _copy_str,
    int: str,
    Decimal: str,
    date: date.isoformat,
    datetime: datetime.isoformat,
    time: time.isoformat,
}


def _no_text(value):
    return None


def _converter(kind):
    """How a value of type `kind` becomes COPY's text (`_no_text` when it has no plain text
    form); a subclass, such as a choice's enum member (a str), is converted as its base type."""
    convert = _COPY_TEXT.get(kind)
    if convert is None:
        base = next(
            (base for base in _COPY_TEXT if base is not bool and issubclass(kind, base)), None
        )
        convert = _COPY_TEXT[kind] = _COPY_TEXT[base] if base is not None else _no_text
    return convert


_SPECIAL = ("\\", "\t", "\n", "\r")


def _column_text(values):
    """COPY's text of one column's values in a page, or None if one has no text form. A
    column is mostly of one type: converted at once, in loops that call nothing per value
    (two million values for a council's seeding); any other column value by value."""
    kinds = set(map(type, values))
    if len(kinds) == 1:
        (kind,) = kinds
        if kind is str:
            joined = "".join(values)
            if any(special in joined for special in _SPECIAL):
                return [_copy_str(value) for value in values]
            return values
        if kind is bool:
            return ["t" if value else "f" for value in values]
        if kind is int:
            return list(map(str, values))
    known = _COPY_TEXT.get
    cells = [(known(type(value)) or _converter(type(value)))(value) for value in values]
    return None if None in cells else cells


def pages(rows):
    """`rows` a page at a time, each as (text, page): its text as COPY reads it, or None for a
    page holding a value COPY's text cannot carry."""
    for start in range(0, len(rows), PAGE):
        page = rows[start : start + PAGE]
        columns = [_column_text(values) for values in zip(*page, strict=True)]
        if None in columns:
            yield None, page
            continue
        yield "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n", page


def write_page(table, columns, text, page):
    """Write one of `pages`' pages into `table`: COPY its text, or INSERT it where it has none."""
    quote = connection.ops.quote_name
    # Names from the models, quoted; the values go as data, never into the SQL.
    names = ", ".join(map(quote, columns))
    with connection.cursor() as cursor:
        if text is not None:
            cursor.cursor.copy_expert(
                f"COPY {quote(table)} ({names}) FROM STDIN", io.StringIO(text)
            )
        else:
            sql = f"INSERT INTO {quote(table)} ({names}) VALUES %s"  # noqa: S608
            execute_values(cursor.cursor, sql, page, page_size=PAGE)


def copy_rows(table, columns, rows):
    """Write `rows` (tuples in the order of `columns`) into `table`, a page at a time: with COPY,
    or with multi-row INSERTs for a page holding a value COPY's text cannot carry."""
    for text, page in pages(rows):
        write_page(table, columns, text, page)


def next_ids(models):
    """For each of `models` (whose tables `checks_after` holds), the next id its sequence gives;
    taken, so that ids from there on can be handed out without asking (`continue_ids`)."""
    found = {}
    for model in models:
        table = model._meta.db_table
        if table not in _HELD:
            raise RuntimeError(f"{table} is not held: another insert could take its ids")
        (found[model],) = new_ids(table, model._meta.pk.column, 1)
    return found


def continue_ids(models, next_free):
    """Each of `models`' sequences to give `next_free[model]` next: after ids handed out from
    `next_ids` without asking."""
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s, false)",
                [
                    connection.ops.quote_name(model._meta.db_table),
                    model._meta.pk.column,
                    next_free[model],
                ],
            )


# The tables `checks_after` holds locked while they are loaded.
_HELD = set()

# What `checks_after` sets aside: foreign keys and unique constraints of the tables (re-added
# from their definitions) and their indexes on plain columns but the primary key's. A partial
# or expression index stays (PostgreSQL writes its definition back in a different form).
_SET_ASIDE = """
    SELECT 'constraint', conrelid::regclass::text, conname, pg_get_constraintdef(oid),
           CASE contype WHEN 'u' THEN 1 ELSE 2 END
      FROM pg_constraint
     WHERE contype IN ('f', 'u') AND conrelid = ANY(%(tables)s::regclass[])
    UNION ALL
    SELECT 'index', indrelid::regclass::text, indexrelid::regclass::text,
           pg_get_indexdef(indexrelid), 0
      FROM pg_index
     WHERE indrelid = ANY(%(tables)s::regclass[]) AND NOT indisprimary
       AND NOT EXISTS (SELECT FROM pg_constraint WHERE conindid = indexrelid)
       AND indpred IS NULL AND indexprs IS NULL
"""


# The memory each index is built in at the end of a load (PostgreSQL's default: 64 MB).
INDEX_BUILD_MEMORY = "512MB"


@contextmanager
def checks_after(models):
    """Load `models`' tables with their indexes, unique constraints and foreign keys set aside,
    then build them again from their definitions and analyse the tables: PostgreSQL's own
    advice for populating a database ("Populating a Database" in its manual). One index built
    over a full table is far quicker than keeping it row by row, and a foreign key checked in
    one join quicker than a deferred check queued for every row. The rows are checked all the
    same: re-adding a constraint validates every row, and a failure rolls the whole load back.

    Only inside a transaction (the definitions are changed and restored in it: no other
    connection ever sees the tables without them), and only for a load into tables nothing
    else writes meanwhile (the tables are locked until it commits). Elsewhere than PostgreSQL
    it does nothing."""
    if not fast(models[0]):
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("checks_after sets the checks aside only inside a transaction")
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        # Held until the transaction ends: no one else writes to them meanwhile (`new_ids`).
        cursor.execute(f"LOCK TABLE {', '.join(map(quote, tables))} IN EXCLUSIVE MODE")
        # A table with checks still pending in this transaction cannot be altered: they are
        # made now, then deferred again (as Django makes every foreign key: deferrable,
        # initially deferred).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(_SET_ASIDE, {"tables": tables})
        aside = sorted(cursor.fetchall(), key=lambda row: row[4])
        # Names and definitions are PostgreSQL's own, read back from its catalogue.
        for kind, table, name, _definition, _order in reversed(aside):
            if kind == "index":
                cursor.execute(f"DROP INDEX {name}")
            else:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
    _HELD.update(tables)
    try:
        yield
    finally:
        _HELD.difference_update(tables)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [INDEX_BUILD_MEMORY])
        for kind, table, name, definition, _order in aside:  # indexes, unique, foreign keys
            if kind == "index":
                cursor.execute(definition)
            else:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")
    # The planner's statistics of what was loaded (the same advice).
    analyse(*models)
