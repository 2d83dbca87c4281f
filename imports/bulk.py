"""Creating many new records and their history rows at once, fast on PostgreSQL.

`bulk_create_with_history` (django-simple-history) builds each row's SQL through Django's
insert compiler, then a historical model instance per row and its SQL again: about 80 % of a
big import's time. On PostgreSQL this writes the same rows (the same columns, the same
defaults, the same history: "+" records with the change reason and the request's user) from
plain tuples (`core.bulk`: the ids from the table's sequence in one query, then the rows and
their history rows streamed with COPY). Other databases use `bulk_create_with_history` itself;
the tests compare the two.
"""

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, get_history_manager_for_model

from core.bulk import copy_rows, fast, insert_new

HISTORY_FIELDS = {"history_date", "history_change_reason", "history_type", "history_user_id"}


def create_with_history(objs, model, *, change_reason):
    """Insert the unsaved `objs` of `model` (setting their ids) with a history row each."""
    if not objs:
        return
    if not _fast(model):
        bulk_create_with_history(objs, model, default_change_reason=change_reason)
        return
    fields, rows = insert_new(objs, model)
    _insert_history(objs, model, fields, rows, change_reason)


def _fast(model):
    if not fast(model):
        return False
    history = get_history_manager_for_model(model).model
    # Only the history columns this module knows how to fill.
    known = {f.attname for f in history.tracked_fields} | HISTORY_FIELDS | {"history_id"}
    return all(f.attname in known for f in history._meta.concrete_fields)


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
    copy_rows(history._meta.db_table, columns, history_rows)
