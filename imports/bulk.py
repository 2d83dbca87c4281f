"""Creating many new records and their history rows at once, fast on PostgreSQL.

`bulk_create_with_history` (django-simple-history) builds each row's SQL through Django's
insert compiler, then a historical model instance per row and its SQL again: about 80 % of a
big import's time. On PostgreSQL this writes the same rows (the same columns, the same
defaults, the same history: "+" records with the change reason and the request's user) from
plain tuples (`core.bulk`: the ids from the table's sequence in one query, then the rows
streamed with COPY), and their history rows from those rows, inside PostgreSQL. Other
databases use `bulk_create_with_history` itself; the tests compare the two.
"""

from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from core.bulk import fast, insert_new

HISTORY_FIELDS = {"history_date", "history_change_reason", "history_type", "history_user_id"}


def create_with_history(objs, model, *, change_reason):
    """Insert the unsaved `objs` of `model` (setting their ids) with a history row each."""
    if not objs:
        return
    if not _fast(model):
        bulk_create_with_history(objs, model, default_change_reason=change_reason)
        return
    insert_new(objs, model)
    _insert_history(objs, model, change_reason)


def _fast(model):
    if not fast(model):
        return False
    history = get_history_manager_for_model(model).model
    # Only the history columns this module knows how to fill.
    known = {f.attname for f in history.tracked_fields} | HISTORY_FIELDS | {"history_id"}
    return all(f.attname in known for f in history._meta.concrete_fields)


def _insert_history(objs, model, change_reason):
    """The history rows of `objs`, just written: copied from their own rows by PostgreSQL
    (`INSERT ... SELECT`), with the change's constants, rather than made and sent again from
    Python (a third of a big import's own time was its history rows)."""
    history = get_history_manager_for_model(model).model
    user = history.get_default_history_user(objs[0])
    constants = {
        "history_date": timezone.now(),
        "history_change_reason": change_reason,
        "history_type": "+",
        "history_user_id": getattr(user, "pk", None),
    }
    quote = connection.ops.quote_name
    meta = model._meta
    own = {field.attname: field.column for field in meta.concrete_fields}
    columns, values, params = [], [], []
    for field in history._meta.concrete_fields:
        if field.attname == "history_id":
            continue
        columns.append(quote(field.column))
        if field.attname in constants:
            # Typed: an untyped parameter in a SELECT list would be text.
            values.append(f"%s::{field.db_type(connection)}")
            params.append(constants[field.attname])
        else:
            values.append(quote(own[field.attname]))
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    # Names from the models, quoted; the values go as parameters, never into the SQL. In the
    # objects' order (their ids were taken in it), as bulk_create_with_history writes them.
    sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {', '.join(values)} FROM {table} WHERE {pk} = ANY(%s) ORDER BY {pk}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, [obj.pk for obj in objs]])
