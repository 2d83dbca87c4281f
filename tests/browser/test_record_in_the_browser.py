"""The issues' "done when", in a real browser: JavaScript, forms, and the whole journey."""

import datetime
import re

import pytest

from core import clock
from sessions_app.models import Acknowledgement, Feedback, RecordState, Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def add_item(page, index, title, minutes, functions):
    page.get_by_role("button", name="Add an item").click()
    page.locator(f"#id_items-{index}-title").fill(title)
    page.locator(f"#id_items-{index}-minutes").fill(str(minutes))
    for function in functions:
        page.locator(f"input[name='items-{index}-functions'][value='{function}']").check()


def add_action(page, index, description, owner):
    page.get_by_role("button", name="Add an action").click()
    page.locator(f"#id_actions-{index}-description").fill(description)
    page.locator(f"#id_actions-{index}-owner").select_option(owner)


def test_group_session_with_three_items_and_two_actions(
    sign_in, supervisor, supervisee, other_supervisee
):
    page = sign_in(supervisor)
    page.get_by_role("link", name="Group session").click()
    page.get_by_label("Held").check()
    page.get_by_label("Kind of group").select_option("team")
    page.get_by_label("Duration (minutes)").fill("60")
    page.locator(f"input[name='attendee_{supervisee.pk}'][value='present']").check()
    page.locator(f"input[name='attendee_{other_supervisee.pk}'][value='absent']").check()

    add_item(page, 0, "Team policy update", 30, ["management", "mediation"])
    add_item(page, 1, "Wellbeing check-in", 20, ["support"])
    add_item(page, 2, "Learning from a review", 10, ["development"])
    # The live tally: 30 / 2 to management and mediation, the rest whole.
    from playwright.sync_api import expect

    tally = page.locator("#tally")
    expect(tally.locator("[data-tally-function=management]")).to_have_text("15 min (25%)")
    expect(tally.locator("[data-tally-unallocated]")).to_have_text("0 min")

    add_action(page, 0, "Circulate the policy", "supervisor")
    add_action(page, 1, "Present a case next month", f"person:{supervisee.pk}")
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))

    group = Session.objects.get()
    assert group.items.count() == 3
    assert group.actions.count() == 2

    page.goto("/")
    assert page.get_by_role("link", name=f"{group.date.day} {group.date:%b %Y}").count() >= 1

    # The next session with one of those supervisees brings both actions forward.
    page.goto(f"/sessions/new/?supervisee={supervisee.pk}&held=1")
    brought_forward = page.get_by_role("group", name="Actions brought forward")
    assert "Circulate the policy" in brought_forward.inner_text()
    assert "Present a case next month" in brought_forward.inner_text()


def test_share_feedback_disagree_addendum_sign_off(sign_in, supervisor, supervisee):
    from tests.factories import ItemFactory, SessionFactory

    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() - datetime.timedelta(days=2),
    )
    ItemFactory(
        session=session, title="Caseload and deadlines", minutes=60, functions=["management"]
    )
    ItemFactory(session=session, title="Training", minutes=20, functions=["development"])

    page = sign_in(supervisor)
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_role("button", name=re.compile("Share with")).click()
    assert "The record is shared" in page.content()

    page = sign_in(supervisee)
    page.get_by_role("link", name=f"{session.date.day} {session.date:%b %Y}").first.click()
    page.get_by_role("link", name="Give feedback").click()
    for function, rating in [
        ("management", "Too much"),
        ("development", "Too little"),
        ("support", "About right"),
        ("mediation", "Too little"),
    ]:
        page.locator(f"#div_id_{function}").get_by_label(rating).check()
    page.locator("#div_id_dominated").get_by_label("Management").check()
    page.locator("#div_id_usefulness").get_by_label("2", exact=True).check()
    page.get_by_role("button", name="Send feedback").click()
    page.get_by_role("link", name="Acknowledge this record").click()
    page.get_by_label("I disagree").check()
    page.get_by_label("Your comments or reasons").fill("The training plan was not agreed.")
    page.get_by_role("button", name="Send my response").click()

    page = sign_in(supervisor)
    page.goto(f"/sessions/{session.pk}/")
    body = page.content()
    assert "Said management dominated." in body
    assert "The training plan was not agreed." in body
    page.get_by_label("Addendum").fill("Agreed: the training plan is to be discussed next time.")
    page.get_by_role("button", name="Add addendum").click()
    page.get_by_role("button", name="Sign off and lock").click()
    assert "signed off and locked" in page.content()

    session.refresh_from_db()
    assert session.record_state == RecordState.SIGNED_OFF
    assert Feedback.objects.get().dominated == "management"
    assert Acknowledgement.objects.get().response == "disagree"

    assert page.get_by_role("link", name="Edit record").count() == 0
    response = page.goto(f"/sessions/{session.pk}/edit/")
    assert response.status == 403
    page.goto(f"/sessions/{session.pk}/")
    page.get_by_text("Every change to this record").click()
    history = page.locator("#history-heading").locator("xpath=..").inner_text()
    assert "Item “Caseload and deadlines” added by" in history
    assert "Session details changed by Sue Supervisor" in history
    assert "Shared by Sue Supervisor" in history
    assert "Acknowledged by Sam Social" in history
    assert "the acknowledgement of Sam Social" not in history
