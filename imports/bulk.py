"""Creating many new records and their history rows at once, fast on PostgreSQL.

`bulk_create_with_history` (django-simple-history) builds each row's SQL through Django's
insert compiler, then a historical model instance per row and its SQL again: about 80 % of a
big import's time. On PostgreSQL this writes the same rows (the same columns, the same
defaults, the same history: "+" records with the change reason and the request's user) from
plain tuples: the page's ids taken from the table's sequence in one query, then the rows and
their history rows streamed with COPY. Other databases use `bulk_create_with_history` itself;
the tests compare the two.
"""

import io
from datetime import date, datetime, time
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

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
HISTORY_FIELDS = {"history_date", "history_change_reason", "history_type", "history_user_id"}


def create_with_history(objs, model, *, change_reason):
    """Insert the unsaved `objs` of `model` (setting their ids) with a history row each."""
    if not objs:
        return
    if not _fast(model):
        bulk_create_with_history(objs, model, default_change_reason=change_reason)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    rows = [_values(obj, fields) for obj in objs]
    table, pk_column = model._meta.db_table, model._meta.pk.column
    ids = _new_ids(table, pk_column, len(rows))
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    _insert(
        table,
        [pk_column, *(f.column for f in fields)],
        [(pk, *row) for pk, row in zip(ids, rows, strict=True)],
    )
    _insert_history(objs, model, fields, rows, change_reason)


def _fast(model):
    if connection.vendor != "postgresql" or connection.Database.__name__ != "psycopg2":
        return False
    pk = model._meta.pk
    history = get_history_manager_for_model(model).model
    # Only the history columns this module knows how to fill.
    known = {f.attname for f in history.tracked_fields} | HISTORY_FIELDS | {"history_id"}
    return isinstance(pk, models.AutoField) and all(
        f.attname in known for f in history._meta.concrete_fields
    )


def _values(obj, fields):
    values = []
    for field in fields:
        if isinstance(field, models.ForeignKey):
            value = getattr(obj, field.attname)
            if value is None and field.is_cached(obj):
                # A related object created earlier in the same import: its id is known now.
                related = field.get_cached_value(obj)
                value = related.pk if related is not None else None
                setattr(obj, field.attname, value)
        elif isinstance(field, models.DateField) and (field.auto_now or field.auto_now_add):
            value = field.pre_save(obj, add=True)
        elif isinstance(field, PLAIN):
            value = getattr(obj, field.attname)
        else:
            value = field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        values.append(value)
    return tuple(values)


def _new_ids(table, pk_column, count):
    """`count` new ids from the table's own sequence (as the inserts would have taken them)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), pk_column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


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


def _copy_text(value):
    """One value as COPY's text format reads it, or None when it has no plain text form."""
    kind = type(value)
    convert = _COPY_TEXT.get(kind)
    if convert is None:
        # A subclass, such as a choice's enum member (a str): converted as its base type.
        base = next(
            (base for base in _COPY_TEXT if base is not bool and issubclass(kind, base)), None
        )
        if base is None:
            return None
        convert = _COPY_TEXT[kind] = _COPY_TEXT[base]
    return convert(value)


def _insert(table, columns, rows):
    """Write `rows` (tuples in the order of `columns`) into `table`, a page at a time: with COPY,
    or with multi-row INSERTs for a page holding a value COPY's text cannot carry."""
    quote = connection.ops.quote_name
    # Names from the models, quoted; the values go as data, never into the SQL.
    names = ", ".join(map(quote, columns))
    connection.ensure_connection()
    with connection.cursor() as cursor:
        for start in range(0, len(rows), PAGE):
            page = rows[start : start + PAGE]
            text = io.StringIO()
            for row in page:
                cells = [_copy_text(value) for value in row]
                if None in cells:
                    break
                text.write("\t".join(cells))
                text.write("\n")
            else:
                text.seek(0)
                cursor.cursor.copy_expert(f"COPY {quote(table)} ({names}) FROM STDIN", text)
                continue
            from psycopg2.extras import execute_values

            sql = f"INSERT INTO {quote(table)} ({names}) VALUES %s"  # noqa: S608
            execute_values(cursor.cursor, sql, page, page_size=PAGE)


def _insert_history(objs, model, fields, rows, change_reason):
    history = get_history_manager_for_model(model).model
    user = history.get_default_history_user(objs[0])
    constants = {
        "history_date": timezone.now(),
        "history_change_reason": change_reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    position = {field.attname: index for index, field in enumerate(fields)}
    pk = model._meta.pk.attname
    columns, picks = [], []
    for field in history._meta.concrete_fields:
        if field.attname == "history_id":
            continue
        columns.append(field.column)
        picks.append(field.attname)
    history_rows = []
    for obj, row in zip(objs, rows, strict=True):
        history_rows.append(
            tuple(
                obj.pk
                if name == pk
                else row[position[name]]
                if name in position
                else constants[name]
                for name in picks
            )
        )
    _insert(history._meta.db_table, columns, history_rows)
