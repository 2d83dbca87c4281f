"""Every form says who will read what is written in it, from the access policy; a reader who
is not a party to a record is told that their reading is logged."""

import datetime

import pytest
from django.urls import reverse

from sessions_app import records
from tests.factories import ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(supervisor, supervisee, manager):
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 11, 2)
    )
    ItemFactory(session=session)
    records.record_share(session=session, by=supervisor)
    return session


def body(client, name, session):
    response = client.get(reverse(f"sessions:{name}", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_feedback_form_names_who_reads_it_and_what_managers_see(login, supervisee, shared):
    page = body(login(supervisee), "feedback", shared)
    assert "Sue Supervisor reads all of your answers and comments." in page
    assert "Your line manager (Mo Manager) and administrators never see your comments" in page
    assert "Your feedback goes to" not in page


def test_the_acknowledgement_form_says_it_becomes_part_of_the_record(login, supervisee, shared):
    page = body(login(supervisee), "acknowledge", shared)
    assert "It becomes part of the record" in page
    assert "Mo Manager (managers) and administrators (read only, each read logged)" in page


def test_the_addendum_form_says_the_same(login, supervisor, shared):
    page = body(login(supervisor), "detail", shared)
    assert 'id="addendum-audience"' in page
    assert "Mo Manager (managers) and administrators" in page


@pytest.mark.parametrize(
    ("role", "logged"),
    [("supervisor", False), ("supervisee", False), ("manager", True), ("administrator", True)],
)
def test_a_reader_who_is_not_a_party_is_told_the_read_is_logged(
    request, login, shared, role, logged
):
    page = body(login(request.getfixturevalue(role)), "detail", shared)
    assert ("Your reading is recorded." in page) is logged
