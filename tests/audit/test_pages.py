"""The audit pages: who sees what, flags in words, filters, CSV files and query counts."""

import csv
import datetime
import io
from decimal import Decimal
from fractions import Fraction
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from core.numbers import percent_text
from people.models import FocusAgreement, Relationship, Team
from sessions_app.models import AccessLog, Feedback, RecordState, Status
from tests.cast import shared_rows, whole_cast
from tests.factories import (
    PASSWORD,
    GroupSessionFactory,
    ItemFactory,
    RelationshipFactory,
    SessionFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Two sessions of 60 management + 10 of each other function: management 120 of 180 minutes.
REASON = "management took 66.67% of 180 minutes across 2 sessions; the policy flags above 50%"


# The team's pages, and the tables each one downloads.
TEAM_TABLES = {
    "team_balance": ("supervisees", "totals", "coverage", "overdue"),
    "team_months": ("trend", "cycle"),
    "team_feedback": ("focus",),
    "team_checks": ("cancellations", "compliance"),
}
TEAM_PAGES = list(TEAM_TABLES)


def days_ago(n):
    return clock.today() - datetime.timedelta(days=n)


def management_dominated(supervisor, person, sessions=2):
    for i in range(sessions):
        session = SessionFactory(supervisor=supervisor, supervisee=person, date=days_ago(5 + i))
        ItemFactory(session=session, minutes=60, functions=["management"])
        for key in ("development", "support", "mediation"):
            ItemFactory(session=session, minutes=10, functions=[key])


def balanced(supervisor, person, day=10):
    session = SessionFactory(supervisor=supervisor, supervisee=person, date=days_ago(day))
    for key in ("management", "development", "support", "mediation"):
        ItemFactory(session=session, minutes=20, functions=[key])
    return session


def url(name, *args, **query):
    path = reverse(f"audit:{name}", args=args)
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return path


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, path
    return response.content.decode() if status == 200 else response


def download(client, path):
    response = client.get(path)
    assert response.status_code == 200, path
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def kit(other_supervisor):
    """Kit is supervised by Olu in the other team: outside `team`."""
    return Relationship.objects.get(supervisor=other_supervisor).supervisee


# Who may see what.


@pytest.mark.parametrize("name", ["my_balance", "my_supervisees", *TEAM_PAGES, "organisation"])
def test_anonymous_goes_to_the_login_page(client, name):
    response = client.get(url(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_goes_to_the_login_page_for_a_person(client, supervisee):
    response = client.get(url("person", supervisee.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_supervisee_sees_their_own_balance_and_nobody_elses(
    login, supervisor, supervisee, other_supervisee, kit
):
    management_dominated(supervisor, supervisee)
    balanced(supervisor, other_supervisee)
    client = login(supervisee)
    body = page(client, url("my_balance"))
    assert "<h1" in body and "My balance" in body
    assert REASON in body
    assert page(client, url("person", supervisee.pk)).count(REASON) == 1
    for other in (other_supervisee, supervisor, kit):
        page(client, url("person", other.pk), status=404)
        page(client, url("person", other.pk, download="balance"), status=404)
    for part in TEAM_PAGES:
        page(client, url(part), status=404)
    page(client, url("organisation"), status=404)


def test_a_supervisor_sees_their_current_supervisees_only(
    login, supervisor, supervisee, other_supervisee, kit
):
    client = login(supervisor)
    page(client, url("person", supervisee.pk))
    page(client, url("person", kit.pk), status=404)
    # Once the relationship has ended, the balance is no longer theirs to see.
    Relationship.objects.filter(supervisee=other_supervisee).update(
        start_date=days_ago(400), end_date=days_ago(30)
    )
    page(client, url("person", other_supervisee.pk), status=404)
    body = page(client, url("my_supervisees"))
    assert "Sam Social" in body
    assert "Nia Newly" not in body
    assert "Kit Other" not in body


def test_a_manager_sees_their_teams_members_and_nobody_outside(
    login, manager, supervisee, other_supervisee, supervisor, kit, other_team
):
    client = login(manager)
    page(client, url("person", supervisee.pk))
    page(client, url("person", supervisor.pk))
    page(client, url("person", kit.pk), status=404)
    body = page(client, url("team_balance"))
    assert "Team balance: Adults North" in body
    assert "Sam Social" in body and "Nia Newly" in body
    assert "Kit Other" not in body
    for part in TEAM_PAGES:
        page(client, url(part, team=other_team.pk), status=404)
        page(client, url(part))
    page(client, url("organisation"), status=404)


def test_another_teams_manager_cannot_see_the_team(
    login, other_manager, team, supervisee, kit, other_team
):
    client = login(other_manager)
    for part, names in TEAM_TABLES.items():
        page(client, url(part, team=team.pk), status=404)
        for name in names:
            page(client, url(part, team=team.pk, download=name), status=404)
    page(client, url("person", supervisee.pk), status=404)
    body = page(client, url("team_balance"))
    assert "Team balance: Children West" in body
    assert "Kit Other" in body and "Sam Social" not in body
    page(client, url("person", kit.pk))


def test_administrators_see_everyone_and_every_team(
    login, administrator, team, other_team, supervisee, kit
):
    client = login(administrator)
    page(client, url("person", supervisee.pk))
    page(client, url("person", kit.pk))
    assert "Kit Other" in page(client, url("team_balance", team=other_team.pk))
    assert "Sam Social" in page(client, url("team_balance", team=team.pk))
    for part in TEAM_PAGES:
        assert "Children West" in page(client, url(part, team=other_team.pk))
    body = page(client, url("organisation"))
    assert "Adults North" in body and "Children West" in body


def test_an_outsider_gets_their_own_empty_page_and_404_for_others(
    login, outsider, supervisee, team
):
    client = login(outsider)
    body = page(client, url("my_balance"))
    assert "No data for this window." in body
    assert "You have no current supervisees" in page(client, url("my_supervisees"))
    page(client, url("person", supervisee.pk), status=404)
    page(client, url("person", 999999), status=404)
    for part in TEAM_PAGES:
        page(client, url(part), status=404)
        page(client, url(part, team=team.pk), status=404)
    page(client, url("organisation"), status=404)


def test_pages_refuse_post(login, administrator):
    client = login(administrator)
    for name in ("my_balance", "my_supervisees", *TEAM_PAGES, "organisation"):
        assert client.post(url(name)).status_code == 405


# The management-dominated supervisee is flagged, with the reason in words, on every page.


@pytest.fixture
def dominated(supervisor, supervisee):
    management_dominated(supervisor, supervisee)
    return supervisee


def test_my_balance_shows_management_dominant_with_its_reason(login, dominated):
    body = page(login(dominated), url("my_balance"))
    assert "Management dominant</span>: " + REASON in body
    assert "66.67%" in body


def test_my_supervisees_shows_management_dominant_with_its_reason(login, supervisor, dominated):
    body = page(login(supervisor), url("my_supervisees"))
    row = body.split("Sam Social</a>")[1].split("</tr>")[0]
    assert "Management dominant</summary>" in row
    assert REASON[0].upper() + REASON[1:] in row
    assert "Management 66.67%" in row


def test_team_balance_shows_management_dominant_with_its_reason(login, manager, dominated):
    body = page(login(manager), url("team_balance"))
    row = body.split("Sam Social</a>")[1].split("</tr>")[0]
    assert "Management dominant</summary>" in row
    assert REASON[0].upper() + REASON[1:] in row


def test_organisation_balance_shows_management_dominant_with_its_reason(
    login, administrator, dominated
):
    body = page(login(administrator), url("organisation"))
    flagged = body.split('id="flagged-heading"')[1].split("</section>")[0]
    row = flagged.split("Sam Social</a>")[1].split("</tr>")[0]
    assert "Management dominant</summary>" in row
    assert REASON[0].upper() + REASON[1:] in row


def test_the_organisations_team_and_flag_links_keep_the_window_and_format(
    login, administrator, dominated, team
):
    body = page(login(administrator), url("organisation", window="12", format="one_to_one"))
    teams = body.split('id="teams-heading"')[1].split("</section>")[0]
    kept = "window=12&amp;format=one_to_one"
    assert f'{reverse("audit:team_balance")}?{kept}&amp;team={team.pk}"' in teams
    assert f'{reverse("audit:drill")}?{kept}&amp;count=management_dominant&amp;team={team.pk}"' in (
        teams
    )


def test_every_flag_has_its_reason_on_my_balance(login, supervisor, supervisee):
    """Overdue, neglected, short-circuit and reported dominance, each with a reason."""
    for _ in range(2):
        session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(60))
        ItemFactory(session=session, minutes=90, functions=["management"], stages=["plans_actions"])
    Feedback.objects.create(
        session=session,
        person=supervisee,
        management="too_much",
        development="too_little",
        support="too_little",
        mediation="too_little",
        dominated="management",
        usefulness=2,
    )
    body = page(login(supervisee), url("my_balance"))
    assert "Development neglected</span>: development took 0% of 180 minutes" in body
    assert "Reflective cycle short-circuited</span>: 180 minutes of 180 minutes" in body
    assert "Supervision overdue</span>: 60 days since your last one-to-one with Sue" in body
    assert "Supervisee said management dominated</span>: you said" in body
    # What I said, beside what was recorded: management 100%, said "too much" once.
    perceived = body.split('id="perceived-heading"')[1].split("</section>")[0]
    management = perceived.split("Management</th>")[1].split("</tr>")[0]
    assert [cell.split(">")[-1] for cell in management.split("</td>")[:-1]] == [
        "100%",
        "0",
        "0",
        "1",
        "1",
        "0",  # wanted more of it
    ]


# Filters: bad input is explained beside the field, the default window is used, never a 500.


@pytest.fixture(scope="class")
def filters_world(django_db_setup, django_db_blocker):
    """An administrator, and Sue's management-dominated supervisee: built once for the class."""
    with shared_rows(django_db_blocker):
        cast = whole_cast("administrator", "supervisor", "supervisee")
        management_dominated(cast["supervisor"], cast["supervisee"])
        yield cast


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"window": "custom", "from": "2026-03-01", "to": "2026-01-01"}, "is after the"),
        ({"window": "custom", "from": "yesterday"}, "Enter a date as YYYY-MM-DD"),
        ({"window": "custom", "from": "2026-02-30"}, "Enter a date as YYYY-MM-DD"),
        ({"window": "custom", "to": "2026-01-01"}, "Enter the first day of the window"),
        ({"window": "custom", "from": "0001-01-01", "to": "0001-02-01"}, "between 1900 and 2999"),
        ({"window": "custom", "from": "2000-01-01", "to": "2026-01-01"}, "at most 1,096 days"),
        ({"window": "7"}, "Choose 3, 6 or 12 months"),
        ({"format": "webinar"}, "Choose one-to-one, group, or both"),
        ({"from": "9999-99-99"}, "Enter a date as YYYY-MM-DD"),
    ],
)
@pytest.mark.parametrize("name", ["my_balance", "my_supervisees", *TEAM_PAGES, "organisation"])
class TestBadFilters:
    def test_bad_filters_are_explained_and_the_default_window_is_used(
        self, login, filters_world, name, query, message
    ):
        client = login(filters_world["administrator"])
        path = url(name, **query)
        body = page(client, path)
        assert message in body
        assert "Some of the filters could not be used" in body
        start, end = clock.today() - datetime.timedelta(days=89), clock.today()
        assert f"Showing <strong>{start:%-d %b %Y} to {end:%-d %b %Y}</strong>" in body


