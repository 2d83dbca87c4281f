"""import_sessions: what a good file writes, and every bad row named by row and column."""

import datetime

import pytest

from sessions_app.models import Acknowledgement, Attendance, Item, RecordState, Session
from tests.factories import UserFactory
from tests.imports.helpers import (
    NO_ITEM,
    SESSIONS_HEADER,
    census,
    csv_text,
    run,
    run_failing,
    session_row,
)


@pytest.fixture
def cast(supervisor, supervisee, other_supervisee):
    """Sue supervises Sam and Nia; Pat is another member of the team."""
    return {"pat": UserFactory(email="pat@example.org", name="Pat Senior")}


def good_rows():
    return [
        session_row(),
        session_row(
            item_title="Training plan",
            item_minutes="20",
            functions="development; support",
            stages="reflection",
            stakeholders="supervisee;organisation",
            case_ref="C-1001",
            risk="yes",
            notes="Agreed, with a date",
        ),
        session_row(
            session_ref="G1",
            date="2026-01-20",
            format="group",
            group_type="team",
            supervisees="sam@example.org;NIA@example.org",
            absent="pat@example.org",
            duration_minutes="60",
            item_title="Policy update",
            item_minutes="30",
            functions="management;mediation",
            stages="experience",
            stakeholders="organisation",
        ),
        session_row(
            session_ref="P1",
            date="2026-03-05",
            supervisees="nia@example.org",
            status="planned",
            **{**NO_ITEM, "risk": "no"},
        ),
    ]


def test_good_file_creates_sessions_attendances_and_items(cast, sessions_file):
    output = run("import_sessions", sessions_file(good_rows()))

    assert output.strip() == (
        "Imported 3 sessions (3 new, 0 changed, 0 unchanged), "
        "3 items (3 new, 0 changed, 0 removed), 5 attendances (5 new, 0 changed, 0 removed)."
    )
    one_to_one = Session.objects.get(external_ref="S1")
    assert one_to_one.date == datetime.date(2026, 1, 8)
    assert (one_to_one.format, one_to_one.group_type) == ("one_to_one", "")
    assert one_to_one.supervisor.email == "sue@example.org"
    assert (one_to_one.status, one_to_one.duration_minutes) == ("held", 90)
    assert one_to_one.record_state == RecordState.DRAFT
    assert [(a.person.email, a.present) for a in one_to_one.attendances.all()] == [
        ("sam@example.org", True)
    ]
    first, second = one_to_one.items.all()
    assert (first.position, first.title, first.minutes) == (0, "Caseload review", 40)
    assert first.functions == ["management"]
    assert first.stages == ["experience", "plans_actions"]
    assert first.stakeholders == ["supervisee"]
    assert (first.case_ref, first.risk, first.notes) == ("", False, "")
    assert (second.position, second.functions) == (1, ["development", "support"])
    assert second.stakeholders == ["supervisee", "organisation"]
    assert (second.case_ref, second.risk, second.notes) == ("C-1001", True, "Agreed, with a date")

    group = Session.objects.get(external_ref="G1")
    assert (group.format, group.group_type) == ("group", "team")
    assert {(a.person.email, a.present) for a in group.attendances.all()} == {
        ("sam@example.org", True),
        ("nia@example.org", True),
        ("pat@example.org", False),
    }
    planned = Session.objects.get(external_ref="P1")
    assert planned.status == "planned"
    assert planned.items.count() == 0
    assert [a.person.email for a in planned.attendances.all()] == ["nia@example.org"]


def test_reimporting_the_same_file_changes_nothing(cast, sessions_file):
    path = sessions_file(good_rows())
    run("import_sessions", path)
    before = census()
    fields = list(Session.objects.values().order_by("pk"))
    items = list(Item.objects.values().order_by("pk"))
    attendances = list(Attendance.objects.values().order_by("pk"))

    output = run("import_sessions", path)

    assert "3 sessions (0 new, 0 changed, 3 unchanged)" in output
    assert census() == before
    assert list(Session.objects.values().order_by("pk")) == fields
    assert list(Item.objects.values().order_by("pk")) == items
    assert list(Attendance.objects.values().order_by("pk")) == attendances


