"""`core.prepared`: a query built once answers each call as the queryset built for it would."""

import datetime

import pytest
from django.db import connection
from django.db.models import Count, Q

from core.db import among
from core.prepared import Prepared, PreparedQueryError
from people.models import Relationship, User
from tests.factories import RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="queries are prepared on PostgreSQL only"
)


def _started(ids, since, until, kind):
    """Relationships of some supervisees, started in [since, until], of one kind."""
    return (
        Relationship.objects.filter(among("supervisee", ids), kind=kind)
        .filter(start_date__gte=since, start_date__lte=until)
        .select_related("supervisee")
        .prefetch_related("focus_agreements")
        .order_by("pk")
    )


@pytest.fixture
def relationships():
    people = UserFactory.create_batch(6)
    made = []
    for n, person in enumerate(people):
        made.append(
            RelationshipFactory(supervisee=person, start_date=datetime.date(2025, 1 + n, 1))
        )
    return people, made


def test_each_call_finds_what_its_own_queryset_finds(relationships, django_assert_max_num_queries):
    people, _made = relationships
    prepared = Prepared(_started)
    kind = Relationship.objects.values_list("kind", flat=True).first()
    calls = [
        ([p.pk for p in people], datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        ([p.pk for p in people[:2]], datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        ([p.pk for p in people], datetime.date(2025, 3, 1), datetime.date(2025, 4, 30)),
        ([], datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)),
        ([p.pk for p in people[3:]] * 2, datetime.date(2024, 1, 1), datetime.date(2026, 1, 1)),
    ]
    for ids, since, until in calls:
        expected = list(_started(ids, since, until, kind))
        with django_assert_max_num_queries(2):  # the rows, and their prefetch when any
            found = prepared(ids, since, until, kind)
        assert found == expected
        assert [r.supervisee.email for r in found] == [r.supervisee.email for r in expected]
        assert [list(r.focus_agreements.all()) for r in found] == [
            list(r.focus_agreements.all()) for r in expected
        ]
    assert len(prepared(calls[0][0], calls[0][1], calls[0][2], kind)) == len(people)


def test_values_and_a_shape_of_its_own():
    people = UserFactory.create_batch(3)
    User.objects.filter(pk=people[0].pk).update(is_active=False)

    def counted(ids, active):
        return (
            User.objects.filter(among("pk", ids), is_active=active)
            .values("is_active")
            .annotate(n=Count("pk"))
            .values_list("is_active", "n")
        )

    prepared = Prepared(counted)
    ids = [p.pk for p in people]
    assert prepared(ids, True) == [(True, 2)]
    assert prepared(ids, False) == [(False, 1)]  # a bool is a shape: a query of its own
    assert prepared(ids[1:], True) == [(True, 2)]


@on_postgresql
def test_it_is_built_once_a_shape():
    built = []

    def emails(ids, since):
        built.append(ids)
        return User.objects.filter(among("pk", ids), date_joined__date__gte=since).values_list(
            "email", flat=True
        )

    prepared = Prepared(emails)
    people = UserFactory.create_batch(2)
    day = datetime.date(2000, 1, 1)
    for person in people:
        assert prepared([person.pk], day) == [person.email]
    assert len(built) == 2  # twice at the first call (the check), never again


@on_postgresql
@pytest.mark.parametrize(
    "build, complaint",
    [
        # A value worked out from an argument in Python would be kept as the first call's.
        (
            lambda ids, day: User.objects.filter(
                among("pk", ids), date_joined__date__gte=day - datetime.timedelta(days=1)
            ),
            "worked out from an argument",
        ),
        # A plain `__in` list is one parameter an id: its SQL changes with their number.
        (lambda ids, day: User.objects.filter(pk__in=ids, date_joined__date__gte=day), "argument"),
        # An argument the query never reads.
        (lambda ids, day: User.objects.filter(among("pk", ids)), "do not reach its SQL"),
    ],
)
def test_a_build_that_cannot_be_kept_is_refused(build, complaint):
    with pytest.raises(PreparedQueryError, match=complaint):
        Prepared(build)([1, 2], datetime.date(2026, 1, 1))


def test_an_object_is_no_shape():
    person = UserFactory()
    prepared = Prepared(lambda someone: User.objects.filter(Q(pk=someone.pk)))
    if connection.vendor == "postgresql":
        with pytest.raises(PreparedQueryError, match="neither a value nor a shape"):
            prepared(person)
    else:
        assert prepared(person) == [person]