def test_filters_out_of_the_ordinary_never_break_a_download(login, administrator, dominated):
    client = login(administrator)
    rows = download(client, url("team_months", window="custom", **{"from": "x"}, download="trend"))
    assert rows[0]["from"] == (clock.today() - datetime.timedelta(days=89)).isoformat()
    for part in TEAM_PAGES:
        page(client, url(part, download="nonsense"), status=404)
        page(client, url(part, team="abc"), status=404)
        page(client, url(part, team=""), status=404)
        page(client, url(part, team=999999), status=404)


@pytest.mark.parametrize(("window", "days"), [("3", 90), ("6", 183), ("12", 365), ("", 90)])
def test_windows_of_3_6_and_12_months_end_today(login, supervisee, window, days):
    body = page(login(supervisee), url("my_balance", window=window))
    start = clock.today() - datetime.timedelta(days=days - 1)
    assert (
        f"Showing <strong>{start:%-d %b %Y} to {clock.today():%-d %b %Y}</strong> ({days} days)"
        in body
    )


def test_custom_dates_set_the_window(login, supervisor, supervisee):
    balanced(supervisor, supervisee, day=200)
    first, last = days_ago(205), days_ago(195)
    client = login(supervisee)
    body = page(client, url("my_balance", window="custom", **{"from": first, "to": last}))
    assert f"Showing <strong>{first:%-d %b %Y} to {last:%-d %b %Y}</strong> (11 days)" in body
    assert "1 session held, 80 tagged minutes" in body
    # A download keeps the filters of the page it came from.
    assert f"from={first.isoformat()}&amp;to={last.isoformat()}" in body


