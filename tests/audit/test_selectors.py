"""The database side of the balance: who counts, which sessions, exact SQL sums, query counts."""

import datetime
import random
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from audit import selectors
from audit.balance import Thresholds, compute_balance, month_windows, totals_of
from audit.models import AuditPolicy
from core import clock
from core.tally import ItemTags, Minutes, tally_items
from core.vocabulary import FUNCTIONS
from people.models import Frequency, Relationship, supervision_gap
from sessions_app import brought_forward
from sessions_app.models import (
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    Feedback,
    Format,
    RecordState,
    ReviewOutcome,
    Session,
    Status,
)
from tests.cast import shared_rows
from tests.factories import (
    ActionFactory,
    GroupSessionFactory,
    ItemFactory,
    RelationshipFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
)

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 3, 31)
DAY = datetime.timedelta(days=1)


@pytest.fixture
def policy(db):
    return AuditPolicy.current()


def by_email(results):
    return {result.supervisee: result for result in results}


def codes(result):
    return [flag.as_text() for flag in result.flags]


def feedback(session, person, dominated=""):
    return Feedback.objects.create(
        session=session,
        person=person,
        management="about_right",
        development="about_right",
        support="about_right",
        mediation="about_right",
        usefulness=4,
        dominated=dominated,
    )


# Which sessions count, and for whom.


def test_group_session_counts_in_full_for_present_attendees_and_not_for_absent(
    supervisor, supervisee, other_supervisee
):
    group = GroupSessionFactory(
        supervisor=supervisor, attendees=[(supervisee, True), (other_supervisee, False)]
    )
    ItemFactory(session=group, minutes=30, functions=["management", "support"])
    ItemFactory(session=group, minutes=20, functions=["development"])

    results = by_email(selectors.balances(START, END))

    sam = results["sam@example.org"].minutes
    assert sam.sessions_held == 1
    assert sam.tagged == 50
    assert sam.by_function == {"management": 15, "development": 20, "support": 15, "mediation": 0}
    nia = results["nia@example.org"].minutes
    assert nia.sessions_held == 0
    assert nia.tagged == 0
    assert nia.shares is None


def test_facilitator_counts_only_when_present_as_an_attendee(supervisor, supervisee):
    facilitator = UserFactory(email="pat@example.org")
    RelationshipFactory(supervisor=supervisor, supervisee=facilitator)
    led_only = GroupSessionFactory(supervisor=facilitator, attendees=[(supervisee, True)])
    ItemFactory(session=led_only, minutes=30, functions=["support"])
    attended = GroupSessionFactory(
        supervisor=facilitator, attendees=[(supervisee, True), (facilitator, True)]
    )
    ItemFactory(session=attended, minutes=40, functions=["development"])
    marked_absent = GroupSessionFactory(
        supervisor=facilitator, attendees=[(supervisee, True), (facilitator, False)]
    )
    ItemFactory(session=marked_absent, minutes=50, functions=["mediation"])

    results = by_email(selectors.balances(START, END))

    pat = results["pat@example.org"].minutes
    assert pat.sessions_held == 1
    assert pat.by_function == {"management": 0, "development": 40, "support": 0, "mediation": 0}
    assert results["sam@example.org"].minutes.sessions_held == 3
    assert results["sam@example.org"].minutes.tagged == 120


@pytest.mark.parametrize(
    "status",
    [
        Status.PLANNED,
        Status.CANCELLED_BY_SUPERVISOR,
        Status.CANCELLED_BY_SUPERVISEE,
        Status.RESCHEDULED,
    ],
)
def test_only_held_sessions_count(supervisor, supervisee, status):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=status)
    ItemFactory(session=session, minutes=30)
    group = GroupSessionFactory(
        supervisor=supervisor, status=status, attendees=[(supervisee, True)]
    )
    ItemFactory(session=group, minutes=30)

    (sam,) = selectors.balances(START, END)

    assert sam.minutes.sessions_held == 0
    assert sam.minutes.tagged == 0


def test_window_includes_both_ends(supervisor, supervisee):
    for day, minutes in [(START - DAY, 1), (START, 10), (END, 100), (END + DAY, 1000)]:
        ItemFactory(
            session=SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day),
            minutes=minutes,
        )

    (sam,) = selectors.balances(START, END)

    assert sam.minutes.sessions_held == 2
    assert sam.minutes.tagged == 110


def test_sessions_without_items_count_as_held(supervisor, supervisee):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START)
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END)

    (sam,) = selectors.balances(START, END)

    assert sam.minutes.sessions_held == 2
    assert sam.minutes.shares is None
    assert sam.flags == ()


