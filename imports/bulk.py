"""Creating many new records and their history rows at once, fast on PostgreSQL.

`bulk_create_with_history` (django-simple-history) builds each row's SQL through Django's
insert compiler, then a historical model instance per row and its SQL again: about 80 % of a
big import's time. On PostgreSQL this writes the same rows (the same columns, the same
defaults, the same history: "+" records with the change reason and the request's user) from
plain tuples, one multi-row INSERT ... RETURNING id a page. Other databases use
`bulk_create_with_history` itself; the tests compare the two.
"""

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
    ids = _insert(model._meta.db_table, [f.column for f in fields], rows, model._meta.pk.column)
    for obj, (pk,) in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
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


def _insert(table, columns, rows, returning=None):
    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    # Names from the models, quoted; the values go as parameters.
    sql = f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES %s"  # noqa: S608
    if returning:
        sql += f" RETURNING {quote(returning)}"
    connection.ensure_connection()
    with connection.cursor() as cursor:
        return execute_values(cursor.cursor, sql, rows, page_size=PAGE, fetch=bool(returning))


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