def test_the_format_filter_changes_the_figures(login, supervisor, supervisee, other_supervisee):
    one = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(3))
    ItemFactory(session=one, minutes=60, functions=["management"])
    group = GroupSessionFactory(
        supervisor=supervisor,
        attendees=[(supervisee, True), (other_supervisee, True)],
        date=days_ago(4),
    )
    ItemFactory(session=group, minutes=60, functions=["support"])
    client = login(supervisor)

    def shares(fmt):
        rows = download(client, url("my_supervisees", format=fmt, download="supervisees"))
        return {r["supervisee"]: (r["share_management"], r["share_support"]) for r in rows}

    assert shares("both") == {"sam@example.org": ("0.5", "0.5"), "nia@example.org": ("0.0", "1.0")}
    assert shares("one_to_one") == {"sam@example.org": ("1.0", "0.0"), "nia@example.org": ("", "")}
    assert shares("group") == {"sam@example.org": ("0.0", "1.0"), "nia@example.org": ("0.0", "1.0")}
    body = page(client, url("person", supervisee.pk, format="group"))
    assert "group sessions only" in body
    assert "1 session held, 60 tagged minutes" in body


# CSV files: the same numbers as the page, only people in scope, no formulas.


def test_team_csv_has_the_pages_numbers_and_only_the_teams_supervisees(
    login, manager, supervisor, dominated, other_supervisee, kit, other_supervisor
):
    balanced(supervisor, other_supervisee)
    balanced(other_supervisor, kit)
    client = login(manager)
    body = page(client, url("team_balance"))
    rows = download(client, url("team_balance", download="supervisees"))
    assert [r["supervisee"] for r in rows] == ["nia@example.org", "sam@example.org"]
    for row in rows:
        cells = body.split(f"{row['name']}</a>")[1].split("</tr>")[0]
        for key in ("management", "development", "support", "mediation"):
            shown = percent_text(Fraction(Decimal(row[f"share_{key}"])))
            assert f"{key.capitalize()} {shown}" in cells
        assert f">{row['sessions_held']}</td>" in cells
        assert f">{Decimal(row['tagged_minutes']).normalize():f}</td>" in cells
    sam = rows[1]
    assert (sam["share_management"], sam["tagged_minutes"]) == ("0.6667", "180.0")
    assert sam["flags"] == "management_dominant"
    assert REASON in sam["flag_reasons"]