def test_sql_sums_are_exact_thirds_and_quarters(supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    ItemFactory(session=session, minutes=10, functions=["management", "support", "mediation"])
    ItemFactory(session=session, minutes=1, functions=list(FUNCTIONS))
    ItemFactory(session=session, minutes=1, functions=["development", "support", "mediation"])
    ItemFactory(session=session, minutes=7, functions=["management", "development"])

    (sam,) = selectors.balances(START, END)

    assert sam.minutes.by_function == {
        "management": Fraction(10, 3) + Fraction(1, 4) + Fraction(7, 2),
        "development": Fraction(1, 4) + Fraction(1, 3) + Fraction(7, 2),
        "support": Fraction(10, 3) + Fraction(1, 4) + Fraction(1, 3),
        "mediation": Fraction(10, 3) + Fraction(1, 4) + Fraction(1, 3),
    }
    assert sam.minutes.tagged == 19


def test_short_circuit_minutes_count_the_whole_item(supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    ItemFactory(
        session=session,
        minutes=40,
        functions=["management", "mediation"],
        stages=["experience", "plans_actions"],
    )
    ItemFactory(session=session, minutes=25, stages=["plans_actions"])
    ItemFactory(session=session, minutes=20, stages=["reflection", "plans_actions"])
    ItemFactory(session=session, minutes=15, stages=["analysis", "plans_actions"])
    ItemFactory(session=session, minutes=10, stages=["experience"])

    (sam,) = selectors.balances(START, END)

    assert sam.minutes.short_circuit == 65


# Who is a supervisee in a window.


def test_supervisees_are_listed_without_sessions_and_only_when_a_relationship_is_active(
    supervisor, supervisee
):
    def supervised(email, start, end=None):
        person = UserFactory(email=email)
        RelationshipFactory(
            supervisor=supervisor, supervisee=person, start_date=start, end_date=end
        )

    supervised("ended-before@example.org", datetime.date(2025, 1, 1), START - DAY)
    supervised("ended-on-first-day@example.org", datetime.date(2025, 1, 1), START)
    supervised("starts-on-last-day@example.org", END)
    supervised("starts-after@example.org", END + DAY)
    UserFactory(email="unsupervised@example.org")

    emails = [result.supervisee for result in selectors.balances(START, END)]

    assert emails == [
        "ended-on-first-day@example.org",
        "sam@example.org",
        "starts-on-last-day@example.org",
    ]


def test_a_supervisee_with_several_supervisors_is_listed_once(supervisor, supervisee):
    RelationshipFactory(supervisor=UserFactory(), supervisee=supervisee, kind="practice")

    assert [b.supervisee for b in selectors.balances(START, END)] == ["sam@example.org"]


def test_results_are_sorted_by_email_in_plain_string_order(supervisor):
    for email in ["b@example.org", "a.z@example.org", "A_b@example.org", "az@example.org"]:
        RelationshipFactory(supervisor=supervisor, supervisee=UserFactory(email=email.lower()))

    emails = [b.supervisee for b in selectors.balances(START, END)]

    assert emails == sorted(emails)
    assert emails == ["a.z@example.org", "a_b@example.org", "az@example.org", "b@example.org"]


def test_team_scope_is_its_members_supervised_in_the_window(
    team, supervisor, supervisee, other_supervisee, other_supervisor
):
    RelationshipFactory(supervisor=other_supervisor, supervisee=supervisor)  # Sue, supervised
    UserFactory(email="unsupervised@example.org", team=team)

    emails = [b.supervisee for b in selectors.balances(START, END, team=team)]

    assert emails == ["nia@example.org", "sam@example.org", "sue@example.org"]
    assert "kit@example.org" in [b.supervisee for b in selectors.balances(START, END)]


def test_people_scope_and_one_supervisee(supervisor, supervisee, other_supervisee):
    assert [b.supervisee for b in selectors.balances(START, END, people=[supervisee])] == [
        "sam@example.org"
    ]
    outsider = UserFactory(email="out@example.org")
    assert selectors.balances(START, END, people=[outsider]) == []
    assert selectors.supervisee_balance(outsider, START, END).minutes.sessions_held == 0


def test_one_persons_balance_reads_their_sessions_not_their_name_again(
    supervisor, supervisee, django_assert_num_queries
):
    policy = AuditPolicy.current()
    # Their minutes, the gaps between their one-to-ones, what they said dominated: the person
    # given is not looked up again for their name and e-mail.
    with django_assert_num_queries(3):
        balance = selectors.supervisee_balance(supervisee, START, END, policy=policy)
    assert (balance.supervisee, balance.name) == (supervisee.email, supervisee.name)


def test_a_window_ending_before_it_starts_is_refused(db):
    with pytest.raises(ValueError):
        selectors.balances(END, START)


# Overdue, through the database.


def overdue(person, end=END):
    (result,) = selectors.balances(START, end, people=[person])
    return "supervision_overdue" in codes(result)


@pytest.mark.parametrize(("days_before_end", "flagged"), [(31, False), (32, True)])
def test_gap_counts_from_the_last_held_one_to_one_even_before_the_window(
    supervisor, supervisee, days_before_end, flagged
):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END - days_before_end * DAY)
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=datetime.date(2025, 1, 5))

    assert overdue(supervisee) is flagged


def test_only_held_one_to_ones_with_the_relationships_supervisor_close_the_gap(
    supervisor, supervisee
):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END - 40 * DAY)
    cover = UserFactory(email="cover@example.org")
    SessionFactory(supervisor=cover, supervisee=supervisee, date=END - DAY)
    GroupSessionFactory(supervisor=supervisor, date=END - DAY, attendees=[(supervisee, True)])
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=END - DAY, status=Status.PLANNED
    )
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=END - 2 * DAY,
        status=Status.CANCELLED_BY_SUPERVISOR,
    )
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END + DAY)

    (sam,) = selectors.balances(START, END)

    assert codes(sam) == ["supervision_overdue"]
    (gap,) = sam.gaps
    assert gap.last_held == END - 40 * DAY
    assert gap.gap_days == 40
    assert gap.interval_days == 31


