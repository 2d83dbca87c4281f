"""The everyday journeys, end to end, at 1280 px and at 390 px, with axe-core on every page.

Each journey is what one person does in one sitting: record a one-to-one, record a group
session, share a record and see it acknowledged, added to and signed off, drill as a manager
from a flag to the record behind it and download the CSV, and record a session by keyboard
alone. Every page a journey reaches must have no serious or critical axe-core finding and must
not scroll sideways (`assert_accessible`).
"""

import datetime
import re

import pytest

from core import clock
from sessions_app.models import Acknowledgement, RecordState, Session, Status
from tests.browser.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORD_URL = re.compile(r"/sessions/\d+/$")


def open_and_check(page, url):
    page.goto(url)
    assert_accessible(page)
    return page


def submit(page, button_name):
    """Press a form's button, wait for the next page, and check that page."""
    page.get_by_role("button", name=button_name).click()
    page.wait_for_load_state()
    assert_accessible(page)


def add_item(page, index, title, minutes, functions):
    page.get_by_role("button", name="Add an item").click()
    page.locator(f"#id_items-{index}-title").fill(title)
    page.locator(f"#id_items-{index}-minutes").fill(str(minutes))
    for function in functions:
        page.locator(f"input[name='items-{index}-functions'][value='{function}']").check()


def test_record_a_one_to_one(sign_in, supervisor, supervisee, width):
    from playwright.sync_api import expect

    page = sign_in(supervisor)
    assert_accessible(page)
    page.get_by_role("link", name=f"Record a session with {supervisee.name}").click()
    assert_accessible(page)

    # Saved empty first: the errors are shown, and that page is accessible too.
    page.get_by_label("Duration (minutes)").fill("")
    submit(page, "Save session")
    assert Session.objects.count() == 0

    page.get_by_label("Duration (minutes)").fill("60")
    add_item(page, 0, "Caseload review", 40, ["management"])
    add_item(page, 1, "A hard visit", 30, ["support", "development"])
    tally = page.locator("#tally")
    # 70 minutes of items in a 60-minute session: the warning is on screen while typing,
    # at a phone's width too (the tally is a bar at the foot of the screen there).
    expect(tally.locator("[data-tally-unallocated]")).to_contain_text("over the duration")
    expect(tally.locator("[data-tally-unallocated]")).to_be_in_viewport()
    page.locator("#id_items-1-minutes").fill("20")
    expect(tally.locator("[data-tally-unallocated]")).to_have_text("0 min")
    assert_accessible(page)

    submit(page, "Save session")
    expect(page).to_have_url(RECORD_URL)
    session = Session.objects.get()
    assert session.status == Status.HELD
    assert list(session.attendances.values_list("person", flat=True)) == [supervisee.pk]
    assert session.items.count() == 2


def test_record_a_group_session(sign_in, supervisor, supervisee, other_supervisee, width):
    from playwright.sync_api import expect

    page = sign_in(supervisor)
    page.get_by_role("link", name="Group session").click()
    assert_accessible(page)
    page.get_by_label("Held").check()
    page.get_by_label("Kind of group").select_option("team")
    page.get_by_label("Duration (minutes)").fill("60")
    page.locator(f"input[name='attendee_{supervisee.pk}'][value='present']").check()
    page.locator(f"input[name='attendee_{other_supervisee.pk}'][value='absent']").check()
    add_item(page, 0, "Team policy update", 30, ["management", "mediation"])
    add_item(page, 1, "Wellbeing check-in", 30, ["support"])
    expect(page.locator("#tally [data-tally-unallocated]")).to_have_text("0 min")
    assert_accessible(page)

    submit(page, "Save session")
    expect(page).to_have_url(RECORD_URL)
    group = Session.objects.get()
    assert group.is_group
    present = set(group.attendances.filter(present=True).values_list("person", flat=True))
    assert present == {supervisee.pk}


def test_share_acknowledge_add_an_addendum_and_sign_off(sign_in, supervisor, supervisee, width):
    from tests.factories import ItemFactory, SessionFactory

    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() - datetime.timedelta(days=2),
    )
    ItemFactory(session=session, title="Caseload", minutes=60, functions=["management"])
    ItemFactory(session=session, title="Training", minutes=30, functions=["development"])

    page = sign_in(supervisor)
    open_and_check(page, f"/sessions/{session.pk}/")
    submit(page, re.compile("Share with"))
    assert "The record is shared" in page.content()

    page = sign_in(supervisee)
    assert_accessible(page)
    page.get_by_role("link", name=f"{session.date.day} {session.date:%b %Y}").first.click()
    assert_accessible(page)
    page.get_by_role("link", name="Acknowledge this record").click()
    assert_accessible(page)
    page.get_by_label("I agree, with comments").check()
    page.get_by_label("Your comments or reasons").fill("Thank you; the training plan helps.")
    submit(page, "Send my response")

    page = sign_in(supervisor)
    open_and_check(page, f"/sessions/{session.pk}/")
    assert "Thank you; the training plan helps." in page.content()
    page.get_by_label("Addendum").fill("Training booked for January.")
    submit(page, "Add addendum")
    submit(page, "Sign off and lock")
    assert "signed off and locked" in page.content()

    session.refresh_from_db()
    assert session.record_state == RecordState.SIGNED_OFF
    assert Acknowledgement.objects.get().response == "agree_with_comments"
    assert session.addenda.count() == 1