def test_person_csv_has_the_pages_numbers(login, dominated, supervisor):
    client = login(dominated)
    body = page(client, url("my_balance"))
    [row] = download(client, url("my_balance", download="balance"))
    assert row["supervisee"] == "sam@example.org"
    assert (row["minutes_management"], row["share_management"]) == ("120.0", "0.6667")
    assert "66.67%" in body and ">120</td>" in body
    [flag] = download(client, url("my_balance", download="flags"))
    assert flag["reason"] == REASON
    [part] = download(client, url("my_balance", download="supervisors"))
    assert (part["supervisor"], part["sessions_held"]) == ("sue@example.org", "2")
    months = download(client, url("my_balance", download="trend"))
    assert sum(Decimal(m["tagged_minutes"]) for m in months) == 180
    perceived = download(client, url("my_balance", download="feedback"))
    assert [p["function"] for p in perceived] == [
        "management",
        "development",
        "support",
        "mediation",
    ]


def test_organisation_csv_has_a_row_per_team_and_the_organisation(
    login, administrator, dominated, kit, other_supervisor, other_team
):
    balanced(other_supervisor, kit)
    client = login(administrator)
    body = page(client, url("organisation"))
    rows = download(client, url("organisation", download="teams"))
    assert [r["scope"] for r in rows] == ["Adults North", "Children West", "Organisation"]
    adults, children, organisation = rows
    assert (adults["people"], adults["people_flagged_management_dominant"]) == ("1", "1")
    assert (children["people"], children["people_flagged_management_dominant"]) == ("1", "0")
    assert organisation["tagged_minutes"] == "260.0"
    for row in rows:
        shown = percent_text(Fraction(Decimal(row["share_management"])))
        assert shown in body
    flagged = download(client, url("organisation", download="flagged"))
    assert {(f["supervisee"], f["flag"]) for f in flagged} >= {
        ("sam@example.org", "management_dominant")
    }
    compliance = download(client, url("organisation", download="compliance"))
    assert [c["check"] for c in compliance] == [
        "short_one_to_ones",
        "records_not_shared_in_time",
        "open_actions_not_reviewed",
    ]
    rates = download(client, url("organisation", download="cancellations"))
    assert {r["supervisor"] for r in rates} == {"sue@example.org", "olu@example.org"}


