"""What needs me, in a real browser at 1280 px and 390 px, with axe-core on every page: a
supervisee disputes a record and their supervisor, told on their home page, replies on the
record; a supervisee gives the feedback their home asks for; an administrator reads the import
guide, imports a bad then a good file, and edits the audit policy in percentages."""

import datetime
import re
from decimal import Decimal

import pytest

from audit.models import AuditPolicy
from core import clock
from sessions_app.models import Acknowledgement, DisputeReply, Feedback, RecordState, Response
from tests.browser.conftest import assert_accessible
from tests.factories import ItemFactory, SessionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def day(d):
    return f"{d.day} {d:%b %Y}"


def shared_record(supervisor, supervisee, days_ago=2):
    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() - datetime.timedelta(days=days_ago),
        record_state=RecordState.SHARED,
        shared_at=clock.now(),
    )
    ItemFactory(session=session, title="Caseload", minutes=60, functions=["management"])
    return session


def click_and_check(page, link_or_button):
    link_or_button.click()
    page.wait_for_load_state()
    assert_accessible(page)


def choose(page, name, value):
    select = page.locator(f"select[name='{name}']")
    if select.count():
        select.select_option(value)
    else:
        page.locator(f"input[name='{name}'][value='{value}']").check()


def test_supervisee_disputes_and_the_supervisor_replies_from_their_home(
    sign_in, supervisor, supervisee, width
):
    from playwright.sync_api import expect

    session = shared_record(supervisor, supervisee)

    page = sign_in(supervisee)
    assert_accessible(page)
    click_and_check(
        page,
        page.get_by_role("link", name=f"Read and acknowledge your record of {day(session.date)}"),
    )
    click_and_check(page, page.get_by_role("link", name="Acknowledge this record"))
    page.get_by_label("I disagree").check()
    page.get_by_label("Your comments or reasons").fill("We agreed two visits, not one.")
    click_and_check(page, page.get_by_role("button", name="Send my response"))

    page = sign_in(supervisor)
    assert_accessible(page)
    attention = page.locator("section[aria-labelledby='attention']")
    expect(attention).to_contain_text("Disputed")
    click_and_check(page, attention.get_by_role("link", name=re.compile("Reply to Sam Social")))
    assert "We agreed two visits, not one." in page.content()
    page.get_by_label("Reply to Sam Social").fill("You are right: two visits. I add an addendum.")
    click_and_check(page, page.get_by_role("button", name="Send reply to Sam Social"))
    expect(page.locator(".dispute-reply")).to_contain_text("two visits")

    reply = DisputeReply.objects.get()
    assert reply.acknowledgement == Acknowledgement.objects.get(response=Response.DISAGREE)
    # No longer waiting for the supervisor; the list shows the record as disputed and answered.
    page.goto("/")
    expect(page.locator("section[aria-labelledby='attention']")).not_to_contain_text("disagreed")
    page.goto("/sessions/")
    assert_accessible(page)
    expect(page.get_by_text("Disputed, replied").first).to_be_visible()

    page = sign_in(supervisee)
    page.goto(f"/sessions/{session.pk}/")
    assert_accessible(page)
    expect(page.locator(".dispute-reply")).to_contain_text("Reply by Sue Supervisor")


def test_feedback_given_from_the_home_page(sign_in, supervisor, supervisee, width):
    from playwright.sync_api import expect

    session = shared_record(supervisor, supervisee)
    page = sign_in(supervisee)
    click_and_check(
        page, page.get_by_role("link", name=f"Give feedback on your session of {day(session.date)}")
    )
    for function in ("management", "development", "support", "mediation"):
        choose(page, function, "about_right")
    choose(page, "dominated", "none")
    choose(page, "wants_more", "development")
    choose(page, "usefulness", "4")
    click_and_check(page, page.get_by_role("button", name="Send feedback"))
    feedback = Feedback.objects.get()
    assert feedback.usefulness == 4 and feedback.wants_more == "development"
    page.goto("/")
    expect(page.locator("section[aria-labelledby='attention']")).not_to_contain_text(
        "Give feedback"
    )

    page = sign_in(supervisor)
    attention = page.locator("section[aria-labelledby='attention']")
    click_and_check(
        page, attention.get_by_role("link", name=re.compile("Read Sam Social's feedback"))
    )
    expect(page.locator("#feedback-heading")).to_be_visible()


PEOPLE_BAD = (
    "email,name,team,role\n"
    "pat@example.org,Pat Senior,Adults North,boss\n"
    "not-an-email,,Adults North,practitioner\n"
)
PEOPLE_GOOD = (
    "email,name,team,role\n"
    "pat@example.org,Pat Senior,Adults North,practitioner\n"
    "lee@example.org,Lee Lane,Adults North,manager\n"
)


def upload(page, text):
    page.locator("input[name='kind'][value='people']").check()
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": text.encode()}]
    )
    click_and_check(page, page.get_by_role("button", name="Import"))


def test_administrator_imports_a_bad_then_a_good_file_and_edits_the_policy(
    sign_in, administrator, width
):
    from playwright.sync_api import expect

    page = sign_in(administrator)
    assert_accessible(page)
    click_and_check(page, page.get_by_role("link", name="Import people or sessions"))
    click_and_check(page, page.get_by_role("link", name=re.compile("How to prepare the files")))
    expect(page.get_by_role("heading", name="How to prepare an import")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the people template (CSV)").click()
    assert download.value.suggested_filename == "fourfold-people-template.csv"
    click_and_check(page, page.get_by_role("link", name="Back to the import page"))

    upload(page, PEOPLE_BAD)
    expect(page.get_by_role("heading", name=re.compile("Nothing was imported"))).to_be_visible()
    expect(page.locator(".import-problems")).to_contain_text("row 2, column role")
    upload(page, PEOPLE_GOOD)
    expect(page.get_by_role("heading", name="Imported")).to_be_visible()

    page.goto("/")
    click_and_check(page, page.get_by_role("link", name="Audit policy"))
    field = page.get_by_label("Management dominant above (%)")
    expect(field).to_have_value("50")
    field.fill("150")
    click_and_check(page, page.get_by_role("button", name="Save the policy"))
    expect(page.locator("#div_id_dominance_threshold")).to_contain_text(
        "Enter a percentage from 0 to 100."
    )
    page.get_by_label("Management dominant above (%)").fill("60")
    click_and_check(page, page.get_by_role("button", name="Save the policy"))
    expect(page.get_by_text("The audit policy is saved.")).to_be_visible()
    expect(page.locator("#policy-history").locator("..")).to_contain_text("Changed by Ada Admin")
    assert AuditPolicy.current().dominance_threshold == Decimal("0.6")
