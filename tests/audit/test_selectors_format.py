"""The dashboards' format filter: `formats=` restricts which sessions count, and only that."""

import datetime
from fractions import Fraction

import pytest

from audit import selectors
from audit.balance import totals_of
from audit.models import AuditPolicy
from sessions_app.models import Feedback, Format, Status
from tests.factories import (
    GroupSessionFactory,
    ItemFactory,
    RelationshipFactory,
    SessionFactory,
    UserFactory,
)

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 3, 31)
ONE_TO_ONE = (Format.ONE_TO_ONE,)
GROUP = (Format.GROUP,)


@pytest.fixture
def mixed(supervisor, supervisee):
    """A one-to-one all management (60 min) and a group all support (30 min), both held."""
    one = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=START)
    ItemFactory(session=one, minutes=60, functions=["management"])
    group = GroupSessionFactory(
        supervisor=supervisor, attendees=[(supervisee, True)], date=START + datetime.timedelta(1)
    )
    ItemFactory(session=group, minutes=30, functions=["support"])
    return {"one": one, "group": group}


def feedback(session, person, dominated):
    return Feedback.objects.create(
        session=session,
        person=person,
        management="about_right",
        development="about_right",
        support="about_right",
        mediation="about_right",
        usefulness=3,
        dominated=dominated,
    )


def test_without_formats_every_held_session_counts(mixed, supervisee):
    balance = selectors.supervisee_balance(supervisee, START, END)
    assert balance.minutes.sessions_held == 2
    assert balance.minutes.tagged == 90
    assert balance.minutes.shares["management"] == Fraction(2, 3)
    assert selectors.supervisee_balance(supervisee, START, END, formats=None) == balance


@pytest.mark.parametrize(
    ("formats", "sessions", "management", "support"),
    [(ONE_TO_ONE, 1, 60, 0), (GROUP, 1, 0, 30), ((Format.ONE_TO_ONE, Format.GROUP), 2, 60, 30)],
)
def test_balance_counts_only_sessions_of_the_formats_asked_for(
    mixed, supervisee, formats, sessions, management, support
):
    balance = selectors.supervisee_balance(supervisee, START, END, formats=formats)
    assert balance.minutes.sessions_held == sessions
    assert balance.minutes.by_function["management"] == management
    assert balance.minutes.by_function["support"] == support


def test_share_flags_follow_the_filtered_sessions(mixed, supervisee, supervisor):
    second = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=END)
    ItemFactory(session=second, minutes=60, functions=["management"])
    everything = selectors.supervisee_balance(supervisee, START, END)
    one_to_ones = selectors.supervisee_balance(supervisee, START, END, formats=ONE_TO_ONE)
    # 120 of 150 minutes is management either way; only one-to-ones make it 100%.
    assert "management_dominant" in everything.flag_codes
    assert one_to_ones.minutes.shares["management"] == 1
    assert "function_neglected:support" in one_to_ones.flag_codes
    assert "function_neglected:support" not in everything.flag_codes


def test_reported_dominance_counts_feedback_on_sessions_of_those_formats(mixed, supervisee):
    feedback(mixed["group"], supervisee, "support")
    assert "supervisee_reported_dominance:support" in (
        selectors.supervisee_balance(supervisee, START, END).flag_codes
    )
    assert "supervisee_reported_dominance:support" not in (
        selectors.supervisee_balance(supervisee, START, END, formats=ONE_TO_ONE).flag_codes
    )


def test_overdue_is_about_one_to_ones_whatever_the_filter(supervisor, supervisee):
    GroupSessionFactory(supervisor=supervisor, attendees=[(supervisee, True)], date=END)
    # The relationship started in 2024 and there was never a one-to-one: overdue either way.
    for formats in (None, ONE_TO_ONE, GROUP):
        balance = selectors.supervisee_balance(supervisee, START, END, formats=formats)
        assert "supervision_overdue" in balance.flag_codes


def test_balances_totals_and_team_scope_take_formats(mixed, supervisee, team):
    [balance] = selectors.balances(START, END, team=team, formats=GROUP)
    assert balance.minutes.by_function["support"] == 30
    assert balance.minutes.by_function["management"] == 0
    groups = totals_of(
        selectors.balances(START, END, team=team, formats=GROUP), start=START, end=END
    )
    assert groups.minutes.tagged == 30
    everything = totals_of(selectors.balances(START, END, team=team), start=START, end=END)
    assert everything.minutes.tagged == 90


