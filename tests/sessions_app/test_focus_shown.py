"""The focus a supervisor and supervisee agreed last is what the pages show of their focus:
home, the form for a new session of the pair, and a record of theirs."""

import datetime

import pytest
from django.urls import reverse

from core import clock
from people.models import FocusAgreement, Relationship
from sessions_app.selectors import relationships_of
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agreed(supervisor, supervisee):
    """Three agreements over two years, the latest (on support) not the last one made."""
    rel = Relationship.objects.get(supervisor=supervisor, supervisee=supervisee)
    today = clock.today()
    for days_ago, function in [(700, "management"), (30, "support"), (400, "mediation")]:
        FocusAgreement.objects.create(
            relationship=rel,
            agreed_on=today - datetime.timedelta(days=days_ago),
            **{function: True},
        )
    return today - datetime.timedelta(days=30)


def test_each_relationship_comes_with_its_latest_focus_only(supervisor, agreed):
    """Read alone: not every agreement the pair ever made, for the one shown."""
    [read], _ = relationships_of(supervisor, clock.today())
    assert [(f.agreed_on, f.support) for f in read.latest_focus] == [(agreed, True)]


def _focus_of(page):
    """The sentence after "Agreed focus" (the form and the record page)."""
    return page.split("Agreed focus", 1)[1].split("</p>", 1)[0]


def test_home_shows_the_latest_focus(login, supervisor, agreed):
    page = login(supervisor).get(reverse("home")).content.decode()
    assert "Focus: Support" in page
    assert "Focus: Management" not in page and "Focus: Mediation" not in page


def test_the_form_for_the_pairs_next_session_shows_the_latest_focus(
    login, supervisor, supervisee, agreed
):
    url = reverse("sessions:new") + f"?supervisee={supervisee.pk}"
    focus = _focus_of(login(supervisor).get(url).content.decode())
    assert "more attention on Support." in focus
    assert "Management" not in focus and "Mediation" not in focus


def test_a_record_of_the_pair_shows_the_latest_focus(login, supervisor, supervisee, agreed):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=clock.today())
    page = login(supervisor).get(reverse("sessions:detail", args=[session.pk])).content.decode()
    focus = _focus_of(page)
    assert "more attention on Support." in focus
    assert "Management" not in focus and "Mediation" not in focus


def test_the_latest_of_one_day_is_the_last_made_and_no_agreement_reads_as_none(
    supervisor, supervisee
):
    """`relationships_of` reads the focus by a query of its own (`attach_latest_focus`): the
    model's order decides a tie (the later one made), on both sides of the relationship."""
    rel = Relationship.objects.get(supervisor=supervisor, supervisee=supervisee)
    [read], _ = relationships_of(supervisor, clock.today())
    assert read.latest_focus == []
    day = clock.today() - datetime.timedelta(days=3)
    FocusAgreement.objects.create(relationship=rel, agreed_on=day, management=True)
    last = FocusAgreement.objects.create(relationship=rel, agreed_on=day, development=True)
    [read], _ = relationships_of(supervisor, clock.today())
    _, [theirs] = relationships_of(supervisee, clock.today())
    assert read.latest_focus == [last] and theirs.latest_focus == [last]
    assert read.latest_focus[0].relationship is read