def test_team_csvs_cover_every_table(login, manager, dominated, other_supervisee):
    client = login(manager)
    for part, names in TEAM_TABLES.items():
        for name in names:
            download(client, url(part, download=name))
    [overdue] = download(client, url("team_balance", download="overdue"))
    # Nia has never had a one-to-one: overdue since the relationship began on 1 Jan 2024.
    assert overdue["supervisee"] == "nia@example.org"
    gap = (clock.today() - datetime.date(2024, 1, 1)).days
    assert overdue["days_over"] == str(gap - 31)
    body = page(client, url("team_balance"))
    assert f">{gap - 31}</td>" in body


def test_a_name_that_looks_like_a_formula_is_neutralised(login, supervisor):
    person = UserFactory(email="f@example.org", name='=HYPERLINK("http://x")', team=None)
    RelationshipFactory(supervisor=supervisor, supervisee=person, start_date=days_ago(100))
    balanced(supervisor, person)
    client = login(supervisor)
    response = client.get(url("my_supervisees", download="supervisees"))
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["name"].startswith("'=")


# Query counts do not grow with supervisees or sessions.


def grow(supervisor, team, n):
    """n more supervisees in `team`, each with sessions, items, feedback and a focus."""
    people = []
    for i in range(n):
        person = UserFactory(team=team)
        relationship = RelationshipFactory(
            supervisor=supervisor, supervisee=person, start_date=days_ago(300)
        )
        session = balanced(supervisor, person, day=3 + i)
        management_dominated(supervisor, person)
        SessionFactory(
            supervisor=supervisor,
            supervisee=person,
            status=Status.PLANNED,
            date=clock.today() + datetime.timedelta(days=3 + i),
        )
        SessionFactory(
            supervisor=supervisor,
            supervisee=person,
            status=Status.CANCELLED_BY_SUPERVISOR,
            date=days_ago(20),
        )
        Feedback.objects.create(
            session=session,
            person=person,
            management="too_much",
            development="about_right",
            support="too_little",
            mediation="about_right",
            dominated="management",
            usefulness=3,
        )
        FocusAgreement.objects.create(
            relationship=relationship, support=True, agreed_on=days_ago(30 + i)
        )
        people.append(person)
    GroupSessionFactory(
        supervisor=supervisor, attendees=[(p, True) for p in people], date=days_ago(2)
    )
    return people


