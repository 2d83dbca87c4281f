"""`core.prepared`: a query built once answers each call as the queryset built for it would."""

import datetime

import pytest
from django.db import connection, transaction
from django.db.models import Count, Prefetch, Q
from django.test import override_settings
from django.utils import timezone

from core import clock
from core.db import ID_LIST_FROM, among
from core.prepared import Prepared, PreparedQueryError, _kind
from people.models import Relationship, User, policy_in_force
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


def test_only_a_list_of_ints_is_ids():
    assert _kind([3, 1, 2]) == "ids"
    assert _kind([]) == "ids"
    assert _kind(list(range(ID_LIST_FROM + 1))) == "many ids"
    # Anything else in the list makes it part of the shape (a bool is no id).
    assert _kind([3, True]) is None
    assert _kind([3, "4"]) is None
    assert _kind([3, None]) is None


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


def _joined_this_week(ids):
    """A build that reads the clock: its query would keep the day it was built on."""
    week_ago = clock.today() - datetime.timedelta(days=7)
    return User.objects.filter(among("pk", ids), date_joined__date__gte=week_ago)


def _with_the_policy_days(ids):
    """A build that reads the database: its query would keep what it read then."""
    days = policy_in_force().feedback_open_days
    return User.objects.filter(among("pk", ids), pk__gte=days)


def _with_their_own_relationships(ids):
    """A build whose prefetch reads an argument: the kept prefetch would read the stand-in's."""
    mine = Relationship.objects.filter(among("supervisee", ids))
    return User.objects.filter(among("pk", ids)).prefetch_related(
        Prefetch("supervisor_relationships", queryset=mine, to_attr="mine")
    )


@on_postgresql
@pytest.mark.parametrize(
    "build, complaint",
    [
        (_joined_this_week, "reads the clock while it is built"),
        (_with_the_policy_days, "runs a query while it is built"),
        (_with_their_own_relationships, "a prefetch of its rows reads an argument"),
    ],
)
def test_a_build_that_would_keep_a_day_a_read_or_a_prefetch_is_refused(build, complaint):
    person = UserFactory()
    with pytest.raises(PreparedQueryError, match=complaint):
        Prepared(build)([person.pk])
    # The clock reads again once the build is refused.
    assert clock.today() == timezone.localdate()


def test_an_object_is_no_shape():
    person = UserFactory()
    prepared = Prepared(lambda someone: User.objects.filter(Q(pk=someone.pk)))
    if connection.vendor == "postgresql":
        with pytest.raises(PreparedQueryError, match="neither a value nor a shape"):
            prepared(person)
    else:
        assert prepared(person) == [person]


# On the server: a statement prepared once on each connection.


def _statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _emails(ids, since):
    return User.objects.filter(among("pk", ids), date_joined__date__gte=since).values_list(
        "email", flat=True
    )


@on_postgresql
def test_the_server_plans_it_once_and_the_page_counts_one_query(django_assert_num_queries):
    prepared = Prepared(_emails)
    people = UserFactory.create_batch(3)
    day = datetime.date(2000, 1, 1)
    with django_assert_num_queries(1) as captured:  # preparing it is not one of the page's
        assert prepared([people[0].pk], day) == [people[0].email]
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE ")
    [plan] = prepared._plans.values()
    assert plan.name in _statements()
    for person in people:
        assert prepared([person.pk], day) == [person.email]
    assert prepared([], day) == []
    assert sorted(prepared([p.pk for p in people], day)) == sorted(p.email for p in people)


def _plans_made(name):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [name],
        )
        return cursor.fetchone()


@on_postgresql
def test_the_server_plans_it_once_for_every_run_not_again_for_each():
    """One plan for any values, from the first run: left to choose (`plan_cache_mode` auto),
    PostgreSQL planned a statement again at every run, with its values, whenever that plan
    looked cheaper than the one for any values; on a council's home page, 7 of its statements
    at every request, 0.5-1 ms each (docs/performance.md)."""
    prepared = Prepared(_emails)
    people = UserFactory.create_batch(3)
    day = datetime.date(2000, 1, 1)
    for _ in range(3):
        for person in people:
            assert prepared([person.pk], day) == [person.email]
    [plan] = prepared._plans.values()
    assert _plans_made(plan.name) == (9, 0)