def test_give_feedback_on_a_shared_record(sign_in, supervisor, supervisee, width):
    from tests.factories import ItemFactory, SessionFactory

    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() - datetime.timedelta(days=1),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=session, title="Caseload", minutes=60, functions=["management"])

    page = sign_in(supervisee)
    open_and_check(page, f"/sessions/{session.pk}/")
    page.get_by_role("link", name="Give feedback").click()
    assert_accessible(page)
    # Sent with nothing chosen: whatever the form asks for, its errors are accessible.
    submit(page, "Send feedback")


def test_manager_drills_from_a_flag_to_a_record_and_downloads_the_csv(
    sign_in, manager, supervisor, supervisee, width
):
    from tests.factories import ItemFactory, SessionFactory

    today = clock.today()
    for days_ago in (7, 21, 35, 49):
        session = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=today - datetime.timedelta(days=days_ago),
            record_state=RecordState.SHARED,
        )
        ItemFactory(session=session, title="Caseload", minutes=80, functions=["management"])
        ItemFactory(session=session, title="Check-in", minutes=10, functions=["support"])

    page = sign_in(manager)
    open_and_check(page, "/audit/teams/?window=6")
    # The team's other pages, each a tab away with the same window, and back to its balance.
    tabs = page.get_by_role("navigation", name="The team's pages")
    for tab in ("Month by month", "Feedback and focus", "Cancellations and checks", "Balance"):
        tabs.get_by_role("link", name=tab).click()
        page.wait_for_load_state()
        assert_accessible(page)
        assert tabs.get_by_role("link", name=tab).get_attribute("aria-current") == "page"
        assert "window=6" in page.url
    flagged = page.get_by_role("table", name=re.compile("Each supervisee's shares"))
    row = flagged.get_by_role("row").filter(has_text=supervisee.name)
    assert "Management dominant" in row.inner_text()
    row.get_by_role("link", name=supervisee.name).click()
    assert_accessible(page)
    assert "Management dominant" in page.locator("#flags-heading").locator("xpath=..").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the flags (CSV)").click()
    csv_text = open(download.value.path(), encoding="utf-8-sig").read()
    assert supervisee.name in csv_text or supervisee.email in csv_text

    page.get_by_role("table", name=re.compile("Held sessions in the window")).get_by_role(
        "link"
    ).first.click()
    page.wait_for_url(RECORD_URL)
    assert_accessible(page)
    assert "Caseload" in page.content()


FOCUS_IS_VISIBLE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== "none";
  return outline || ring;
}"""


def tab_to(page, selector, *, limit=80):
    """Press Tab until `selector` has the focus, which must be visible; fail after `limit`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_IS_VISIBLE), f"No visible focus on {selector}"
            return
    pytest.fail(f"{selector} never took the keyboard focus in {limit} presses of Tab")


def test_record_a_session_by_keyboard_alone(sign_in, supervisor, supervisee, width):
    from playwright.sync_api import expect

    page = sign_in(supervisor)
    # From the top of the home page (the skip link first), by Tab and Enter only.
    tab_to(page, f"a[href*='supervisee={supervisee.pk}'][href*='held=1']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sessions/new/"))
    assert_accessible(page)

    tab_to(page, "#id_duration_minutes")
    page.keyboard.press("Control+A")
    page.keyboard.type("45")
    tab_to(page, "button[data-add=item]")
    page.keyboard.press("Enter")
    tab_to(page, "#id_items-0-title")
    page.keyboard.type("Reflecting on a home visit")
    tab_to(page, "#id_items-0-minutes")
    page.keyboard.type("45")
    tab_to(page, "input[name='items-0-functions'][value='support']")
    page.keyboard.press("Space")
    expect(page.locator("#tally [data-tally-function=support]")).to_have_text("45 min (100%)")
    tab_to(page, "button[name=save]")
    page.keyboard.press("Enter")
    page.wait_for_url(RECORD_URL)
    assert_accessible(page)

    session = Session.objects.get()
    assert session.duration_minutes == 45
    assert [(i.title, i.functions) for i in session.items.all()] == [
        ("Reflecting on a home visit", ["support"])
    ]


def test_the_menu_by_keyboard(sign_in, supervisor, supervisee, width):
    from playwright.sync_api import expect

    page = sign_in(supervisor)
    if width < 768:
        # On a phone the menu is behind its button: opened by keyboard, it is checked open.
        tab_to(page, ".navbar-toggler")
        page.keyboard.press("Enter")
        expect(page.locator("#main-nav")).to_be_visible()
        assert_accessible(page)
    tab_to(page, ".ff-navbar a[href='/sessions/']")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/sessions/$"))
    assert_accessible(page)