def queries(client, path, django_assert_max_num_queries, limit=30):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


QUERIED_PAGES = [
    ("supervisor", "my_supervisees"),
    *(("manager", part) for part in TEAM_PAGES),
    ("administrator", "organisation"),
    ("supervisee", "my_balance"),
    ("manager", "person"),
    ("supervisor", "my_supervision"),
    ("manager", "supervisor"),
]


@pytest.fixture(scope="class")
def page_queries(django_db_setup, django_db_blocker):
    """{(who, page): (status and queries with 2 more supervisees, the same with 12)}.

    Each page is fetched by its reader once after `grow(2)` and once after `grow(10)` more;
    growing is what costs, so it is done once for the class and every page is counted in it.
    """
    with shared_rows(django_db_blocker):
        cast = whole_cast("supervisor", "supervisee", "manager", "administrator")
        supervisor, supervisee, team = cast["supervisor"], cast["supervisee"], cast["team"]
        TeamFactory(name="Another team")
        AuditPolicy.current()  # created on first use: not a query of every page
        clients, paths = {}, {}
        for who, name in QUERIED_PAGES:
            clients[who, name] = client = Client()
            assert client.login(username=cast[who].email, password=PASSWORD)
            if name == "supervisor":
                paths[who, name] = url(name, supervisor.pk, window="12")
            elif name == "person":
                paths[who, name] = url(name, supervisee.pk)
            else:
                paths[who, name] = url(name, window="12")

        def count_all():
            counts = {}
            for case, client in clients.items():
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(paths[case])
                counts[case] = (response.status_code, [query["sql"] for query in captured])
            return counts

        grow(supervisor, team, 2)
        management_dominated(supervisor, supervisee)
        few = count_all()
        grow(supervisor, team, 10)
        management_dominated(supervisor, supervisee, sessions=6)
        many = count_all()
        yield {case: (few[case], many[case]) for case in QUERIED_PAGES}


@pytest.mark.parametrize(("who", "name"), QUERIED_PAGES)
class TestPageQueries:
    def test_page_queries_do_not_grow_with_supervisees_or_sessions(self, page_queries, who, name):
        (few_status, few), (many_status, many) = page_queries[who, name]
        assert few_status == many_status == 200
        assert len(few) <= 30, "\n".join(few)
        assert len(many) <= 30, "\n".join(many)
        assert len(many) == len(few)


def test_downloads_do_not_grow_with_supervisees(
    login, manager, supervisor, team, django_assert_max_num_queries
):
    client = login(manager)
    AuditPolicy.current()
    grow(supervisor, team, 2)
    few = {
        (part, name): queries(client, url(part, download=name), django_assert_max_num_queries)
        for part, names in TEAM_TABLES.items()
        for name in names
    }
    grow(supervisor, team, 8)
    many = {
        (part, name): queries(client, url(part, download=name), django_assert_max_num_queries)
        for part, names in TEAM_TABLES.items()
        for name in names
    }
    assert many == few