def test_reimporting_a_changed_session_replaces_its_items_in_place(cast, sessions_file):
    run("import_sessions", sessions_file(good_rows()))
    session = Session.objects.get(external_ref="S1")
    first_item = session.items.get(position=0)
    history_before = Session.history.count()

    changed = [session_row(duration_minutes="60", item_minutes="45", supervisees="nia@example.org")]
    output = run("import_sessions", sessions_file(changed + good_rows()[2:]))

    assert "3 sessions (0 new, 1 changed, 2 unchanged)" in output
    assert "2 items (0 new, 1 changed, 1 removed)" in output
    assert "5 attendances (1 new, 0 changed, 1 removed)" in output
    session.refresh_from_db()
    assert session.duration_minutes == 60
    assert session.version == 2
    assert [a.person.email for a in session.attendances.all()] == ["nia@example.org"]
    assert [(item.pk, item.minutes) for item in session.items.all()] == [(first_item.pk, 45)]
    assert Session.history.count() == history_before + 1
    assert first_item.history.count() == 2


def test_dry_run_writes_nothing_and_says_so(cast, sessions_file):
    before = census()

    output = run("import_sessions", sessions_file(good_rows()), "--dry-run")

    assert output.startswith("Dry run: the file is valid; nothing was written.")
    assert "It would import 3 sessions (3 new, 0 changed, 0 unchanged)" in output
    assert census() == before


def test_dry_run_of_a_bad_file_lists_the_problems(cast, sessions_file):
    before = census()
    lines = run_failing(
        "import_sessions", sessions_file([session_row(date="2026-02-30")]), "--dry-run"
    )
    assert lines == ['row 2, column date: "2026-02-30" is not a date in the form YYYY-MM-DD']
    assert census() == before


def test_bom_extra_columns_capitals_and_absent_optional_columns_are_accepted(cast, write_file):
    header = [c for c in SESSIONS_HEADER if c not in ("absent", "case_ref", "risk", "notes")]
    header.append("source")
    row = session_row(supervisor="Sue@Example.ORG", supervisees=" SAM@example.org ", source="x")
    path = write_file("\ufeff" + csv_text(header, [row]))

    run("import_sessions", path)

    session = Session.objects.get(external_ref="S1")
    assert session.supervisor.email == "sue@example.org"
    assert session.attendances.get().person.email == "sam@example.org"


LOCKED = "This record is signed off and locked. Add an addendum to correct or add to it."
SHARED = (
    "This record has been shared, so it is no longer edited in place. Withdraw it "
    "(possible until someone acknowledges it) or add an addendum."
)


def test_signed_off_session_cannot_be_changed_by_an_import(cast, sessions_file):
    run("import_sessions", sessions_file(good_rows()))
    Session.objects.filter(external_ref="S1").update(record_state=RecordState.SIGNED_OFF)
    before = census()

    lines = run_failing("import_sessions", sessions_file([session_row(item_minutes="41")]))

    assert lines == [f"row 2, column session_ref: session S1: {LOCKED}"]
    assert census() == before


def test_signed_off_session_reimported_unchanged_is_fine(cast, sessions_file):
    path = sessions_file(good_rows())
    run("import_sessions", path)
    Session.objects.filter(external_ref="S1").update(record_state=RecordState.SIGNED_OFF)

    assert "0 new, 0 changed, 3 unchanged" in run("import_sessions", path)


@pytest.mark.parametrize(
    "change",
    [{"status": "planned"}, {"item_minutes": "41"}, {"item_title": "Something else"}],
    ids=["status", "minutes", "title"],
)
def test_a_shared_record_is_never_replaced_by_a_reimport(cast, sessions_file, change):
    """Acknowledged by its supervisee, the record they agreed stays as it is (an addendum
    corrects it), exactly as on the record page."""
    run("import_sessions", sessions_file(good_rows()[:2]))
    session = Session.objects.get(external_ref="S1")
    Session.objects.filter(pk=session.pk).update(record_state=RecordState.SHARED)
    Acknowledgement.objects.create(
        session=session, person=session.attendances.get().person, response="agree"
    )
    before = census()

    second = {**good_rows()[1], "status": change.get("status", "held")}
    lines = run_failing("import_sessions", sessions_file([session_row(**change), second]))

    assert lines == [f"row 2, column session_ref: session S1: {SHARED}"]
    assert census() == before
    assert list(session.items.values_list("title", flat=True)) == [
        "Caseload review",
        "Training plan",
    ]


def test_a_held_session_in_the_future_is_refused_by_row(cast, sessions_file, today):
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    lines = run_failing(
        "import_sessions",
        sessions_file(
            [session_row(date=tomorrow), session_row(date="2999-01-01", session_ref="S2")]
        ),
    )
    message = (
        "A held session cannot be dated in the future. Choose today or an earlier date, "
        "or record it as planned."
    )
    assert lines == [f"row 2, column date: {message}", f"row 3, column date: {message}"]
    assert not Session.objects.exists()
    # Planned in the future is what a diary is for.
    run("import_sessions", sessions_file([session_row(date=tomorrow, status="planned", **NO_ITEM)]))


