"""`core.bulk`: seeding's fast constructor makes what the model's constructor makes; COPY's text
of a page of rows."""

import datetime

import pytest
from django.db.models.signals import post_init

from core.bulk import Rows, new, pages, rows_of, with_ids
from people.models import User
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    Attendance,
    Item,
    Session,
    Status,
)


def values_of(obj):
    """Every concrete field's value, by attname."""
    return {field.attname: getattr(obj, field.attname) for field in type(obj)._meta.concrete_fields}


def made_both_ways(model, **values):
    return model(**values), new(model, **values)


def test_the_same_values_and_defaults_as_the_constructor():
    supervisor = User(pk=7, email="sue@example.org")
    by_init, by_new = made_both_ways(
        Session,
        supervisor=supervisor,
        format="one_to_one",
        date=datetime.date(2026, 3, 2),
        status="held",
        duration_minutes=60,
    )
    assert values_of(by_new) == values_of(by_init)
    assert by_new.supervisor is supervisor and by_new.supervisor_id == 7
    assert by_new._state.adding and by_new._state.db == by_init._state.db
    # Defaults the constructor fills in, as it fills them.
    assert by_new.record_state == by_init.record_state and by_new.version == by_init.version

    item_init, item_new = made_both_ways(Item, session_id=3, position=1, title="T", minutes=20)
    item_new.set_tags(functions=["support"], stages=["reflection"], stakeholders=[])
    item_init.set_tags(functions=["support"], stages=["reflection"], stakeholders=[])
    assert values_of(item_new) == values_of(item_init)


def test_a_related_object_not_saved_yet_is_kept_for_its_id_later():
    action = Action(description="Book the training")
    review = new(ActionReview, action=action, session_id=4, outcome="done")
    assert review.action_id is None and review.action is action
    assert values_of(review) == values_of(ActionReview(action=action, session_id=4, outcome="done"))


def test_an_unknown_name_is_refused_as_the_constructor_refuses_it():
    with pytest.raises(TypeError, match="bogus"):
        new(Item, session_id=1, bogus=2)
    with pytest.raises(TypeError):
        Item(session_id=1, bogus=2)


def test_while_something_listens_to_the_constructors_signals_the_constructor_is_used():
    heard = []

    def listen(sender, instance, **kwargs):
        heard.append(instance)

    post_init.connect(listen, sender=Item)
    try:
        item = new(Item, session_id=1, title="T", minutes=5)
    finally:
        post_init.disconnect(listen, sender=Item)
    assert heard == [item]


def test_a_row_takes_the_id_of_a_related_object_saved_since_and_keeps_the_object(
    db, django_assert_num_queries
):
    action = Action(description="Book the training")
    review = new(ActionReview, action=action, session_id=4, outcome="done")
    action.pk = 12  # written since, as seeding and imports write the actions first
    fields = [f for f in ActionReview._meta.concrete_fields if not f.primary_key]
    with django_assert_num_queries(0):
        (row,) = rows_of([review], fields)
        assert row[[f.name for f in fields].index("action")] == 12
        assert review.action_id == 12 and review.action is action  # not read back


def test_copy_text_of_a_page_each_column_as_copy_reads_it():
    """`pages`: a column of one type is converted at once, any other value by value; both
    write what COPY's text format reads back as the same values."""
    rows = [
        (1, "plain", True, None, datetime.date(2026, 3, 2), Status.HELD),
        (2, "tab\there", False, "x\\y", datetime.date(2026, 3, 3), "planned"),
        (3, "line\r\nbreak", True, "", datetime.date(2026, 3, 4), Status.HELD),
    ]

    ((text, page),) = pages(rows)

    assert page == rows
    assert text.split("\n") == [
        "1\tplain\tt\t\\N\t2026-03-02\theld",
        "2\ttab\\there\tf\tx\\\\y\t2026-03-03\tplanned",
        "3\tline\\r\\nbreak\tt\t\t2026-03-04\theld",
        "",
    ]


def test_a_page_holding_a_value_copy_cannot_carry_has_no_text():
    rows = [(1, 2.5), (2, 3)]

    assert list(pages(rows)) == [(None, rows)]


def test_a_row_made_straight_is_the_row_of_the_object_the_constructor_makes():
    """`Rows`: the values given, in their order, and every other field's default, laid out as
    `with_ids` lays out an object's row; the same objects back for the ORM."""
    item = Item(session_id=3, position=1, title="T", minutes=20, case_ref="C-1")
    item.set_tags(functions=["support"], stages=["reflection"], stakeholders=["partners"])
    tags = ["function_support", "stage_reflection", "stakeholder_partners"]
    make = Rows(Item, ["minutes", "title", "session_id", "position", "case_ref", *tags])

    row = make(20, "T", 3, 1, "C-1", True, True, True)

    _fields, _rows, columns, (written,) = with_ids([item], Item, [9])
    assert (9, *row) == written and make.columns == columns
    (back,) = make.objects([row])
    assert values_of(back) == {**values_of(item), "id": None}

    attendance = Rows(Attendance, ["session_id", "person_id"])
    assert attendance(4, 5) == (4, 5, True, None)  # present by default; no date given
    with pytest.raises(TypeError, match="2 values expected, 3 given"):
        attendance(4, 5, False)


def test_rows_refuse_an_unknown_field_a_stamped_one_and_a_default_made_each_time():
    with pytest.raises(TypeError, match="bogus"):
        Rows(Item, ["session_id", "bogus"])
    with pytest.raises(ValueError, match="created_at is not a plain field"):
        Rows(Acknowledgement, ["session_id", "person_id", "response"])  # stamped when saved
    with pytest.raises(ValueError, match="date_joined's default is made each time"):
        Rows(User, ["email", "password", "name"])