# Accessible by default: headings in order, captions, labels, named charts.


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.tables, self.captions, self.svgs = [], 0, 0, []
        self.inputs, self.labels = [], set()
        self._in_table = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if len(tag) == 2 and tag[0] == "h" and tag[1].isdigit():
            self.headings.append(int(tag[1]))
        elif tag == "table":
            self.tables += 1
            if "aria-label" in attrs:
                self.captions += 1
        elif tag == "caption":
            self.captions += 1
        elif tag == "svg":
            self.svgs.append(attrs)
        elif tag in ("input", "select", "textarea") and attrs.get("type") != "hidden":
            self.inputs.append(attrs.get("id"))
        elif tag == "label":
            self.labels.add(attrs.get("for"))


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("supervisee", "my_balance"),
        ("supervisor", "my_supervisees"),
        *(("manager", part) for part in TEAM_PAGES),
        ("administrator", "organisation"),
        ("manager", "person"),
        ("supervisor", "my_supervision"),
        ("manager", "supervisor"),
    ],
)
def test_pages_are_accessible_by_default(
    request, login, supervisor, dominated, other_supervisee, who, name
):
    balanced(supervisor, other_supervisee)
    client = login(request.getfixturevalue(who))
    if name == "supervisor":
        path = url(name, supervisor.pk)
    else:
        path = url(name, dominated.pk) if name == "person" else url(name)
    outline = Outline()
    outline.feed(page(client, path))
    assert outline.headings[0] == 1 and outline.headings.count(1) == 1
    for before, after in zip(outline.headings, outline.headings[1:], strict=False):
        assert after <= before + 1, outline.headings
    # What the supervisees said is a list; no focus was agreed here, so no table either.
    assert outline.tables or name == "team_feedback"
    assert outline.captions == outline.tables
    assert outline.inputs and all(i in outline.labels for i in outline.inputs)
    charts = [s for s in outline.svgs if s.get("role") == "img"]
    for svg in outline.svgs:
        assert svg.get("role") == "img" or svg.get("aria-hidden") == "true"
    for chart in charts:
        # Named: by its own <title> and <desc> (trend), or by the shares in words (bars).
        assert chart.get("aria-labelledby") or chart.get("aria-label")
    if name not in (
        "my_supervisees",
        "my_supervision",
        "supervisor",
        "team_feedback",
        "team_checks",
    ):
        assert charts, "a monthly trend chart, or the shares' bar"


def test_manager_opens_a_members_records_from_their_balance(login, supervisor, supervisee, manager):
    today = clock.today()
    shared = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=today - datetime.timedelta(days=5),
        record_state=RecordState.SHARED,
    )
    draft = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=today - datetime.timedelta(days=3)
    )
    client = login(manager)
    body = client.get(reverse("audit:person", args=[supervisee.pk])).content.decode()
    assert reverse("sessions:detail", args=[shared.pk]) in body
    assert reverse("sessions:detail", args=[draft.pk]) not in body
    assert client.get(reverse("sessions:detail", args=[shared.pk])).status_code == 200
    assert AccessLog.objects.filter(user=manager, session=shared).count() == 1


def test_balance_lists_the_records_held_in_the_window_and_no_others(login, supervisor, supervisee):
    """The records behind the figures are those held in the window, its first and last days
    included: found from the person's attendances of those dates."""
    today = clock.today()
    start = today - datetime.timedelta(days=20)
    end = today - datetime.timedelta(days=5)

    def record(day, **options):
        return SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=day,
            record_state=RecordState.SHARED,
            **options,
        )

    first, last = record(start), record(end)
    day = datetime.timedelta(days=1)
    before, after = record(start - day), record(end + day)
    absent = record(start + datetime.timedelta(days=3))
    absent.attendances.filter(person=supervisee).update(present=False)
    body = page(login(supervisee), url("my_balance", window="custom", **{"from": start, "to": end}))
    records = body.split('id="records-heading"')[1]
    for shown in (first, last):
        assert reverse("sessions:detail", args=[shown.pk]) in records
    for hidden in (before, after, absent):
        assert reverse("sessions:detail", args=[hidden.pk]) not in records


