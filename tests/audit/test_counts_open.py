"""Every count on a dashboard opens to the people or sessions behind it, scoped to the reader."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from sessions_app.models import RecordState
from tests.factories import ItemFactory, RelationshipFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db

DRILL = reverse("audit:drill")


def days_ago(n):
    return clock.today() - datetime.timedelta(days=n)


@pytest.fixture
def short_sessions(supervisor, supervisee):
    """Two short one-to-ones (one shared, one a draft) and one long enough."""
    shared = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=days_ago(10),
        duration_minutes=45,
        record_state=RecordState.SHARED,
        shared_at=clock.now(),
    )
    draft = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=days_ago(20), duration_minutes=60
    )
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(30))
    return shared, draft


def drill(client, **params):
    return client.get(DRILL, params)


def count_link(body, code):
    """The number a dashboard shows for a count, as the link that opens it."""
    match = re.search(rf'href="{DRILL}\?[^"]*count={code}[^"]*">(\d+)', body)
    return match and int(match.group(1))


class TestComplianceCounts:
    def test_the_team_page_count_opens_to_its_sessions(
        self, login, manager, supervisor, short_sessions
    ):
        shared, draft = short_sessions
        client = login(manager)
        team_page = client.get(reverse("audit:team_checks")).content.decode()
        assert count_link(team_page, "short_one_to_ones") == 2
        link = re.search(r'href="(/audit/counts/\?[^"]*count=short_one_to_ones[^"]*)"', team_page)
        body = client.get(link.group(1).replace("&amp;", "&")).content.decode()
        assert "Held one-to-ones shorter than 90 minutes" in body
        # The manager opens the shared record; the draft is its supervisor's: counted, not listed.
        assert reverse("sessions:detail", args=[shared.pk]) in body
        assert reverse("sessions:detail", args=[draft.pk]) not in body
        assert "1 more session is counted that you may not open" in body
        # Its way back is the team's page of checks, with the same filters.
        assert f'href="{reverse("audit:team_checks")}?' in body

    def test_the_supervisor_sees_their_own_drafts(self, login, supervisor, short_sessions):
        shared, draft = short_sessions
        body = drill(
            login(supervisor), count="short_one_to_ones", supervisor=supervisor.pk
        ).content.decode()
        assert reverse("sessions:detail", args=[draft.pk]) in body
        assert reverse("sessions:detail", args=[shared.pk]) in body
        assert "may not open" not in body

    def test_the_organisation_for_administrators(self, login, administrator, short_sessions):
        client = login(administrator)
        org = client.get(reverse("audit:organisation")).content.decode()
        assert count_link(org, "short_one_to_ones") == 2
        body = drill(client, count="short_one_to_ones").content.decode()
        for session in short_sessions:
            assert reverse("sessions:detail", args=[session.pk]) in body

    def test_another_team_or_supervisor_or_the_organisation_is_not_found(
        self, login, manager, other_manager, supervisor, supervisee, outsider, short_sessions
    ):
        team = supervisee.team
        assert (
            drill(login(other_manager), count="short_one_to_ones", team=team.pk).status_code == 404
        )
        assert (
            drill(
                login(other_manager), count="short_one_to_ones", supervisor=supervisor.pk
            ).status_code
            == 404
        )
        assert drill(login(manager), count="short_one_to_ones").status_code == 404
        assert drill(login(outsider), count="short_one_to_ones", team=team.pk).status_code == 404
        assert drill(login(supervisee), count="short_one_to_ones", team=team.pk).status_code == 404
        assert drill(login(manager), count="no_such_count", team=team.pk).status_code == 404
        assert drill(login(manager), count="short_one_to_ones", team="x").status_code == 404


class TestFlagCounts:
    @pytest.fixture
    def flagged(self, supervisor, supervisee):
        for n in (10, 20):
            session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=days_ago(n))
            ItemFactory(session=session, minutes=80, functions=["management"])
            ItemFactory(session=session, minutes=10, functions=["support"])
        return supervisee

    def test_a_flag_count_opens_to_the_people_and_reasons(
        self, login, manager, flagged, other_supervisee
    ):
        client = login(manager)
        team_page = client.get(reverse("audit:team_balance")).content.decode()
        assert count_link(team_page, "management_dominant") == 1
        body = drill(client, count="management_dominant", team=flagged.team.pk).content.decode()
        assert reverse("audit:person", args=[flagged.pk]) in body
        assert "Sam Social" in body and "Nia Newly" not in body
        assert "Management took 88.89% of 180 minutes across 2 sessions" in body

    def test_organisation_flag_cells_open_per_team(self, login, administrator, flagged):
        org = login(administrator).get(reverse("audit:organisation")).content.decode()
        assert f"count=management_dominant&amp;team={flagged.team.pk}" in org

    def test_another_managers_team_is_not_found(self, login, other_manager, flagged):
        response = drill(login(other_manager), count="management_dominant", team=flagged.team.pk)
        assert response.status_code == 404

    def test_query_count_does_not_grow_with_people(
        self, login, manager, flagged, supervisor, django_assert_max_num_queries
    ):
        client = login(manager)
        params = {"count": "management_dominant", "team": flagged.team.pk}
        client.get(DRILL, params)
        with CaptureQueriesContext(connection) as few:
            client.get(DRILL, params)
        for _ in range(5):
            person = UserFactory(team=flagged.team)
            RelationshipFactory(supervisor=supervisor, supervisee=person)
            session = SessionFactory(supervisor=supervisor, supervisee=person, date=days_ago(5))
            ItemFactory(session=session, minutes=80, functions=["management"])
        with django_assert_max_num_queries(len(few)):
            assert client.get(DRILL, params).status_code == 200