@pytest.mark.parametrize(("started_days_before_end", "flagged"), [(31, False), (32, True)])
def test_without_a_one_to_one_the_gap_counts_from_the_relationship_start(
    supervisor, started_days_before_end, flagged
):
    person = UserFactory(start_date_in_post=datetime.date(2010, 1, 1))
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=END - started_days_before_end * DAY
    )

    assert overdue(person) is flagged


@pytest.mark.parametrize(
    ("d", "gap_days", "flagged"),
    [
        (41, 7, False),
        (41, 8, True),
        (42, 14, False),
        (42, 15, True),
        (182, 14, False),
        (182, 15, True),
        (183, 31, False),
        (183, 32, True),
    ],
)
def test_newly_qualified_schedule_counts_from_the_start_in_post(supervisor, d, gap_days, flagged):
    person = UserFactory(start_date_in_post=END - d * DAY)
    RelationshipFactory(
        supervisor=supervisor,
        supervisee=person,
        frequency=Frequency.NEWLY_QUALIFIED,
        start_date=datetime.date(2024, 1, 1),
    )
    SessionFactory(supervisor=supervisor, supervisee=person, date=END - gap_days * DAY)

    assert overdue(person) is flagged


def test_newly_qualified_schedule_falls_back_to_the_relationship_start(supervisor):
    person = UserFactory(start_date_in_post=None)
    RelationshipFactory(
        supervisor=supervisor,
        supervisee=person,
        frequency=Frequency.NEWLY_QUALIFIED,
        start_date=END - 41 * DAY,
    )
    SessionFactory(supervisor=supervisor, supervisee=person, date=END - 8 * DAY)

    (result,) = selectors.balances(START, END, people=[person])

    assert result.gaps[0].interval_days == 7
    assert "supervision_overdue" in codes(result)


def test_overdue_is_flagged_once_when_any_relationship_is_overdue(supervisor, supervisee):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END - 5 * DAY)
    practice = UserFactory(email="practice@example.org")
    RelationshipFactory(supervisor=practice, supervisee=supervisee, kind="practice")
    external = UserFactory(email="external@example.org")
    RelationshipFactory(supervisor=external, supervisee=supervisee, kind="external")

    (sam,) = selectors.balances(START, END)

    assert codes(sam) == ["supervision_overdue"]
    assert sorted(gap.supervisor for gap in sam.overdue_gaps) == [
        "external@example.org",
        "practice@example.org",
    ]


# DOMAIN.md's worked examples (window 2026-03-01..2026-05-29, monthly, interval 31).

EXAMPLE_START = datetime.date(2026, 3, 1)
EXAMPLE_END = datetime.date(2026, 5, 29)


def example_balance(person):
    (result,) = selectors.balances(EXAMPLE_START, EXAMPLE_END, people=[person])
    return result


def test_worked_example_an_ended_relationship_is_measured_to_its_end(supervisor):
    person = UserFactory(email="ended@example.org")
    RelationshipFactory(
        supervisor=supervisor,
        supervisee=person,
        start_date=datetime.date(2025, 6, 1),
        end_date=datetime.date(2026, 3, 15),
    )
    SessionFactory(supervisor=supervisor, supervisee=person, date=datetime.date(2026, 1, 10))
    # After the relationship ended: neither this nor a later one-to-one closes its gap.
    SessionFactory(supervisor=supervisor, supervisee=person, date=datetime.date(2026, 4, 20))

    result = example_balance(person)

    (gap,) = result.gaps
    assert (gap.last_held, gap.measuring_end) == (
        datetime.date(2026, 1, 10),
        datetime.date(2026, 3, 15),
    )
    assert (gap.gap_days, gap.interval_days) == (64, 31)
    assert codes(result) == ["supervision_overdue"]
    assert result.reasons()[0][1] == (
        "64 days since the last one-to-one with Sue Supervisor, by "
        "15 Mar 2026; the agreement expects one every 31 days"
    )


def test_worked_example_a_one_to_one_before_the_relationship_began_does_not_count(supervisor):
    person = UserFactory(email="late-start@example.org")
    RelationshipFactory(
        supervisor=supervisor, supervisee=person, start_date=datetime.date(2026, 4, 28)
    )
    SessionFactory(supervisor=supervisor, supervisee=person, date=datetime.date(2026, 4, 1))

    result = example_balance(person)

    (gap,) = result.gaps
    assert gap.last_held is None
    assert (gap.gap_days, gap.interval_days) == (31, 31)
    assert codes(result) == []


def test_an_ended_relationship_is_not_overdue_when_it_was_regular_until_it_ended(supervisor):
    person = UserFactory()
    RelationshipFactory(
        supervisor=supervisor,
        supervisee=person,
        start_date=datetime.date(2025, 6, 1),
        end_date=datetime.date(2026, 3, 15),
    )
    SessionFactory(supervisor=supervisor, supervisee=person, date=datetime.date(2026, 3, 1))

    assert codes(example_balance(person)) == []


# Group sessions and regularity: the audit policy's group_counts_for_regularity.


@pytest.fixture
def group_only(supervisor, supervisee):
    """Sam's last one-to-one was 40 days before END; a group 5 days before, led by a peer."""
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END - 40 * DAY)
    peer = UserFactory(email="peer@example.org")
    GroupSessionFactory(supervisor=peer, date=END - 5 * DAY, attendees=[(supervisee, True)])
    practice = UserFactory(email="practice@example.org")
    RelationshipFactory(supervisor=practice, supervisee=supervisee, kind="practice")


