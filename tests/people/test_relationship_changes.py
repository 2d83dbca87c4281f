"""The organisation's count of supervisees is kept per window while the relationships stay as
they are (`people.changes`): every door that changes a relationship moves the number it is
kept by, so the count a page shows is always the count there is."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from audit import selectors
from people.changes import relationships_version
from people.models import Relationship
from tests.factories import RelationshipFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="kept by a PostgreSQL trigger; elsewhere counted"
    ),
]

START, END = datetime.date(2026, 1, 1), datetime.date(2026, 3, 31)


def live():
    return Relationship.objects.active_between(START, END).values("supervisee").distinct().count()


def counted():
    return selectors.supervisees_in_window_count(START, END)


def test_a_window_is_counted_once_while_the_relationships_stay_as_they_are():
    RelationshipFactory.create_batch(3)
    assert counted() == live() == 3

    with CaptureQueriesContext(connection) as queries:
        assert counted() == 3

    # The relationships' number alone, not the count.
    assert len(queries) == 1
    assert "people_relationships_version" in queries[0]["sql"]


def test_every_kind_of_write_to_the_relationships_changes_the_count():
    first = RelationshipFactory()
    assert counted() == live() == 1

    # Each door writes differently; the number moves for every statement that writes.
    changes = [
        lambda: RelationshipFactory(),  # save()
        lambda: Relationship.objects.bulk_create(  # an import's bulk_create
            [
                Relationship(
                    supervisor=UserFactory(),
                    supervisee=UserFactory(),
                    start_date=datetime.date(2025, 6, 1),
                )
            ]
        ),
        # Ended before the window (erasure, retention and imports update in bulk).
        lambda: Relationship.objects.filter(pk=first.pk).update(end_date=datetime.date(2025, 1, 1)),
        lambda: Relationship.objects.order_by("pk").last().delete(),  # admin's delete
        lambda: connection.cursor().execute(  # a change made by hand
            "UPDATE people_relationship SET end_date = NULL"
        ),
    ]
    seen = []
    for change in changes:
        before = relationships_version()
        change()
        assert relationships_version() != before
        assert counted() == live()
        seen.append(counted())

    assert seen == [2, 3, 2, 1, 2]


def test_a_change_rolled_back_leaves_the_count_as_it_was():
    RelationshipFactory()
    assert counted() == 1

    with transaction.atomic():
        RelationshipFactory()
        # Inside the change, its own count.
        assert counted() == 2
        transaction.set_rollback(True)

    assert counted() == live() == 1
    # A later change that happens to make the same figures is counted afresh, never given a
    # number the rolled-back one had.
    RelationshipFactory()
    assert counted() == live() == 2