ALL_FUNCTIONS = "(use management;development;support;mediation)"

BAD_FILES = {
    "unknown supervisor": (
        [session_row(supervisor="zed@example.org")],
        ["row 2, column supervisor: no person has the email zed@example.org"],
    ),
    "unknown supervisee, reported once per session": (
        [session_row(supervisees="zed@example.org"), session_row(supervisees="zed@example.org")],
        ["row 2, column supervisees: no person has the email zed@example.org"],
    ),
    "unknown absent member": (
        [session_row(format="group", group_type="peer", absent="Zed@example.org")],
        ["row 2, column absent: no person has the email zed@example.org"],
    ),
    "not an email": (
        [session_row(supervisor="sue at example.org")],
        ['row 2, column supervisor: "sue at example.org" is not an email address'],
    ),
    "unknown function": (
        [session_row(functions="management;managment")],
        [f'row 2, column functions: "managment" is not a function {ALL_FUNCTIONS}'],
    ),
    "unknown stage": (
        [session_row(stages="experience;action")],
        [
            'row 2, column stages: "action" is not a stage '
            "(use experience;reflection;analysis;plans_actions)"
        ],
    ),
    "unknown stakeholder": (
        [session_row(stakeholders="service users")],
        [
            'row 2, column stakeholders: "service users" is not a stakeholder '
            "(use supervisee;people;organisation;partners)"
        ],
    ),
    "no function": (
        [session_row(functions=" ; ")],
        [
            "row 2, column functions: at least one function is required "
            "(one to four of management;development;support;mediation)"
        ],
    ),
    "repeated function": (
        [session_row(functions="support;management; support")],
        ['row 2, column functions: "support" is repeated'],
    ),
    "repeated supervisee": (
        [
            session_row(
                format="group", group_type="team", supervisees="sam@example.org;SAM@example.org"
            )
        ],
        ['row 2, column supervisees: "SAM@example.org" is repeated'],
    ),
    "item minutes zero": (
        [session_row(item_minutes="0")],
        ['row 2, column item_minutes: "0" is not a whole number of minutes greater than 0'],
    ),
    "item minutes negative": (
        [session_row(item_minutes="-5")],
        ['row 2, column item_minutes: "-5" is not a whole number of minutes greater than 0'],
    ),
    "item minutes a fraction": (
        [session_row(item_minutes="7.5")],
        ['row 2, column item_minutes: "7.5" is not a whole number of minutes greater than 0'],
    ),
    "duration not a number": (
        [session_row(duration_minutes="an hour")],
        [
            'row 2, column duration_minutes: "an hour" is not a whole number of minutes '
            "greater than 0"
        ],
    ),
    "items over the duration": (
        [
            session_row(item_minutes="40"),
            session_row(item_minutes="40"),
            session_row(item_minutes="20"),
        ],
        [
            "row 4, column item_minutes: the items of session S1 add up to 100 minutes, "
            "more than its duration_minutes (90)"
        ],
    ),
    "impossible date": (
        [session_row(date="2026-02-30")],
        ['row 2, column date: "2026-02-30" is not a date in the form YYYY-MM-DD'],
    ),
    "date in another form": (
        [session_row(date="08/01/2026")],
        ['row 2, column date: "08/01/2026" is not a date in the form YYYY-MM-DD'],
    ),
    "rows of a session disagree": (
        [session_row(), session_row(date="2026-01-09", duration_minutes="120")],
        [
            'row 3, column date: "2026-01-09" differs from row 2 ("2026-01-08"): every row '
            "of session S1 must repeat the same session columns",
            'row 3, column duration_minutes: "120" differs from row 2 ("90"): every row '
            "of session S1 must repeat the same session columns",
        ],
    ),
    "one-to-one with two supervisees": (
        [session_row(supervisees="sam@example.org;nia@example.org")],
        ["row 2, column supervisees: a one_to_one session needs exactly one supervisee, not 2"],
    ),
    "one-to-one with no supervisee": (
        [session_row(supervisees="")],
        ["row 2, column supervisees: a one_to_one session needs exactly one supervisee, not 0"],
    ),
    "one-to-one with oneself": (
        [session_row(supervisees="sue@example.org")],
        ["row 2, column supervisees: the supervisor cannot also be the supervisee"],
    ),
    "group facilitated by one of its members": (
        [
            session_row(
                format="group",
                group_type="team",
                supervisees="sam@example.org;sue@example.org",
                absent="sue@example.org",
            )
        ],
        [
            "row 2, column supervisees: sue@example.org leads this group session: the "
            "facilitator is never one of its members (leave them out of supervisees)",
            "row 2, column absent: sue@example.org leads this group session: the "
            "facilitator is never one of its members (leave them out of absent)",
            "row 2, column absent: sue@example.org is also in supervisees: a member is "
            "either present or absent",
        ],
    ),
    "one-to-one with absent members": (
        [session_row(absent="nia@example.org")],
        [
            "row 2, column absent: must be empty for a one_to_one session "
            "(absent lists group members)"
        ],
    ),
    "group type on a one-to-one": (
        [session_row(group_type="team")],
        ['row 2, column group_type: must be empty for a one_to_one session, not "team"'],
    ),
    "group without a group type": (
        [session_row(format="group")],
        [
            "row 2, column group_type: a group session needs a group_type: "
            "one of team, peer, multi_agency, newly_qualified"
        ],
    ),
    "unknown group type": (
        [session_row(format="group", group_type="huddle")],
        [
            'row 2, column group_type: "huddle" is not one of '
            "team, peer, multi_agency, newly_qualified"
        ],
    ),
    "both present and absent": (
        [
            session_row(
                format="group",
                group_type="team",
                supervisees="sam@example.org;nia@example.org",
                absent="nia@example.org",
            )
        ],
        [
            "row 2, column absent: nia@example.org is also in supervisees: "
            "a member is either present or absent"
        ],
    ),
    "unknown format and status": (
        [session_row(format="1:1", status="done")],
        [
            'row 2, column format: "1:1" is not one of one_to_one, group',
            'row 2, column status: "done" is not one of planned, held, '
            "cancelled_by_supervisor, cancelled_by_supervisee, rescheduled",
        ],
    ),
    "risk neither yes nor no": (
        [session_row(risk="maybe")],
        ['row 2, column risk: "maybe" is not one of yes, no'],
    ),
    "item without a title": (
        [session_row(item_title="")],
        ["row 2, column item_title: a value is required"],
    ),
    "a row without an item in a session with several rows": (
        [session_row(), session_row(**NO_ITEM)],
        [
            "row 3, column item_title: a value is required: session S1 has several rows, one "
            "per item (only a session without items has a single row with the item columns "
            "empty)"
        ],
    ),
    "no session reference, other problems still listed": (
        [session_row(session_ref="", functions="")],
        [
            "row 2, column session_ref: a value is required",
            "row 2, column functions: at least one function is required "
            "(one to four of management;development;support;mediation)",
        ],
    ),
    "several problems in several rows, all listed in row order": (
        [
            session_row(session_ref="A", supervisor="zed@example.org"),
            session_row(session_ref="B", item_minutes="x"),
            session_row(session_ref="A", supervisor="zed@example.org", functions="care"),
        ],
        [
            "row 2, column supervisor: no person has the email zed@example.org",
            'row 3, column item_minutes: "x" is not a whole number of minutes greater than 0',
            'row 4, column functions: "care" is not a function ' + ALL_FUNCTIONS,
        ],
    ),
}