def test_group_sessions_do_not_count_for_regularity_by_default(group_only, policy):
    (sam,) = selectors.balances(START, END)
    assert codes(sam) == ["supervision_overdue"]
    assert [gap.last_held for gap in sam.gaps] == [END - 40 * DAY, None]


def test_with_the_policy_on_a_group_attended_counts_for_each_relationship(group_only, policy):
    policy.group_counts_for_regularity = True
    policy.save()

    (sam,) = selectors.balances(START, END)

    assert codes(sam) == []
    assert [gap.last_held for gap in sam.gaps] == [END - 5 * DAY, END - 5 * DAY]


def test_with_the_policy_on_a_group_missed_or_not_held_does_not_count(
    supervisor, supervisee, policy
):
    policy.group_counts_for_regularity = True
    policy.save()
    GroupSessionFactory(supervisor=supervisor, date=END - DAY, attendees=[(supervisee, False)])
    GroupSessionFactory(
        supervisor=supervisor,
        date=END - 2 * DAY,
        status=Status.CANCELLED_BY_SUPERVISOR,
        attendees=[(supervisee, True)],
    )
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END - 40 * DAY)

    (sam,) = selectors.balances(START, END)

    assert codes(sam) == ["supervision_overdue"]
    assert sam.reasons()[0][1] == (
        "40 days since the last one-to-one with Sue Supervisor or group "
        "session, by 31 Mar 2026; the agreement expects one every 31 days"
    )


# Supervisee-reported dominance.


def test_feedback_in_the_window_that_names_a_dominant_function_is_flagged(
    supervisor, supervisee, other_supervisee
):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END)  # not overdue
    inside = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START)
    feedback(inside, supervisee, dominated="management")
    blank = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START + DAY)
    feedback(blank, supervisee, dominated="")
    before = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START - DAY)
    feedback(before, supervisee, dominated="support")
    group = GroupSessionFactory(
        supervisor=supervisor, attendees=[(supervisee, True), (other_supervisee, True)]
    )
    feedback(group, other_supervisee, dominated="mediation")
    feedback(group, supervisee, dominated="management")

    results = by_email(selectors.balances(START, END))

    sam = results["sam@example.org"]
    assert codes(sam) == ["supervisee_reported_dominance:management"]
    assert sam.reported_dominance == {"management": 2}
    assert "supervisee_reported_dominance:mediation" in codes(results["nia@example.org"])


# The policy in force.


def test_flags_follow_the_policy_in_force(supervisor, supervisee, policy):
    for day in (START, END):
        session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)
        ItemFactory(session=session, minutes=55, functions=["management"])
        ItemFactory(session=session, minutes=45, functions=["support"])

    (sam,) = selectors.balances(START, END)
    assert codes(sam) == [
        "function_neglected:development",
        "function_neglected:mediation",
        "management_dominant",
    ]

    policy.dominance_threshold = Decimal("0.55")
    policy.neglect_threshold = Decimal("0")
    policy.save()
    (sam,) = selectors.balances(START, END)
    assert sam.flags == ()
    assert sam.thresholds == Thresholds(Fraction(11, 20), Fraction(0), Fraction(1, 2), 2)


# Breakdown by supervisor, totals, months.


def test_breakdown_by_supervisor_adds_up_to_the_balance(supervisor, supervisee):
    external = UserFactory(email="eve@example.org", name="Eve External")
    ItemFactory(
        session=SessionFactory(supervisor=supervisor, supervisee=supervisee),
        minutes=30,
        functions=["management", "support", "mediation"],
        stages=["plans_actions"],
    )
    ItemFactory(
        session=SessionFactory(supervisor=external, supervisee=supervisee),
        minutes=60,
        functions=["development"],
    )
    group = GroupSessionFactory(supervisor=supervisor, attendees=[(supervisee, True)])
    ItemFactory(session=group, minutes=20, functions=["support", "mediation"])
    SessionFactory(supervisor=external, supervisee=supervisee, status=Status.PLANNED)

    parts = selectors.supervisor_breakdown(supervisee, START, END)

    assert [(p.supervisor, p.name, p.minutes.sessions_held) for p in parts] == [
        ("eve@example.org", "Eve External", 1),
        ("sue@example.org", "Sue Supervisor", 2),
    ]
    assert parts[1].minutes.by_function == {
        "management": 10,
        "development": 0,
        "support": 20,
        "mediation": 20,
    }
    assert parts[1].minutes.short_circuit == 30
    assert parts[0].minutes.shares == {
        "management": 0,
        "development": 1,
        "support": 0,
        "mediation": 0,
    }
    (sam,) = selectors.balances(START, END)
    assert Minutes.total(p.minutes for p in parts) == sam.minutes


