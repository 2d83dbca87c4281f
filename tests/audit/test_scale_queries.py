"""Query counts of the pages a council opens most: the same for a team of 2 or of 8, and for
one month of history or two years of it (so that a page never loops over people or sessions).

Each page is fetched once on a small organisation to learn its count, then the organisation
grows (more people in the team, years more sessions, actions and feedback) and the page must
take as many queries (one fewer where the audit checks need no look further back for a
previous session: `audit.selectors.compliance`).
"""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from people.models import TeamMembership
from sessions_app.models import Feedback
from tests.factories import (
    PASSWORD,
    ActionFactory,
    GroupSessionFactory,
    ItemFactory,
    RelationshipFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def months_ago(n, day=10):
    today = clock.today()
    return today - datetime.timedelta(days=30 * n + day)


def supervisee_with_history(team, supervisor, months, name):
    person = UserFactory(name=name, team=team)
    TeamMembership.objects.create(person=person, team=team)
    RelationshipFactory(
        supervisor=supervisor,
        supervisee=person,
        start_date=clock.today() - datetime.timedelta(days=30 * months + 60),
    )
    for n in range(months):
        session = SessionFactory(supervisor=supervisor, supervisee=person, date=months_ago(n))
        ItemFactory(session=session, functions=["management", "support"], stages=["reflection"])
        ActionFactory(session=session, owner=person)
        Feedback.objects.create(
            session=session,
            person=person,
            management="about_right",
            development="too_little",
            support="about_right",
            mediation="about_right",
            dominated="management" if n % 2 else "",
            usefulness=4,
        )
    return person


def grow(team, supervisor, people, *, add_people, add_months):
    """More people in the team, and more months of history for everyone."""
    for person in people:
        for n in range(2, 2 + add_months):
            session = SessionFactory(supervisor=supervisor, supervisee=person, date=months_ago(n))
            ItemFactory(session=session, functions=["development"])
            ActionFactory(session=session, owner=person)
    for i in range(add_people):
        people.append(supervisee_with_history(team, supervisor, 2 + add_months, f"New {i}"))
    for n in range(add_months):
        GroupSessionFactory(
            supervisor=supervisor, attendees=[(p, True) for p in people], date=months_ago(n, 3)
        )


PAGES = [
    ("home", "supervisor", reverse("home")),
    ("my supervisees", "supervisor", reverse("audit:my_supervisees") + "?window=12"),
    ("team balance", "manager", reverse("audit:team_balance") + "?window=12"),
    ("team balance, 3 months", "manager", reverse("audit:team_balance")),
    *(
        (f"team {part}{suffix}", "manager", reverse(f"audit:team_{part}") + query)
        for part in ("months", "feedback", "checks")
        for suffix, query in ((", 12 months", "?window=12"), (", 3 months", ""))
    ),
    ("organisation", "administrator", reverse("audit:organisation") + "?window=12"),
    ("organisation, 3 months", "administrator", reverse("audit:organisation")),
    ("supervisee balance", "person", reverse("audit:my_balance") + "?window=12"),
]


def counts(clients):
    found = {}
    for name, who, url in PAGES:
        with CaptureQueriesContext(connection) as captured:
            response = clients[who].get(url)
        assert response.status_code == 200, name
        found[name] = len(captured)
    return found


def signed_in(user):
    client = Client()
    assert client.login(username=user.email, password=PASSWORD)
    return client


def test_page_queries_do_not_grow_with_team_size_or_history(
    team, supervisor, manager, administrator, django_assert_max_num_queries
):
    people = [
        supervisee_with_history(team, supervisor, 2, "First One"),
        supervisee_with_history(team, supervisor, 2, "Second One"),
    ]
    clients = {}
    for who, user in [
        ("supervisor", supervisor),
        ("manager", manager),
        ("administrator", administrator),
        ("person", people[0]),
    ]:
        clients[who] = signed_in(user)
    counts(clients)  # the first request of a sign-in does its own bookkeeping
    small = counts(clients)

    grow(team, supervisor, people, add_people=6, add_months=22)
    # The organisation's count of supervisees is worked out again once after the relationships
    # change, then kept (people.changes): one query more on the first request only.
    counts(clients)

    # Never more: the same count, or one fewer where the audit checks found every session's
    # previous session in the three months before the window and needed no look further back.
    for name, who, url in PAGES:
        with django_assert_max_num_queries(small[name]) as captured:
            assert clients[who].get(url).status_code == 200, name
        assert len(captured) >= small[name] - 1, name