def test_organisation_shows_its_teams_a_page_at_a_time_with_the_organisation_on_each(
    login, administrator, team, other_team, supervisee, kit, monkeypatch
):
    """A national body has thousands of teams: the teams table is a page at a time (the whole
    organisation's row under each page), and its download keeps every team."""
    from audit import views

    extra = Team.objects.create(name="Zebra Crossing Team")
    monkeypatch.setattr(views, "TEAMS_PER_PAGE", 2)
    client = login(administrator)

    def teams(body):
        section = body.split('id="teams-heading"')[1].split("</section>")[0]
        rows = section.split("<tbody>")[1].split("</tbody>")[0]
        return section, [r.split("</th>")[0] for r in rows.split('<th scope="row">')[1:]]

    first, first_teams = teams(page(client, url("organisation")))
    second, second_teams = teams(page(client, url("organisation", teams_page=2)))
    assert len(first_teams) == 2 and len(second_teams) == 1
    shown = " ".join(first_teams + second_teams)
    assert all(t.name in shown for t in (team, other_team, extra))  # each team on one page
    assert "3 teams, 2 to a page" in first and "Page 1 of 2" in first
    assert "teams_page=2#teams-heading" in first
    for section in (first, second):
        assert '<th scope="row">Organisation</th>' in section
    rows = download(client, url("organisation", download="teams"))
    assert {row["scope"] for row in rows} >= {team.name, other_team.name, extra.name}


def test_organisation_lists_flagged_people_and_supervisors_a_page_at_a_time(
    login, administrator, dominated, kit, other_supervisor, monkeypatch
):
    """A council has hundreds of flagged people and supervisors: the page shows them a page at
    a time (and says how many there are); the downloads keep every row."""
    from audit import views

    management_dominated(other_supervisor, kit)
    monkeypatch.setattr(views, "FLAGGED_PER_PAGE", 1)
    monkeypatch.setattr(views, "SUPERVISORS_PER_PAGE", 1)
    client = login(administrator)

    def section(body, heading):
        return body.split(f'id="{heading}"')[1].split("</section>")[0]

    first = page(client, url("organisation"))
    flagged = section(first, "flagged-heading")
    assert "2 supervisees with at least one flag, 1 to a page" in flagged
    assert "Page 1 of 2" in flagged
    assert flagged.count('<th scope="row">') == 1
    second = section(page(client, url("organisation", flagged_page=2)), "flagged-heading")
    assert "Page 2 of 2" in second
    names = [s.split("</a>")[0].rsplit(">", 1)[1] for s in (flagged, second)]
    assert len(set(names)) == 2  # each person on one page only
    rates = section(first, "cancellations-heading")
    assert "Page 1 of 2" in rates and "rates_page=2" in rates
    assert len(download(client, url("organisation", download="flagged"))) >= 2
    assert len(download(client, url("organisation", download="cancellations"))) == 2


def test_paging_one_organisation_list_keeps_the_others_and_the_window(
    login, administrator, dominated, kit, other_supervisor, monkeypatch
):
    """Turning the flagged people's page keeps the supervisors' page the reader was on, and the
    window they chose: each pager changes its own list only."""
    from audit import views

    management_dominated(other_supervisor, kit)
    monkeypatch.setattr(views, "FLAGGED_PER_PAGE", 1)
    monkeypatch.setattr(views, "SUPERVISORS_PER_PAGE", 1)
    client = login(administrator)
    body = page(client, url("organisation", window=12, rates_page=2))
    flagged = body.split('id="flagged-heading"')[1].split("</section>")[0]
    link = flagged.split('href="?')[1].split('"')[0].replace("&amp;", "&")
    query = dict(part.split("=", 1) for part in link.split("#")[0].split("&"))
    assert query["flagged_page"] == "2"
    assert query["rates_page"] == "2"
    assert query["window"] == "12"
    rates = body.split('id="cancellations-heading"')[1].split("</section>")[0]
    assert "Page 2 of 2" in rates
