"""Any file at all, through the importers: a list of problems or an import, never an exception.

INTERFACES.md: a bad file is rejected whole, nothing is written, and every problem is listed as
`row N, column C: what is wrong`. These properties hold for generated files: arbitrary bytes and
encodings, byte order marks, ragged rows, huge values and spreadsheet formulas.
"""

import csv
import io
import re
import tempfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS
from imports import people as people_module
from imports import sessions as sessions_module
from imports.csvfile import Problems, read_table
from imports.people import people_import
from imports.sessions import sessions_import
from tests.imports.helpers import (
    PEOPLE_HEADER,
    SESSIONS_HEADER,
    census,
    csv_text,
    person_row,
    session_row,
)
from tests.robustness.hostile import HOSTILE_SETTINGS, RolledBack, hostile_values, texts

pytestmark = pytest.mark.django_db

PROBLEM_LINE = re.compile(r"row [0-9]+, column [^:]+: .+", re.DOTALL)
EMAILS = [
    "sue@example.org",
    "sam@example.org",
    "SAM@Example.ORG",
    "nia@example.org",
    "new.person@example.org",
    "not an email",
]


def _keys(values, extra=()):
    return st.lists(st.sampled_from([*values, *extra]), max_size=5).map(";".join)


def _dates():
    return st.one_of(
        st.dates().map(lambda d: d.isoformat()),
        st.sampled_from(["0001-01-01", "9999-12-31", "2026-02-30", "2026-1-1", "20260101"]),
    )


def _minutes():
    return st.one_of(st.integers(-5, 3000).map(str), st.sampled_from(["1.5", " 30 ", "³"]))


PLAUSIBLE = {
    "email": st.sampled_from(EMAILS),
    "supervisor": st.sampled_from(["", *EMAILS]),
    "supervisees": st.lists(st.sampled_from(EMAILS), max_size=3).map(";".join),
    "absent": st.lists(st.sampled_from(EMAILS), max_size=2).map(";".join),
    "name": texts(30),
    "team": st.sampled_from(["Adults North", "Children West", "adults north"]),
    "role": st.sampled_from(["practitioner", "manager", "Manager", "boss"]),
    "frequency": st.sampled_from(["", "weekly", "monthly", "newly_qualified", "daily"]),
    "start_date": _dates(),
    "session_ref": st.sampled_from(["S1", "S2", "s1", "", "S 3"]),
    "date": _dates(),
    "format": st.sampled_from(["one_to_one", "group", "GROUP", "pair"]),
    "group_type": st.sampled_from(["", "team", "peer", "multi_agency", "family"]),
    "status": st.sampled_from(["held", "planned", "cancelled_by_supervisor", "done"]),
    "duration_minutes": _minutes(),
    "item_title": texts(30),
    "item_minutes": _minutes(),
    "functions": _keys(FUNCTIONS, ["Management", "cooking"]),
    "stages": _keys(STAGES, ["planning"]),
    "stakeholders": _keys(STAKEHOLDERS, ["everyone"]),
    "case_ref": texts(20),
    "risk": st.sampled_from(["", "yes", "no", "maybe"]),
    "notes": texts(60),
}


# Each column's strategy, built once: Hypothesis checks every strategy it is given, so building
# them anew for each cell of each example costs more than the import itself.
CELLS = {}


def cell(column):
    if column not in CELLS:
        CELLS[column] = st.one_of(PLAUSIBLE.get(column, texts(20)), hostile_values())
    return CELLS[column]


ROW_COUNT = st.integers(0, 4)
RAGGED = st.integers(-3, 2)
LINE_ENDING = st.sampled_from(["\n", "\r\n", "\r"])
ENCODING = st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252"])
DAMAGED = st.booleans()
DAMAGE = st.binary(max_size=8)


@st.composite
def csv_files(draw, header):
    """CSV bytes shaped like the real file, or not quite: any header, ragged rows, any encoding."""
    columns = draw(
        st.one_of(
            st.just(header),
            st.permutations(header),
            st.lists(
                st.sampled_from([*header, "extra", "EMAIL", " email ", "Session_Ref"]),
                max_size=len(header) + 2,
            ),
        )
    )
    rows = []
    for _ in range(draw(ROW_COUNT)):
        row = [draw(cell(column)) for column in columns]
        ragged = draw(RAGGED)
        row = row[:ragged] if ragged < 0 else row + ["surplus"] * ragged
        rows.append(row)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=draw(LINE_ENDING))
    writer.writerow(columns)
    writer.writerows(rows)
    text = out.getvalue()
    encoding = draw(ENCODING)
    data = text.encode(encoding, errors="replace")
    if draw(DAMAGED):
        # Damage it: bytes in the middle that no encoding made.
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(DAMAGE) + data[at:]
    return data


def any_file(header):
    return st.one_of(csv_files(header), st.binary(max_size=300))


def assert_refused_or_imported(result, before):
    if result.problems:
        assert all(PROBLEM_LINE.fullmatch(line) for line in result.problems), result.problems
        assert census() == before  # nothing was written
    else:
        assert result.summary


def rolled_back(run):
    """Run `run()` and undo whatever it wrote, so that every example starts from the cast."""
    try:
        with transaction.atomic():
            run()
            raise RolledBack
    except RolledBack:
        pass