@pytest.mark.parametrize("rows, expected", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_bad_rows_are_named_and_nothing_is_written(cast, sessions_file, rows, expected):
    good = session_row(session_ref="GOOD", date="2026-02-01")
    before = census()

    lines = run_failing("import_sessions", sessions_file([*rows, good]))

    assert lines == expected
    assert census() == before


def test_a_bad_reimport_leaves_the_earlier_import_untouched(cast, sessions_file):
    run("import_sessions", sessions_file(good_rows()))
    before = census()
    values = list(Item.objects.values().order_by("pk"))

    rows = good_rows()
    rows[0]["item_minutes"] = "50"
    rows[1]["functions"] = "wellbeing"
    run_failing("import_sessions", sessions_file(rows))

    assert census() == before
    assert list(Item.objects.values().order_by("pk")) == values


def test_reimport_moves_a_group_member_from_present_to_absent(cast, sessions_file):
    rows = good_rows()
    run("import_sessions", sessions_file(rows))
    rows[2]["supervisees"] = "sam@example.org"
    rows[2]["absent"] = "pat@example.org; nia@example.org"

    output = run("import_sessions", sessions_file(rows))

    assert "3 sessions (0 new, 1 changed, 2 unchanged)" in output
    assert "5 attendances (0 new, 1 changed, 0 removed)" in output
    group = Session.objects.get(external_ref="G1")
    assert group.attendances.get(person__email="nia@example.org").present is False
    assert group.version == 2
