"""Focus follow-up: the agreed function(s)' share before a focus was agreed, and after it."""

import csv
import datetime
import io
from fractions import Fraction

import pytest
from django.urls import reverse

from audit import selectors
from audit.models import AuditPolicy
from core import clock
from people.models import FocusAgreement, Relationship
from tests.factories import GroupSessionFactory, ItemFactory, held_session

pytestmark = pytest.mark.django_db


def days_ago(n):
    return clock.today() - datetime.timedelta(days=n)


session = held_session


@pytest.fixture
def relationship(supervisee):
    return Relationship.objects.get(supervisee=supervisee)


@pytest.fixture
def example(supervisor, supervisee, relationship):
    """Development agreed 30 days ago: 10% in the 90 days before, 30% since."""
    session(supervisor, supervisee, 130, development=100)  # before even a 90-day window
    session(supervisor, supervisee, 60, management=90, development=10)
    session(supervisor, supervisee, 20, management=70, development=30)
    return FocusAgreement.objects.create(
        relationship=relationship, development=True, agreed_on=days_ago(30)
    )


def follow_up_csv(client, path):
    response = client.get(path)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_windows_before_and_after_have_the_same_length_and_stop_today():
    agreed = clock.today() - datetime.timedelta(days=30)
    before_start, before_end, after_start, after_end = selectors.focus_windows(
        agreed, 90, clock.today()
    )
    assert (before_end - before_start).days + 1 == 90
    assert before_end == agreed - datetime.timedelta(days=1)
    assert (after_start, after_end) == (agreed, clock.today())
    long_ago = clock.today() - datetime.timedelta(days=400)
    assert selectors.focus_windows(long_ago, 90, clock.today())[3] == long_ago + datetime.timedelta(
        89
    )
    tomorrow = clock.today() + datetime.timedelta(days=1)
    assert selectors.focus_windows(tomorrow, 90, clock.today())[3] is None


def test_follow_up_compares_the_share_before_and_after(example, supervisee):
    [follow_up] = selectors.focus_follow_up([example], length_days=90, today=clock.today())
    assert follow_up.before_share == Fraction(1, 10)
    assert follow_up.after_share == Fraction(3, 10)
    assert follow_up.before.minutes.tagged == 100
    assert follow_up.after.minutes.tagged == 100
    assert not follow_up.too_early
    assert follow_up.change == Fraction(1, 5)


def test_a_longer_window_looks_further_back(example):
    [follow_up] = selectors.focus_follow_up([example], length_days=183, today=clock.today())
    assert follow_up.before_share == Fraction(110, 200)
    assert follow_up.after_share == Fraction(3, 10)


def test_my_balance_shows_the_follow_up_in_words_and_in_csv(login, example, supervisee):
    client = login(supervisee)
    body = client.get(reverse("audit:my_balance")).content.decode()
    focus = body.split('id="focus-heading"')[1].split("</section>")[0]
    assert "<strong>10%</strong> of 100 minutes" in focus
    assert "<strong>30%</strong> of 100 minutes" in focus
    assert "Up 20 percentage points" in focus
    [row] = follow_up_csv(client, reverse("audit:my_balance") + "?download=focus")
    assert (row["before_share"], row["after_share"], row["result"]) == ("0.1", "0.3", "up")
    assert (row["before_from"], row["before_to"]) == (
        days_ago(120).isoformat(),
        days_ago(31).isoformat(),
    )
    assert (row["after_from"], row["after_to"]) == (
        days_ago(30).isoformat(),
        clock.today().isoformat(),
    )
    assert row["functions"] == "development"

    six_months = client.get(reverse("audit:my_balance") + "?window=6").content.decode()
    assert "Down 25 percentage points" in six_months