@HOSTILE_SETTINGS
@given(
    data=st.one_of(st.binary(max_size=400), csv_files(SESSIONS_HEADER), csv_files(PEOPLE_HEADER))
)
def test_reading_any_bytes_as_a_table_gives_rows_or_problems(data):
    for layout in (people_module.LAYOUT, sessions_module.LAYOUT):
        problems = Problems()
        rows = read_table(data, layout, problems)
        assert rows is not None or problems
        for line in problems.lines():
            assert PROBLEM_LINE.fullmatch(line)


@HOSTILE_SETTINGS
@given(data=any_file(PEOPLE_HEADER), dry_run=st.booleans())
def test_any_people_file_is_imported_or_refused_whole(supervisor, supervisee, data, dry_run):
    def run():
        before = census()
        result = people_import(data=data, dry_run=dry_run)
        assert_refused_or_imported(result, before)
        if dry_run:
            assert census() == before

    rolled_back(run)


@HOSTILE_SETTINGS
@given(data=any_file(SESSIONS_HEADER), dry_run=st.booleans())
def test_any_sessions_file_is_imported_or_refused_whole(supervisor, supervisee, data, dry_run):
    def run():
        before = census()
        result = sessions_import(data=data, dry_run=dry_run)
        assert_refused_or_imported(result, before)
        if dry_run:
            assert census() == before

    rolled_back(run)


BAD_PEOPLE_CELLS = [
    {"email": "not-an-email"},
    {"email": '=HYPERLINK("http://example.invalid")'},
    {"name": ""},
    {"name": "x" * 5000},
    {"team": ""},
    {"role": "=1+1"},
    {"role": "boss"},
    {"supervisor": "ghost@example.org", "start_date": "2026-01-05"},
    {"supervisor": "sue@example.org", "start_date": ""},
    {"frequency": "+SUM(A1)"},
    {"start_date": "0000-01-01"},
    {"start_date": "2026-02-30"},
]

BAD_SESSION_CELLS = [
    {"date": "2026-13-01"},
    {"date": "=TODAY()"},
    {"format": "pair"},
    {"status": "@SUM(A1)"},
    {"duration_minutes": "9" * 400},
    {"duration_minutes": "0"},
    {"item_minutes": "-1"},
    {"item_minutes": "200"},  # more than the session's 90 minutes
    {"functions": "cooking"},
    {"functions": ""},
    {"stages": "reflection;reflection"},
    {"stakeholders": "everyone"},
    {"supervisor": "ghost@example.org"},
    {"supervisees": "nobody@example.org"},
    {"supervisees": "sam@example.org;nia@example.org"},  # two people in a one-to-one
    {"risk": "maybe"},
    {"item_title": "x" * 5000},
]


def refused_whole(importer, data, *, bad_row):
    """The import names the bad row and writes nothing (each example rolled back after)."""

    def run():
        before = census()
        result = importer(data=data.encode(), dry_run=False)
        assert result.problems
        assert any(line.startswith(f"row {bad_row}, ") for line in result.problems)
        assert census() == before

    rolled_back(run)


@HOSTILE_SETTINGS
@given(
    good=st.integers(1, 8),
    bad_at=st.integers(0, 8),
    bad=st.sampled_from(BAD_PEOPLE_CELLS),
    bom=st.booleans(),
)
def test_one_bad_person_row_among_good_ones_writes_nothing(supervisor, good, bad_at, bad, bom):
    rows = [
        person_row(email=f"person{n}@example.org", name=f"Person {n}", team=f"Team {n % 3}")
        for n in range(good)
    ]
    bad_at = min(bad_at, good)
    rows.insert(bad_at, person_row(**{"email": "odd.one@example.org", "name": "Odd One", **bad}))
    data = ("\ufeff" if bom else "") + csv_text(PEOPLE_HEADER, rows)
    refused_whole(people_import, data, bad_row=bad_at + 2)


@HOSTILE_SETTINGS
@given(
    good=st.integers(1, 8),
    bad_at=st.integers(0, 8),
    bad=st.sampled_from(BAD_SESSION_CELLS),
    bom=st.booleans(),
)
def test_one_bad_session_row_among_good_ones_writes_nothing(
    supervisor, supervisee, other_supervisee, good, bad_at, bad, bom
):
    rows = [session_row(session_ref=f"S{n}", date=f"2026-01-{n + 1:02d}") for n in range(good)]
    bad_at = min(bad_at, good)
    rows.insert(bad_at, session_row(**{"session_ref": "ODD", **bad}))
    data = ("\ufeff" if bom else "") + csv_text(SESSIONS_HEADER, rows)
    refused_whole(sessions_import, data, bad_row=bad_at + 2)


@HOSTILE_SETTINGS
@given(
    data=any_file(SESSIONS_HEADER), command=st.sampled_from(["import_people", "import_sessions"])
)
def test_the_import_commands_report_or_import_any_file(supervisor, supervisee, data, command):
    """The commands themselves: success, or CommandError saying nothing was written."""

    def run():
        before = census()
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "upload.csv"
            path.write_bytes(data)
            out, err = io.StringIO(), io.StringIO()
            try:
                call_command(command, str(path), stdout=out, stderr=err)
            except CommandError as exc:
                assert "nothing was written" in str(exc)
                assert census() == before
                assert all(PROBLEM_LINE.fullmatch(line) for line in err.getvalue().splitlines())

    rolled_back(run)