@pytest.mark.parametrize("formats", [None, [Format.ONE_TO_ONE], [Format.GROUP]])
def test_daily_minutes_and_supervisors_equal_the_two_queries_it_replaces(
    supervisor, supervisee, formats
):
    """A balance page reads its days and its breakdown by supervisor in one query: both equal
    what `daily_minutes` and `supervisor_breakdown` give, over a span wider than the window
    (sessions before and after the window count in the days, not in the breakdown)."""
    external = UserFactory(email="eve@example.org", name="Eve External")
    rng = random.Random(3)
    days = [START - 20 * DAY, START, START + 9 * DAY, END - 5 * DAY, END, END + 12 * DAY]
    for day in days:
        for leader in (supervisor, external):
            if rng.random() < 0.7:
                one = SessionFactory(supervisor=leader, supervisee=supervisee, date=day)
                ItemFactory(
                    session=one,
                    minutes=rng.choice([5, 20, 35]),
                    functions=rng.sample(list(FUNCTIONS), rng.randint(1, 4)),
                    stages=["plans_actions"] if rng.random() < 0.5 else ["reflection"],
                )
        group = GroupSessionFactory(
            supervisor=supervisor, date=day, attendees=[(supervisee, rng.random() < 0.8)]
        )
        ItemFactory(session=group, minutes=rng.choice([10, 45]), functions=["support"])
    span = (START - 30 * DAY, END + 30 * DAY)

    daily, parts = selectors.daily_minutes_and_supervisors(
        supervisee, *span, (START, END), formats=formats
    )

    assert daily == selectors.daily_minutes([supervisee.pk], *span, formats=formats)
    assert parts == selectors.supervisor_breakdown(supervisee, START, END, formats=formats)
    assert parts  # the cast has sessions in the window in every format


def test_daily_minutes_and_supervisors_refuses_a_window_outside_its_span(supervisee):
    with pytest.raises(ValueError, match="not within"):
        selectors.daily_minutes_and_supervisors(supervisee, START, END, (START - DAY, END))


def test_reported_dominance_counted_by_the_caller_gives_the_same_balance(
    supervisor, supervisee, other_supervisor
):
    """A balance page counts what its person said dominated from the feedback it shows, and
    hands the counts to the balance: the flags are those the balance finds for itself, with
    or without the feedback limited to the sessions one supervisor led."""
    for leader, dominated in [(supervisor, "management"), (other_supervisor, "support")]:
        for day in (START + DAY, START + 10 * DAY):
            feedback(
                SessionFactory(supervisor=leader, supervisee=supervisee, date=day),
                supervisee,
                dominated=dominated,
            )
    days = selectors.feedback_days(START, END, person=supervisee)
    AuditPolicy.current()  # looked up once, before the queries are counted
    for led_by in (None, supervisor.pk, other_supervisor.pk):
        counted = selectors.fold_feedback(days, START, END, led_by=led_by).dominated
        with CaptureQueriesContext(connection) as with_counts:
            given = selectors.supervisee_balance(
                supervisee, START, END, feedback_led_by=led_by, reported={supervisee.pk: counted}
            )
        with CaptureQueriesContext(connection) as without:
            found = selectors.supervisee_balance(supervisee, START, END, feedback_led_by=led_by)
        assert given == found
        assert len(with_counts) == len(without) - 1  # the feedback is not read again
        assert given.reported_dominance  # the feedback raised the flag in each case


def test_persons_read_by_the_caller_give_the_same_balances(
    supervisor, supervisee, other_supervisee
):
    """The organisation page has read its people's ids, emails and names already: handed
    over, the balances are the same (the one with no session too), with one query fewer."""
    management_heavy = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START)
    ItemFactory(session=management_heavy, minutes=60, functions=["management"])
    people = [supervisee, other_supervisee]
    persons = [(p.pk, p.email, p.name) for p in people]
    policy = AuditPolicy.current()
    with CaptureQueriesContext(connection) as read:
        found = selectors.balances_of(people, START, END, policy=policy)
    with CaptureQueriesContext(connection) as handed:
        given = selectors.balances_of(people, START, END, policy=policy, persons=persons)
    assert given == found
    assert [b.supervisee for b in given] == sorted(p.email for p in people)
    assert len(handed) == len(read) - 1


def test_team_totals_are_the_sum_of_the_members(
    team, supervisor, supervisee, other_supervisee, other_supervisor
):
    group = GroupSessionFactory(
        supervisor=supervisor, attendees=[(supervisee, True), (other_supervisee, True)]
    )
    ItemFactory(session=group, minutes=30, functions=["management", "support"])
    ItemFactory(
        session=SessionFactory(supervisor=supervisor, supervisee=other_supervisee),
        minutes=10,
        functions=["mediation"],
    )
    kit = Relationship.objects.get(supervisor=other_supervisor).supervisee
    ItemFactory(session=SessionFactory(supervisor=other_supervisor, supervisee=kit), minutes=99)

    team_totals = totals_of(selectors.balances(START, END, team=team), start=START, end=END)

    assert team_totals.people == 2
    assert team_totals.minutes.sessions_held == 3  # the group counts once for each member present
    assert team_totals.minutes.by_function == {
        "management": 30,
        "development": 0,
        "support": 30,
        "mediation": 10,
    }
    assert team_totals.minutes.tagged == 70
    organisation = totals_of(selectors.balances(START, END), start=START, end=END)
    assert organisation.people == 3
    assert organisation.minutes.tagged == 169


# Compliance figures and cancellation rates.


def test_short_one_to_ones_are_below_the_policys_minimum_length(supervisor, supervisee, policy):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, duration_minutes=89)
    SessionFactory(supervisor=supervisor, supervisee=supervisee, duration_minutes=90)
    SessionFactory(supervisor=supervisor, supervisee=supervisee, duration_minutes=120)
    GroupSessionFactory(supervisor=supervisor, duration_minutes=30, attendees=[(supervisee, True)])
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, duration_minutes=30, status=Status.PLANNED
    )
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, duration_minutes=30, date=END + DAY
    )

    figures = selectors.compliance(START, END, as_of=END)

    assert (figures.one_to_ones_held, figures.short_one_to_ones) == (3, 1)
    assert figures.short_share == Fraction(1, 3)


