"""A team's four pages (audit.views.TEAM_PARTS): its balance, its months, its feedback and focus,
its cancellations and checks; each reached from the others with the same filters, each its own
sums, and a large team's supervisees a page at a time."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit import selectors, tables, views
from audit.models import AuditPolicy
from core import clock
from tests.factories import RelationshipFactory, UserFactory, held_session

pytestmark = pytest.mark.django_db

PARTS = ["team_balance", "team_months", "team_feedback", "team_checks"]


def days_ago(n):
    return clock.today() - datetime.timedelta(days=n)


@pytest.fixture
def members(team, supervisor, supervisee, other_supervisee):
    """Seven supervisees in the team, each with a session; some management-dominated."""
    people = [supervisee, other_supervisee]
    for i in range(5):
        person = UserFactory(team=team, name=f"Member {i}", email=f"member{i}@example.org")
        RelationshipFactory(supervisor=supervisor, supervisee=person, start_date=days_ago(300))
        people.append(person)
    for i, person in enumerate(people):
        management = 60 if i % 2 else 20
        for n in range(AuditPolicy.current().min_sessions):
            held_session(supervisor, person, 5 + i + 10 * n, management=management, support=20)
    return people


def rows_of(body):
    """The supervisees' rows of the team's table, by name, in order."""
    table = body.split('id="supervisees-heading"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row">(?:<a [^>]*>)?([^<]+)', table)


@pytest.mark.parametrize("part", PARTS)
def test_each_page_links_to_the_others_with_its_filters(login, manager, team, members, part):
    body = login(manager).get(reverse(f"audit:{part}"), {"window": "12"}).content.decode()
    nav = body.split('aria-label="The team\'s pages"')[1].split("</nav>")[0]
    for other in PARTS:
        [query] = re.findall(rf'href="{reverse(f"audit:{other}")}\?([^"]*)"', nav)
        assert "window=12&amp;" in query and query.endswith(f"&amp;team={team.pk}")
    # The page shown is marked for screen readers, not by its colour alone.
    current = re.findall(
        r'<a class="nav-link active" href="([^"?]+)[^"]*" aria-current="page"', nav
    )
    assert current == [reverse(f"audit:{part}")]


@pytest.mark.parametrize(
    ("table", "part"),
    [("trend", "team_months"), ("cycle", "team_months"), ("focus", "team_feedback")]
    + [("cancellations", "team_checks"), ("compliance", "team_checks")],
)
def test_a_download_of_the_one_page_that_was_goes_to_the_page_that_has_it(
    login, manager, team, members, table, part
):
    """The team page's download links, from before its tables had pages of their own, still
    download the same table (bookmarks, links in e-mails and reports)."""
    client = login(manager)
    query = {"team": team.pk, "window": "12", "download": table}
    response = client.get(reverse("audit:team_balance"), query)
    assert response.status_code == 302
    assert response.url == f"{reverse(f'audit:{part}')}?team={team.pk}&window=12&download={table}"
    assert client.get(response.url)["Content-Type"].startswith("text/csv")


def test_another_teams_download_is_404_not_a_redirect(login, other_manager, team, members):
    client = login(other_manager)
    response = client.get(reverse("audit:team_balance"), {"team": team.pk, "download": "trend"})
    assert response.status_code == 404


@pytest.fixture
def two_to_a_page(monkeypatch):
    monkeypatch.setattr(views, "TEAM_PEOPLE_PER_PAGE", 2)


def test_a_large_teams_supervisees_are_listed_a_page_at_a_time(
    login, manager, team, members, two_to_a_page
):
    client = login(manager)
    names = sorted((p.name, p.email) for p in members)
    shown = []
    for number in (1, 2, 3, 4):
        body = client.get(reverse("audit:team_balance"), {"people_page": number}).content.decode()
        shown += rows_of(body)
        # Every page counts the whole team: its figures and its flags.
        assert "7 supervisees, 2 to a page" in body
        assert f"7 supervisees, {7 * AuditPolicy.current().min_sessions} sessions held" in body
        assert f"Showing {2 * number - 1} to {min(2 * number, 7)} of 7." in body
    # Each once, in the table's order (by e-mail), and the download has them all.
    by_email = [name for name, _email in sorted(names, key=lambda pair: pair[1])]
    assert shown == by_email
    text = client.get(reverse("audit:team_balance"), {"download": "supervisees"})
    assert len(list(csv.DictReader(io.StringIO(text.content.decode("utf-8-sig"))))) == 7


def test_a_teams_page_of_supervisees_is_the_same_queries_whichever_page(
    login, manager, team, members, two_to_a_page, django_assert_num_queries
):
    client = login(manager)
    client.get(reverse("audit:team_balance"))
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("audit:team_balance"), {"people_page": 1})
    with django_assert_num_queries(len(first)):
        client.get(reverse("audit:team_balance"), {"people_page": 4})


def test_the_teams_rows_flags_and_counts_are_its_supervisees_balances(
    login, manager, team, members
):
    """The page works out flags from each person's integer sums and makes a balance whole only
    for the rows it shows: the rows, their download and the team's counts are the balances."""
    client = login(manager)
    start, end = days_ago(89), clock.today()
    balances = selectors.balances(start, end, team=team)
    # Not a comparison of alike rows: management dominates for some of them only.
    assert {"management_dominant" in b.flag_codes for b in balances} == {True, False}
    response = client.get(reverse("audit:team_balance"), {"download": "supervisees"})
    downloaded = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, rows = tables.balance_table(balances)
    assert downloaded == [header, *[[str(cell) for cell in row] for row in rows]]
    body = client.get(reverse("audit:team_balance")).content.decode()
    dominant = sum(1 for b in balances if "management_dominant" in b.flag_codes)
    assert re.search(rf"Management dominant: <a [^>]*>{dominant}<", body)