@on_postgresql
def test_a_new_connection_has_it_prepared_again():
    prepared = Prepared(_emails)
    person = UserFactory()
    day = datetime.date(2000, 1, 1)
    assert prepared([person.pk], day) == [person.email]
    [plan] = prepared._plans.values()
    # Another connection (a worker's new one), as if the first had been closed.
    raw = connection.connection
    connection.connection = connection.get_new_connection(connection.get_connection_params())
    try:
        connection.connection.autocommit = raw.autocommit
        assert plan.name not in _statements()
        assert prepared([person.pk], day) == []  # a new connection: the person is not committed
        assert plan.name in _statements()
    finally:
        connection.connection.close()
        connection.connection = raw


@on_postgresql
def test_hundreds_of_ids_and_a_query_kept_off_the_server_are_planned_each_run(
    django_assert_num_queries,
):
    people = UserFactory.create_batch(2)
    day = datetime.date(2000, 1, 1)
    many = [p.pk for p in people] + list(range(10**8, 10**8 + ID_LIST_FROM))
    prepared = Prepared(_emails)
    with django_assert_num_queries(1) as captured:
        assert sorted(prepared(many, day)) == sorted(p.email for p in people)
    assert captured.captured_queries[0]["sql"].startswith("SELECT ")
    kept_off = Prepared(_emails, server=False)
    with django_assert_num_queries(1) as captured:
        assert kept_off([people[0].pk], day) == [people[0].email]
    assert captured.captured_queries[0]["sql"].startswith("SELECT ")
    with override_settings(PREPARED_STATEMENTS=False), django_assert_num_queries(1) as captured:
        assert Prepared(_emails)([people[0].pk], day) == [people[0].email]
    assert captured.captured_queries[0]["sql"].startswith("SELECT ")


@on_postgresql
def test_a_statement_the_server_cannot_prepare_runs_as_before_in_the_same_transaction():
    """A parameter PostgreSQL cannot type from the SQL alone: PREPARE fails, and the query
    runs with its values written in, the transaction it is in unharmed."""
    person = UserFactory()

    def numbered(ids, number):
        # "$2 IS NOT NULL": nothing says what $2 is.
        return (
            User.objects.filter(among("pk", ids))
            .extra(where=["%s IS NOT NULL"], params=[number])  # noqa: S610 (no input)
            .values_list("email", flat=True)
        )

    prepared = Prepared(numbered)
    with transaction.atomic():
        assert prepared([person.pk], 7) == [person.email]
        assert prepared([person.pk], 8) == [person.email]
        assert User.objects.filter(pk=person.pk).exists()  # the transaction still works
    [plan] = prepared._plans.values()
    assert plan.statement == "" and plan.name not in _statements()


def test_a_subquery_as_argument_is_built_each_run(django_assert_num_queries):
    people = UserFactory.create_batch(3)
    prepared = Prepared(_emails)
    day = datetime.date(2000, 1, 1)
    some = User.objects.filter(pk__in=[p.pk for p in people[:2]]).values("pk")
    with django_assert_num_queries(1) as captured:
        found = prepared(some, day)
    assert sorted(found) == sorted(p.email for p in people[:2])
    assert captured.captured_queries[0]["sql"].startswith("SELECT ")
    assert prepared._plans == {}  # nothing kept for it


@on_postgresql
def test_a_few_ids_and_many_are_planned_apart():
    """A selector may read a few people one way and many another (its SQL branching on how
    many): each way is a plan of its own, its stand-in as long."""
    people = UserFactory.create_batch(2)
    User.objects.filter(pk=people[1].pk).update(is_active=False)

    def active_among(ids):
        found = User.objects.filter(among("pk", ids))
        if len(ids) > ID_LIST_FROM:  # many: only the active ones
            found = found.filter(is_active=True)
        return found.order_by("pk").values_list("email", flat=True)

    prepared = Prepared(active_among)
    few = [p.pk for p in people]
    many = few + list(range(10**8, 10**8 + ID_LIST_FROM))
    assert prepared(few) == [p.email for p in people]
    assert prepared(many) == [people[0].email]
    assert prepared(few) == [p.email for p in people]
    assert len(prepared._plans) == 2


@on_postgresql
def test_a_query_of_no_argument_runs_on_the_server(django_assert_num_queries):
    """An administrator's list reads nothing of its reader: a statement of no parameter."""
    staff = UserFactory(is_staff=True)
    prepared = Prepared(lambda: User.objects.filter(is_staff=True).values_list("email", flat=True))
    for _ in range(2):
        with django_assert_num_queries(1) as captured:
            assert list(prepared()) == [staff.email]
    assert captured.captured_queries[0]["sql"].startswith("EXECUTE fourfold_")