def test_breakdown_by_supervisor_takes_formats(mixed, supervisee):
    [part] = selectors.supervisor_breakdown(supervisee, START, END, formats=ONE_TO_ONE)
    assert part.minutes.sessions_held == 1
    assert part.minutes.tagged == 60
    [both] = selectors.supervisor_breakdown(supervisee, START, END)
    assert both.minutes.tagged == 90


def test_monthly_minutes_take_formats(mixed, supervisee):
    daily = selectors.daily_minutes([supervisee.pk], START, END, formats=GROUP)
    months = selectors.monthly_minutes(daily, [supervisee.pk], START, END)
    assert [month.minutes.tagged for month in months] == [30, 0, 0]


def test_daily_minutes_take_formats(mixed, supervisee):
    daily = selectors.daily_minutes([supervisee], START, END, formats=ONE_TO_ONE)
    assert list(daily[supervisee.pk]) == [START]
    window = selectors.window_minutes(daily, [supervisee.pk], START, END)
    assert window.minutes.tagged == 60


def test_compliance_checks_only_sessions_of_those_formats(mixed, supervisee, supervisor):
    short = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=START, duration_minutes=30
    )
    assert short.format == Format.ONE_TO_ONE
    policy = AuditPolicy.current()
    everything = selectors.compliance(START, END, policy=policy, as_of=END)
    groups = selectors.compliance(START, END, policy=policy, as_of=END, formats=GROUP)
    one_to_ones = selectors.compliance(START, END, policy=policy, as_of=END, formats=ONE_TO_ONE)
    assert (everything.one_to_ones_held, everything.short_one_to_ones) == (2, 1)
    assert (one_to_ones.one_to_ones_held, one_to_ones.short_one_to_ones) == (2, 1)
    assert (groups.one_to_ones_held, groups.short_share) == (0, None)
    # Unshared records past their deadline: three of every format, one group.
    assert (everything.records_late, groups.records_late, one_to_ones.records_late) == (3, 1, 2)


def test_cancellation_rates_count_only_sessions_of_those_formats(supervisor, supervisee):
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=START,
        status=Status.CANCELLED_BY_SUPERVISOR,
    )
    GroupSessionFactory(supervisor=supervisor, attendees=[(supervisee, True)], date=START)
    [both] = selectors.cancellation_rates(START, END)
    [groups] = selectors.cancellation_rates(START, END, formats=GROUP)
    [one_to_ones] = selectors.cancellation_rates(START, END, formats=ONE_TO_ONE)
    assert (both.scheduled, both.cancelled_by_supervisor) == (2, 1)
    assert (groups.scheduled, groups.cancelled_by_supervisor) == (1, 0)
    assert (one_to_ones.scheduled, one_to_ones.cancelled_by_supervisor) == (1, 1)


def test_feedback_summary_takes_formats(mixed, supervisee):
    feedback(mixed["group"], supervisee, "support")
    feedback(mixed["one"], supervisee, "")
    assert selectors.feedback_summary(supervisee, START, END).feedbacks == 2
    summary = selectors.feedback_summary(supervisee, START, END, formats=GROUP)
    assert summary.feedbacks == 1
    assert summary.dominated == {"management": 0, "development": 0, "support": 1, "mediation": 0}
    assert summary.ratings["support"] == {"too_little": 0, "about_right": 1, "too_much": 0}


def test_an_unknown_format_is_refused(supervisee):
    with pytest.raises(ValueError, match="unknown session formats"):
        selectors.supervisee_balance(supervisee, START, END, formats=["webinar"])


def test_formats_do_not_add_queries(supervisor, django_assert_num_queries):
    people = []
    for _ in range(3):
        person = UserFactory()
        RelationshipFactory(supervisor=supervisor, supervisee=person)
        SessionFactory(supervisor=supervisor, supervisee=person, date=START)
        people.append(person)
    policy = AuditPolicy.current()
    with django_assert_num_queries(4):
        selectors.balances_of(people, START, END, policy=policy, formats=GROUP)
