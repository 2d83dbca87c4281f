"""Forms that fit the work, in a real browser (issue 9): a group session with one absence,
and a broken recording form whose every problem is listed at once, each a link to its field.
The main journeys run at both widths (the `width` fixture), with axe on each state reached."""

import re

import pytest

from sessions_app.models import Feedback, RecordState, Session
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def test_record_a_group_session_with_one_absence(
    sign_in, supervisor, supervisee, other_supervisee, width
):
    page = sign_in(supervisor)
    page.get_by_role("link", name="Group session").click()
    page.get_by_label("Held").check()
    page.get_by_label("Kind of group").select_option("team")
    page.get_by_label("Duration (minutes)").fill("60")

    # Everyone starts present; the facilitator is not on the list.
    attendance = page.get_by_role("group", name="Group attendance")
    for person in (supervisee, other_supervisee):
        expect(page.locator(f"input[name='attendee_{person.pk}'][value='present']")).to_be_checked()
    assert page.locator(f"input[name='attendee_{supervisor.pk}']").count() == 0
    assert str(supervisor) not in attendance.inner_text()

    assert_accessible(page)
    # One click marks the absence.
    page.locator(f"input[name='attendee_{other_supervisee.pk}'][value='absent']").check()

    page.get_by_role("button", name="Add an item").click()
    page.locator("#id_items-0-title").fill("Team practice")
    page.locator("#id_items-0-minutes").fill("45")
    page.locator("input[name='items-0-functions'][value='development']").check()
    page.get_by_role("button", name="Save session").click()
    page.wait_for_url(re.compile(r"/sessions/\d+/$"))

    group = Session.objects.get()
    marks = dict(group.attendances.values_list("person_id", "present"))
    assert marks == {supervisee.pk: True, other_supervisee.pk: False}


def test_a_broken_recording_form_lists_every_problem_at_once(
    sign_in, supervisor, supervisee, width
):
    page = sign_in(supervisor)
    page.goto("/sessions/new/?held=1")
    page.get_by_label("Duration (minutes)").fill("30")
    page.get_by_role("button", name="Add an item").click()
    page.locator("#id_items-0-title").fill("Caseload review")
    page.locator("#id_items-0-minutes").fill("40")  # over the duration, and no function
    page.get_by_role("button", name="Add an action").click()
    page.locator("#id_actions-0-description").fill("Ask legal")
    page.locator("#id_actions-0-owner").select_option("other")  # and no name
    page.get_by_role("button", name="Save session").click()

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    assert len(texts) == 4, texts
    assert any(text.startswith("Supervisee") for text in texts)
    assert any("The items add up to 40 minutes" in text for text in texts)
    assert any(text.startswith("Item 1: ") for text in texts)
    assert any(text.startswith("Action 1: ") for text in texts)
    # What was typed is kept.
    expect(page.locator("#id_items-0-title")).to_have_value("Caseload review")
    assert_accessible(page)

    # A link takes the keyboard to its field.
    summary.get_by_role("link", name=re.compile(r"^Item 1: ")).click()
    expect(page.locator("#id_items-0-functions_0")).to_be_focused()
    summary.get_by_role("link", name=re.compile(r"^Supervisee")).click()
    expect(page.locator("#id_supervisee")).to_be_focused()
    assert Session.objects.count() == 0


def test_the_tags_are_explained_where_people_tag(sign_in, supervisor, supervisee, width):
    page = sign_in(supervisor)
    page.goto(f"/sessions/new/?supervisee={supervisee.pk}&held=1")
    page.get_by_role("button", name="Add an item").click()
    box = page.locator("input[name='items-0-stages'][value='reflection']")
    expect(box).to_have_accessible_description(re.compile("Thinking about it"))
    page.get_by_text("What the tags mean").click()
    expect(page.locator("#def-function-mediation")).to_be_visible()
    page.get_by_role("link", name="The 4x4x4 model in Fourfold").click()
    expect(page.get_by_role("heading", name="How each flag is worked out")).to_be_visible()
    assert_accessible(page)


def test_feedback_skipped_question_records_no_answer(sign_in, supervisor, supervisee, width):
    from tests.factories import SessionFactory

    shared = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
    )
    page = sign_in(supervisee)
    page.goto(f"/sessions/{shared.pk}/feedback/")
    expect(page.get_by_label("No, none dominated")).not_to_be_checked()
    page.get_by_role("button", name="Send feedback").click()
    # Nothing answered yet: every required question is listed, in one round.
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert summary.get_by_role("link").count() == 5
    assert_accessible(page)
    for question in ("management", "development", "support", "mediation"):
        page.locator(f"input[name='{question}'][value='about_right']").check()
    page.locator("input[name='usefulness'][value='4']").check()
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(re.compile(rf"/sessions/{shared.pk}/$"))
    feedback = Feedback.objects.get()
    assert feedback.dominated is None and feedback.wants_more is None


def test_action_owners_follow_who_is_present(sign_in, supervisor, supervisee, other_supervisee):
    page = sign_in(supervisor)
    page.goto("/sessions/new/?held=1")
    page.get_by_role("button", name="Add an action").click()
    owner = page.locator("#id_actions-0-owner")
    assert owner.locator("option").all_inner_texts() == [
        "Sue Supervisor (you, the supervisor)",
        "The supervisee",
        "Someone else (name below)",
    ]
    page.get_by_label("Supervisee").select_option(str(supervisee.pk))
    assert owner.locator("option").all_inner_texts() == [
        "Sue Supervisor (you, the supervisor)",
        "Sam Social (the supervisee)",
        "Someone else (name below)",
    ]
    # A group: the members marked present, and a new action offers the same.
    page.get_by_role("radio", name="Group").check()
    page.locator(f"input[name='attendee_{other_supervisee.pk}'][value='absent']").check()
    page.get_by_role("button", name="Add an action").click()
    assert page.locator("#id_actions-1-owner option").all_inner_texts() == [
        "Sue Supervisor (you, the supervisor)",
        "Sam Social",
        "Someone else (name below)",
    ]


def test_one_click_marks_the_whole_group(sign_in, supervisor, supervisee, other_supervisee):
    page = sign_in(supervisor)
    page.goto("/sessions/new/?format=group&held=1")
    radios = page.locator("input[name^='attendee_'][value='present']")
    page.get_by_role("button", name="Mark no one (then choose who was there)").click()
    for index in range(radios.count()):
        expect(radios.nth(index)).not_to_be_checked()
    page.locator(f"input[name='attendee_{supervisee.pk}'][value='present']").check()
    page.get_by_role("button", name="Mark everyone present").click()
    for index in range(radios.count()):
        expect(radios.nth(index)).to_be_checked()