def test_several_functions_count_together(supervisor, supervisee, relationship):
    session(supervisor, supervisee, 10, management=50, support=25, mediation=25)
    session(supervisor, supervisee, 40, management=90, support=10)
    agreement = FocusAgreement.objects.create(
        relationship=relationship, support=True, mediation=True, agreed_on=days_ago(30)
    )
    [follow_up] = selectors.focus_follow_up([agreement], length_days=90, today=clock.today())
    assert (follow_up.before_share, follow_up.after_share) == (Fraction(1, 10), Fraction(1, 2))


def test_too_early_to_tell_without_tagged_minutes_since(
    login, supervisor, supervisee, relationship, manager
):
    session(supervisor, supervisee, 10, management=60)
    FocusAgreement.objects.create(relationship=relationship, support=True, agreed_on=clock.today())
    FocusAgreement.objects.create(
        relationship=relationship,
        mediation=True,
        agreed_on=clock.today() + datetime.timedelta(days=3),
    )
    follow_ups = selectors.focus_follow_up(
        selectors.focus_agreements_of([supervisee]), length_days=90, today=clock.today()
    )
    assert [f.too_early for f in follow_ups] == [True, True]
    assert follow_ups[0].after is None  # agreed for a day still to come
    assert follow_ups[1].before_share == 0
    body = login(supervisee).get(reverse("audit:my_balance")).content.decode()
    assert body.count("Too early to tell") == 2
    # The team page lists the focus agreed in the window: today's, not the one to come.
    team_body = login(manager).get(reverse("audit:team_feedback")).content.decode()
    focus = team_body.split('id="focus-heading"')[1].split("</section>")[0]
    assert focus.count("Too early to tell") == 1


def test_nothing_to_compare_with_when_nothing_was_tagged_before(
    login, supervisor, supervisee, relationship
):
    session(supervisor, supervisee, 10, development=60)
    FocusAgreement.objects.create(
        relationship=relationship, development=True, agreed_on=days_ago(20)
    )
    client = login(supervisee)
    body = client.get(reverse("audit:my_balance")).content.decode()
    assert "Nothing to compare with: no tagged minutes before" in body
    [row] = follow_up_csv(client, reverse("audit:my_balance") + "?download=focus")
    assert (row["before_share"], row["after_share"]) == ("", "1.0")
    assert row["result"] == "no tagged minutes before"


def test_the_format_filter_applies_to_the_follow_up(example, supervisor, supervisee):
    group = GroupSessionFactory(
        supervisor=supervisor, attendees=[(supervisee, True)], date=days_ago(10)
    )
    ItemFactory(session=group, minutes=100, functions=["development"])
    [both] = selectors.focus_follow_up([example], length_days=90, today=clock.today())
    [one_to_ones] = selectors.focus_follow_up(
        [example], length_days=90, today=clock.today(), formats=("one_to_one",)
    )
    assert both.after_share == Fraction(130, 200)
    assert one_to_ones.after_share == Fraction(3, 10)


def test_team_page_follows_up_the_teams_focus(login, manager, example):
    body = login(manager).get(reverse("audit:team_feedback")).content.decode()
    focus = body.split('id="focus-heading"')[1].split("</section>")[0]
    assert "Sam Social" in focus and "Up 20 percentage points" in focus


def test_follow_up_queries_do_not_grow_with_agreements(
    login, supervisor, supervisee, relationship, django_assert_max_num_queries
):
    AuditPolicy.current()
    session(supervisor, supervisee, 5, management=30, support=30)
    client = login(supervisee)

    def count():
        with django_assert_max_num_queries(25) as captured:
            assert client.get(reverse("audit:my_balance")).status_code == 200
        return len(captured)

    FocusAgreement.objects.create(relationship=relationship, support=True, agreed_on=days_ago(1))
    one = count()
    for n in range(2, 8):
        FocusAgreement.objects.create(
            relationship=relationship, support=True, agreed_on=days_ago(n * 40)
        )
    assert count() == one
    agreements = list(selectors.focus_agreements_of([supervisee]))
    with django_assert_max_num_queries(1):
        selectors.focus_follow_up(agreements, length_days=90, today=clock.today())
