"""Whole-file problems: empty, not UTF-8, not CSV, missing columns, and a missing path."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sessions_app.models import Item, Session
from tests.imports.helpers import (
    PEOPLE_HEADER,
    SESSIONS_HEADER,
    census,
    csv_text,
    person_row,
    run,
    run_failing,
    session_row,
)

SESSIONS_COLUMNS = (
    "row 1 must name the columns session_ref, date, format, group_type, supervisor, "
    "supervisees, status, duration_minutes, item_title, item_minutes, functions, stages, "
    "stakeholders (and may add absent, case_ref, risk, notes)"
)
PEOPLE_COLUMNS = (
    "row 1 must name the columns email, name, team, role "
    "(and may add supervisor, frequency, start_date, supervised_from, end_date, team_from)"
)


@pytest.fixture
def cast(supervisor, supervisee, other_supervisee):
    return None


@pytest.mark.parametrize("content", [b"", b"\xef\xbb\xbf", b"\n\n  \n"])
def test_empty_file(db, write_file, content):
    before = census()
    assert run_failing("import_sessions", write_file(content)) == [
        f"row 1, column session_ref: the file is empty; {SESSIONS_COLUMNS}"
    ]
    assert run_failing("import_people", write_file(content)) == [
        f"row 1, column email: the file is empty; {PEOPLE_COLUMNS}"
    ]
    assert census() == before


def test_binary_file_is_not_csv(db, write_file):
    content = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" + bytes(range(256))
    assert run_failing("import_sessions", write_file(content)) == [
        f"row 1, column session_ref: this is not a CSV file (it holds binary data); "
        f"{SESSIONS_COLUMNS}"
    ]


def test_garbage_without_a_header_is_not_csv(db, write_file):
    content = b"\xde\xad\xbe\xef garbage \xff\xfe\xfd\nmore \xc3\x28 nonsense\n"
    assert run_failing("import_people", write_file(content)) == [
        "row 1, column email: this is not a people CSV file with a header row "
        f"(and it is not UTF-8 text); {PEOPLE_COLUMNS}"
    ]


def test_text_that_is_not_the_expected_csv(db, write_file):
    content = "Dear team,\nplease find the sessions attached.\n"
    assert run_failing("import_sessions", write_file(content)) == [
        f"row 1, column session_ref: this is not a sessions CSV file with a header row; "
        f"{SESSIONS_COLUMNS}"
    ]


def test_semicolon_separated_file_gets_a_hint(db, write_file):
    content = ";".join(PEOPLE_HEADER) + "\nsam@example.org;Sam;Adults North;practitioner;;;\n"
    assert run_failing("import_people", write_file(content)) == [
        "row 1, column email: this is not a people CSV file with a header row (columns must "
        f"be separated by commas, not semicolons); {PEOPLE_COLUMNS}"
    ]


def test_utf16_file_is_named(db, write_file):
    content = csv_text(PEOPLE_HEADER, [person_row()]).encode("utf-16")
    assert run_failing("import_people", write_file(content)) == [
        'row 1, column email: the file is UTF-16 text, not UTF-8; save the file as "CSV UTF-8" '
        "and try again"
    ]


def test_cell_that_is_not_utf8_is_named_by_row_and_column(cast, write_file):
    text = csv_text(
        SESSIONS_HEADER,
        [
            session_row(),
            session_row(item_title="Caf\x00", notes="ok"),
            session_row(item_title="Short", item_minutes="5", notes="Re\x00sum\x00"),
        ],
    )
    # Latin-1 accents, as a spreadsheet saved in the wrong encoding writes them.
    content = text.encode().replace(b"\x00", b"\xe9")
    before = census()

    assert run_failing("import_sessions", write_file(content)) == [
        'row 3, column item_title: this value is not UTF-8 text; save the file as "CSV UTF-8" '
        "and try again",
        'row 4, column notes: this value is not UTF-8 text; save the file as "CSV UTF-8" '
        "and try again",
    ]
    assert census() == before


def test_missing_columns_are_each_named(db, write_file):
    header = [c for c in SESSIONS_HEADER if c not in ("functions", "date")]
    before = census()
    assert run_failing("import_sessions", write_file(csv_text(header, [session_row()]))) == [
        "row 1, column date: this column is missing",
        "row 1, column functions: this column is missing",
    ]
    header = [c for c in PEOPLE_HEADER if c != "role"]
    assert run_failing("import_people", write_file(csv_text(header, [person_row()]))) == [
        "row 1, column role: this column is missing"
    ]
    assert census() == before


def test_a_column_given_twice(db, write_file):
    content = "email,name,team,role,Email\nsam@example.org,Sam,Adults North,practitioner,x\n"
    assert run_failing("import_people", write_file(content)) == [
        "row 1, column email: the column appears twice (columns 1 and 5)"
    ]


def test_value_beyond_the_last_column(db, write_file):
    content = (
        "email,name,team,role\n"
        "sam@example.org,Sam Social,Adults North,practitioner,,\n"
        "kim@example.org,Kim, the new one,Adults North,practitioner\n"
    )
    assert run_failing("import_people", write_file(content)) == [
        'row 3, column 5: "practitioner" is beyond the last column of the header (a value '
        "that contains a comma must be in double quotes)",
        'row 3, column role: "Adults North" is not one of practitioner, manager',
    ]


def test_blank_rows_are_skipped_and_quoted_newlines_keep_row_numbers(cast, write_file):
    content = csv_text(
        SESSIONS_HEADER,
        [
            session_row(notes="first line\nsecond line"),
            session_row(session_ref="S2", item_title="x", item_minutes="none"),
        ],
    )
    content = content.replace("\nS2,", "\n,,,\n\nS2,")
    assert run_failing("import_sessions", write_file(content)) == [
        'row 5, column item_minutes: "none" is not a whole number of minutes greater than 0'
    ]
    content = content.replace("none", "10")
    run("import_sessions", write_file(content))
    assert Item.objects.get(session__external_ref="S1").notes == "first line\nsecond line"
    assert Session.objects.count() == 2


@pytest.mark.parametrize("command", ["import_people", "import_sessions"])
def test_missing_path_is_a_clear_error(db, tmp_path, command):
    with pytest.raises(CommandError, match="There is no file at .*nowhere.csv"):
        call_command(command, str(tmp_path / "nowhere.csv"))
    with pytest.raises(CommandError, match="is not a file"):
        call_command(command, str(tmp_path))