def shared(session, when):
    session.record_state = RecordState.SHARED
    session.shared_at = when
    session.save()


def test_records_shared_after_the_deadline_day_in_local_time_are_late(
    supervisor, supervisee, policy
):
    utc = datetime.UTC
    day = datetime.date(2026, 6, 1)  # British Summer Time: local midnight is 23:00 UTC
    on_time = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)
    shared(on_time, datetime.datetime(2026, 6, 8, 22, 59, tzinfo=utc))  # 23:59 on day 7
    late = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)
    shared(late, datetime.datetime(2026, 6, 8, 23, 0, tzinfo=utc))  # 00:00 on day 8
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)  # never shared

    start, end = datetime.date(2026, 6, 1), datetime.date(2026, 6, 30)
    still_in_time = selectors.compliance(start, end, as_of=datetime.date(2026, 6, 8))
    assert (still_in_time.records_due, still_in_time.records_late) == (2, 1)
    past_deadline = selectors.compliance(start, end, as_of=datetime.date(2026, 6, 9))
    assert (past_deadline.records_due, past_deadline.records_late) == (3, 2)
    assert past_deadline.late_share == Fraction(2, 3)

    policy.share_deadline_days = 8
    policy.save()
    relaxed = selectors.compliance(start, end, as_of=datetime.date(2026, 6, 9))
    assert (relaxed.records_due, relaxed.records_late) == (2, 0)


def test_open_actions_from_the_previous_session_must_be_reviewed(
    supervisor, supervisee, other_supervisee, policy
):
    first = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START)
    reviewed = ActionFactory(session=first)
    ActionFactory(
        session=first, status=ActionStatus.DONE, completed_on=START + 5 * DAY
    )  # closed between sessions: nothing to review
    # Another supervisee's session in between is not Sam's previous session.
    between = SessionFactory(supervisor=supervisor, supervisee=other_supervisee, date=START + DAY)
    ActionFactory(session=between)
    second = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START + 10 * DAY)
    ActionReview.objects.create(
        action=reviewed, session=second, outcome=ReviewOutcome.CARRIED_FORWARD
    )
    forgotten = ActionFactory(session=second)
    third = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START + 20 * DAY)
    # Reviewed (and dropped) only at the fourth: it was still due at the third.
    fourth = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START + 30 * DAY)
    ActionReview.objects.create(action=forgotten, session=fourth, outcome=ReviewOutcome.DROPPED)
    Action.objects.filter(pk=forgotten.pk).update(status=ActionStatus.DROPPED)
    # The next session with Nia forgets her open action.
    SessionFactory(supervisor=supervisor, supervisee=other_supervisee, date=START + 40 * DAY)
    # The reviews above were written here, not through the services that keep what each
    # session inherited (sessions_app.brought_forward): worked out again from the records.
    brought_forward.rebuild()

    figures = selectors.compliance(START, END, as_of=END)

    # Due: Sam's second (reviewed), third (forgot), Nia's later session (forgot).
    assert figures.sessions_with_actions_to_review == 3
    assert figures.sessions_with_unreviewed_actions == 2
    assert figures.unreviewed_share == Fraction(2, 3)
    assert third.pk and fourth.pk


def test_compliance_of_a_team_counts_only_its_sessions(
    team, supervisor, supervisee, other_supervisor, policy
):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, duration_minutes=60)
    kit = Relationship.objects.get(supervisor=other_supervisor).supervisee
    SessionFactory(supervisor=other_supervisor, supervisee=kit, duration_minutes=60)
    SessionFactory(supervisor=other_supervisor, supervisee=kit, duration_minutes=90)

    figures = selectors.compliance(START, END, sessions=selectors.team_sessions(team), as_of=END)
    everyone = selectors.compliance(START, END, as_of=END)

    assert (figures.one_to_ones_held, figures.short_one_to_ones) == (1, 1)
    assert (everyone.one_to_ones_held, everyone.short_one_to_ones) == (3, 2)


def test_cancellation_rate_counts_every_session_scheduled_in_the_window(
    supervisor, supervisee, other_supervisor
):
    for status in [
        Status.HELD,
        Status.PLANNED,
        Status.CANCELLED_BY_SUPERVISOR,
        Status.CANCELLED_BY_SUPERVISOR,
        Status.CANCELLED_BY_SUPERVISEE,
        Status.RESCHEDULED,
    ]:
        SessionFactory(supervisor=supervisor, supervisee=supervisee, status=status)
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.CANCELLED_BY_SUPERVISOR,
        date=END + DAY,
    )
    kit = Relationship.objects.get(supervisor=other_supervisor).supervisee
    SessionFactory(supervisor=other_supervisor, supervisee=kit, date=END)

    rates = selectors.cancellation_rates(START, END)

    assert [(r.supervisor, r.scheduled, r.cancelled_by_supervisor) for r in rates] == [
        ("olu@example.org", 1, 0),
        ("sue@example.org", 6, 2),
    ]
    assert rates[1].rate == Fraction(1, 3)
    assert selectors.cancellation_rates(START, END, supervisors=[supervisor]) == rates[1:]


# Query counts: constant however many supervisees and sessions.


def build_team(name, size):
    team = TeamFactory(name=name)
    lead = UserFactory(team=team)
    members = []
    for _ in range(size):
        person = UserFactory(team=team)
        RelationshipFactory(supervisor=lead, supervisee=person)
        session = SessionFactory(supervisor=lead, supervisee=person)
        ItemFactory(session=session, minutes=30, functions=["management", "support"])
        ItemFactory(session=session, minutes=20, stages=["plans_actions"])
        feedback(session, person, dominated="management")
        members.append(person)
    group = GroupSessionFactory(supervisor=lead, attendees=[(p, True) for p in members])
    ItemFactory(session=group, minutes=45, functions=["development", "mediation", "support"])
    return team, members


BALANCE_QUERIES = 4  # people, minutes and sessions, relationships with last held, feedback
COMPLIANCE_QUERIES = 4


@pytest.mark.parametrize("size", [2, 20])
def test_team_balance_uses_the_same_queries_for_2_and_20_supervisees(
    size, policy, django_assert_num_queries, django_assert_max_num_queries
):
    team, members = build_team(f"Team of {size}", size)

    with django_assert_num_queries(BALANCE_QUERIES):
        results = selectors.balances(START, END, team=team, policy=policy)
    with django_assert_num_queries(1):
        selectors.supervisor_breakdown(members[0], START, END)
    # The counts, the previous sessions (a second look further back only for sessions with
    # none in the three months before the window), their actions: never more.
    with django_assert_max_num_queries(COMPLIANCE_QUERIES):
        selectors.compliance(
            START, END, sessions=selectors.team_sessions(team), policy=policy, as_of=END
        )
    with django_assert_num_queries(1):
        selectors.cancellation_rates(START, END, sessions=selectors.team_sessions(team))

    assert len(results) == size
    assert all(result.minutes.sessions_held == 2 for result in results)


# Property: the SQL path equals a plain Python computation over the same rows.


def random_organisation(rng):
    people = [UserFactory(start_date_in_post=None) for _ in range(3)]
    people += [UserFactory(start_date_in_post=START - rng.randint(0, 400) * DAY) for _ in range(9)]
    head, leads = people[0], people[1:4]
    for lead in leads:
        RelationshipFactory(supervisor=head, supervisee=lead, start_date=datetime.date(2025, 1, 1))
    for person in people[4:]:
        for lead in rng.sample(leads, rng.randint(1, 2)):
            start = START + rng.randint(-300, 100) * DAY
            end = rng.choice([None, None, start + rng.randint(0, 200) * DAY])
            RelationshipFactory(
                supervisor=lead,
                supervisee=person,
                frequency=rng.choice(list(Frequency)),
                start_date=start,
                end_date=end,
            )
    statuses = [Status.HELD] * 6 + [
        Status.PLANNED,
        Status.CANCELLED_BY_SUPERVISOR,
        Status.CANCELLED_BY_SUPERVISEE,
        Status.RESCHEDULED,
    ]
    dates = [START - DAY, START, END, END + DAY]
    for _ in range(90):
        date = rng.choice(dates) if rng.random() < 0.2 else START + rng.randint(-60, 150) * DAY
        supervisor = rng.choice([head, *leads])
        status = rng.choice(statuses)
        if rng.random() < 0.65:
            person = rng.choice([p for p in people if p != supervisor])
            session = SessionFactory(
                supervisor=supervisor, supervisee=person, date=date, status=status
            )
        else:
            members = rng.sample(people, rng.randint(1, 6))
            session = GroupSessionFactory(
                supervisor=supervisor,
                date=date,
                status=status,
                attendees=[(p, rng.random() < 0.8) for p in members],
            )
        for _ in range(rng.randint(0, 4)):
            ItemFactory(
                session=session,
                minutes=rng.randint(1, 90),
                # Management alone often, as in real records, so that it can dominate.
                functions=["management"]
                if rng.random() < 0.4
                else rng.sample(FUNCTIONS, rng.randint(1, 4)),
                stages=rng.sample(
                    ["experience", "reflection", "analysis", "plans_actions"], rng.randint(0, 3)
                ),
            )
        if status == Status.HELD:
            for attendance in session.attendances.filter(present=True):
                if rng.random() < 0.4:
                    feedback(session, attendance.person, rng.choice(["", "", *FUNCTIONS]))
    return people


def python_balance(person, start, end, thresholds, rows, group_counts=False):
    """DOMAIN.md's rule, written as plainly as possible over every row, with no SQL sums."""
    sessions, relationships, feedbacks = rows
    counted = [
        s
        for s in sessions
        if s.status == Status.HELD
        and start <= s.date <= end
        and any(a.person_id == person.pk and a.present for a in s.attendances.all())
    ]
    tally = tally_items(
        ItemTags(i.minutes, frozenset(i.functions), frozenset(i.stages))
        for s in counted
        for i in s.items.all()
    )
    gaps = []
    for relationship in relationships:
        if relationship.supervisee_id != person.pk or not (
            relationship.start_date <= end
            and (relationship.end_date is None or relationship.end_date >= start)
        ):
            continue
        last_day = end if relationship.end_date is None else min(end, relationship.end_date)
        regular = [
            s.date
            for s in sessions
            if s.status == Status.HELD
            and relationship.start_date <= s.date <= last_day
            and (
                (
                    s.format == Format.ONE_TO_ONE
                    and s.supervisor_id == relationship.supervisor_id
                    and any(a.person_id == person.pk for a in s.attendances.all())
                )
                or (
                    group_counts
                    and s.format == Format.GROUP
                    and any(a.person_id == person.pk and a.present for a in s.attendances.all())
                )
            )
        ]
        gaps.append(
            supervision_gap(
                window_end=end,
                relationship_start=relationship.start_date,
                relationship_end=relationship.end_date,
                frequency=relationship.frequency,
                start_in_post=person.start_date_in_post,
                last_held=max(regular, default=None),
                supervisor=relationship.supervisor.email,
                supervisor_name=relationship.supervisor.name,
                group_counts=group_counts,
            )
        )
    reported = [
        f.dominated
        for f in feedbacks
        if f.person_id == person.pk
        and start <= f.session.date <= end
        and f.session.status == Status.HELD
    ]
    return compute_balance(
        supervisee=person.email,
        name=person.name,
        start=start,
        end=end,
        minutes=replace(tally, sessions_held=len(counted)),
        gaps=gaps,
        reported_dominance=reported,
        thresholds=thresholds,
    )


WINDOWS = [
    (START, END),
    (END, END),
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
    (datetime.date(2025, 11, 1), datetime.date(2026, 6, 30)),
]


@pytest.fixture(scope="class")
def random_people(django_db_setup, django_db_blocker):
    """The random organisation, built once for both settings of the policy."""
    with shared_rows(django_db_blocker):
        yield random_organisation(random.Random(20260331))


def with_policy_and_rows(policy, group_counts):
    """The policy set for `group_counts`; its thresholds, and every row the rule reads."""
    policy.group_counts_for_regularity = group_counts
    policy.save()
    rows = (
        list(Session.objects.prefetch_related("attendances", "items")),
        list(Relationship.objects.select_related("supervisor").order_by("pk")),
        list(Feedback.objects.select_related("session")),
    )
    return Thresholds.from_policy(policy), rows


@pytest.mark.parametrize("group_counts", [False, True])
class TestSqlEqualsPython:
    def test_sql_balance_equals_a_plain_python_computation(
        self, random_people, policy, group_counts
    ):
        people = random_people
        thresholds, rows = with_policy_and_rows(policy, group_counts)
        # The data holds what the rule is about: absentees, facilitators present, thirds.
        assert Attendance.objects.filter(present=False).exists()
        assert Attendance.objects.filter(
            session__format=Format.GROUP, person=F("session__supervisor")
        ).exists()

        flags = set()
        for start, end in WINDOWS:
            results = by_email(selectors.balances_of(people, start, end, policy=policy))

            assert len(results) == len(people)
            for person in people:
                expected = python_balance(person, start, end, thresholds, rows, group_counts)
                assert results[person.email] == expected
                flags.update(flag.code for flag in results[person.email].flags)
            supervised = {b.supervisee for b in selectors.balances(start, end, policy=policy)}
            expected = {r.supervisee.email for r in Relationship.objects.active_between(start, end)}
            assert supervised == expected
        assert len(flags) == 5  # every kind of flag was raised somewhere

    def test_minutes_read_by_month_or_day_equal_the_plain_computation(
        self, random_people, policy, group_counts
    ):
        """The organisation's page reads everyone's minutes by month (`month_minutes`): each
        person's balance from them, and each month's total, are DOMAIN.md's rule on the rows."""
        people = random_people
        thresholds, rows = with_policy_and_rows(policy, group_counts)
        pks = [person.pk for person in people]
        for start, end in WINDOWS:
            months = selectors.month_minutes(pks, start, end)
            results = by_email(
                selectors.balances_of(people, start, end, policy=policy, daily=months)
            )
            for person in people:
                expected = python_balance(person, start, end, thresholds, rows, group_counts)
                assert results[person.email] == expected
            trend = selectors.monthly_minutes(months, pks, start, end)
            assert [(month.start, month.end) for month in trend] == month_windows(start, end)
            for month in trend:
                expected = sum(
                    (
                        python_balance(p, month.start, month.end, thresholds, rows).minutes
                        for p in people
                    ),
                    Minutes(),
                )
                assert month.minutes == expected, month
            daily = selectors.daily_minutes(pks, start, end)
            assert trend == selectors.monthly_minutes(daily, pks, start, end)
            # The organisation's page has the database add up each person's and each month's.
            sums = selectors.window_sums(pks, start, end)
            assert sums.months == trend
            summed = selectors.balances_of(
                people, start, end, policy=policy, minutes=sums.by_person
            )
            assert by_email(summed) == results
            # And everyone's together (a team's, the organisation's total).
            assert sums.minutes_of(pks) == Minutes.total(b.minutes for b in summed)
            assert sums.minutes_of(pks[:2]) == Minutes.total(
                results[person.email].minutes for person in people[:2]
            )
            # The team's page reads days over a longer span (focus follow-ups), then adds up
            # each person's days of the window.
            wider = selectors.daily_minutes(pks, start - 40 * DAY, end + 40 * DAY)
            added = selectors.minutes_by_person(wider, pks, start, end)
            for person in people:
                expected = python_balance(person, start, end, thresholds, rows, group_counts)
                assert added[person.pk] == expected.minutes
        assert any(len(month_windows(start, end)) > 2 for start, end in WINDOWS)


@pytest.mark.django_db
def test_the_minutes_of_nobody_are_nothing_and_read_nothing(django_assert_num_queries):
    # A team's page reads day by day only the people with a focus agreement: most teams have
    # none, and asking the database for no one's days cost the page a query for nothing.
    ItemFactory(session=SessionFactory(date=clock.today()))
    start, end = clock.today() - 30 * DAY, clock.today()
    with django_assert_num_queries(0):
        assert selectors.daily_minutes([], start, end) == {}
        assert selectors.month_minutes([], start, end) == {}
