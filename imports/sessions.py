"""`import_sessions`: sessions, who attended them and their discussion items, one row per item.

Rows with the same `session_ref` form one session and repeat its session columns. A session
already imported (its `session_ref` is the session's `external_ref`) is brought in line with the
file: changed fields, attendances and items are updated in place, so that each keeps its history,
and a session the file leaves as it is gets no write at all. The record's state (draft, shared,
signed off) is never changed by an import; a signed-off record cannot be changed by one.
"""

import marshal
import tempfile
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Subquery
from simple_history.utils import bulk_update_with_history

from core import clock
from core.bulk import new
from core.db import among
from core.vocabulary import (
    FUNCTIONS,
    STAGES,
    STAKEHOLDERS,
    TAG_FIELDS,
    function_field,
    stage_field,
    stakeholder_field,
)
from people.models import User
from sessions_app import brought_forward, kept
from sessions_app.access import record_change_refusal
from sessions_app.models import (
    Attendance,
    Feedback,
    Format,
    GroupType,
    Item,
    Session,
    Status,
)
from sessions_app.services import InvalidSession, SessionDetails, check_details

from .bulk import create_with_history
from .csvfile import (
    ImportResult,
    Layout,
    Problems,
    Row,
    Unreadable,
    counted,
    read_choice,
    read_date,
    read_email,
    read_email_list,
    read_key_list,
    read_minutes,
    read_text,
    shown,
    split_list,
    stream_table,
    summary_sentence,
)

SESSION_COLUMNS = (
    "date",
    "format",
    "group_type",
    "supervisor",
    "supervisees",
    "absent",
    "status",
    "duration_minutes",
)
ITEM_COLUMNS = (
    "item_title",
    "item_minutes",
    "functions",
    "stages",
    "stakeholders",
    "case_ref",
    "risk",
    "notes",
)
LAYOUT = Layout(
    what="sessions",
    required=(
        "session_ref",
        "date",
        "format",
        "group_type",
        "supervisor",
        "supervisees",
        "status",
        "duration_minutes",
        "item_title",
        "item_minutes",
        "functions",
        "stages",
        "stakeholders",
    ),
    optional=("absent", "case_ref", "risk", "notes"),
)
REF_LENGTH = Session._meta.get_field("external_ref").max_length
TITLE_LENGTH = Item._meta.get_field("title").max_length
CASE_REF_LENGTH = Item._meta.get_field("case_ref").max_length
CHANGE_REASON = "Imported from a spreadsheet"
FORMATS = tuple(Format.values)
STATUSES = tuple(Status.values)
GROUP_TYPES = tuple(GroupType.values)
SESSION_FIELDS = ["date", "format", "group_type", "supervisor", "status", "duration_minutes"]
ITEM_FIELDS = [
    "position",
    "title",
    "notes",
    "minutes",
    "case_ref",
    "risk",
    *TAG_FIELDS,
]


class ItemValues(NamedTuple):
    """A discussion item as one row of the file describes it."""

    title: str
    minutes: int
    functions: tuple[str, ...]
    stages: tuple[str, ...]
    stakeholders: tuple[str, ...]
    case_ref: str
    risk: bool
    notes: str

    def fields(self, position):
        values = {
            "position": position,
            "title": self.title,
            "notes": self.notes,
            "minutes": self.minutes,
            "case_ref": self.case_ref,
            "risk": self.risk,
        }
        values.update({function_field(key): key in self.functions for key in FUNCTIONS})
        values.update({stage_field(key): key in self.stages for key in STAGES})
        values.update({stakeholder_field(key): key in self.stakeholders for key in STAKEHOLDERS})
        return values


@dataclass
class SessionLine:
    """A session as the file describes it. A value is None where the file's is not valid."""

    ref: str | None
    first_row: int
    date: date | None
    format: str | None
    group_type: str | None
    supervisor: str | None
    supervisees: list[str] | None
    absent: list[str] | None
    status: str | None
    duration_minutes: int | None
    items: list[ItemValues]
    ok: bool

    def spilled(self):
        """Its own columns as `_Spill` keeps them (plain values: a date as its ordinal)."""
        return (
            None if self.date is None else self.date.toordinal(),
            self.format,
            self.group_type,
            self.supervisor,
            None if self.supervisees is None else tuple(self.supervisees),
            None if self.absent is None else tuple(self.absent),
            self.status,
            self.duration_minutes,
        )

    @classmethod
    def unspilled(cls, ref, first_row, values):
        """A session checked without a problem, from its `spilled()` columns; no items yet."""
        day, session_format, group_type, supervisor, supervisees, absent, status, duration = values
        return cls(
            ref=ref,
            first_row=first_row,
            date=date.fromordinal(day),
            format=session_format,
            group_type=group_type,
            supervisor=supervisor,
            supervisees=list(supervisees),
            absent=list(absent),
            status=status,
            duration_minutes=duration,
            items=[],
            ok=True,
        )

    def attendance(self, ids):
        """{person id: present}: a one-to-one's supervisee, or a group's members."""
        wanted = {ids[email]: True for email in self.supervisees}
        wanted.update({ids[email]: False for email in self.absent})
        return wanted


@dataclass
class Batch:
    """What one batch of sessions writes: unsaved objects to create, changed ones to update."""

    new_sessions: list[Session] = field(default_factory=list)
    changed_sessions: list[Session] = field(default_factory=list)
    unchanged_sessions: int = 0
    new_attendances: list[Attendance] = field(default_factory=list)
    changed_attendances: list[Attendance] = field(default_factory=list)
    moved_attendances: list[Attendance] = field(default_factory=list)
    removed_attendances: list[Attendance] = field(default_factory=list)
    # Sessions moved to another day or supervisor: their feedback's copies move with them.
    moved_sessions: list[int] = field(default_factory=list)
    new_items: list[Item] = field(default_factory=list)
    changed_items: list[Item] = field(default_factory=list)
    removed_items: list[Item] = field(default_factory=list)
    # (person id, day): the months of kept minutes the batch's held sessions count in, before
    # and after (sessions_app.kept).
    kept_keys: set = field(default_factory=set)
    # The days of the batch's held sessions, before and after: the organisation's (ditto).
    kept_days: set = field(default_factory=set)
    # (supervisor id, day): the months of kept session counts every session of the batch
    # counts in, whatever its status, before and after (ditto).
    kept_sessions: set = field(default_factory=set)
    # {supervisor id: the first day of their held sessions written, before or after}.
    kept_supervisors: dict = field(default_factory=dict)


@dataclass
class SessionsPlan:
    """How many of everything the import creates, changes, removes or leaves as it is."""

    new_sessions: int = 0
    changed_sessions: int = 0
    unchanged_sessions: int = 0
    attendances: int = 0
    new_attendances: int = 0
    changed_attendances: int = 0
    removed_attendances: int = 0
    items: int = 0
    new_items: int = 0
    changed_items: int = 0
    removed_items: int = 0

    def count(self, batch):
        self.new_sessions += len(batch.new_sessions)
        self.changed_sessions += len(batch.changed_sessions)
        self.unchanged_sessions += batch.unchanged_sessions
        for kind in ("attendances", "items"):
            for change in ("new", "changed", "removed"):
                name = f"{change}_{kind}"
                setattr(self, name, getattr(self, name) + len(getattr(batch, name)))

    def summary(self, *, dry_run):
        sessions = self.new_sessions + self.changed_sessions + self.unchanged_sessions
        text = (
            f"{counted(sessions, 'session')} ({self.new_sessions} new, "
            f"{self.changed_sessions} changed, {self.unchanged_sessions} unchanged), "
            f"{counted(self.items, 'item')} ({self.new_items} new, "
            f"{self.changed_items} changed, {self.removed_items} removed), "
            f"{counted(self.attendances, 'attendance')} ({self.new_attendances} new, "
            f"{self.changed_attendances} changed, {self.removed_attendances} removed)."
        )
        return summary_sentence(text, dry_run=dry_run)


# How many sessions are planned and written together: each batch costs a fixed number of
# queries, and holds no more than this many sessions' objects in memory.
BATCH_SESSIONS = 1000


def sessions_import(*, data=None, path=None, dry_run: bool = False) -> ImportResult:
    """Create or update every session in a sessions CSV; write nothing unless all is valid.

    The file (`data`, its bytes, or the `path` of it) is read once, as a stream, in memory that
    does not grow with its length: every row checked and every problem found, keeping only a
    few figures per session, and what each row holds set down in a temporary file (`_Spill`).
    If nothing is wrong, that is read back to write the sessions in batches: what is written
    is what was checked. Sessions that already exist are checked against the database (a
    signed-off record cannot change) before anything is written. It all happens in one
    transaction.
    """
    source = data if path is None else path
    problems = Problems()
    with transaction.atomic(), _Spill() as spill:
        try:
            checked = _check_file(source, problems, spill)
            plan = _plan(spill, checked, problems)
            if problems:
                return ImportResult.failed(problems, dry_run=dry_run)
            if not dry_run:
                _write_file(spill, checked)
        except Unreadable as unreadable:
            # The file cannot be read as a whole: found in its one pass, before any write.
            transaction.set_rollback(True)
            problems.clear()
            for problem in unreadable.problems:
                problems.add(*problem)
            return ImportResult.failed(problems, dry_run=dry_run)
    return ImportResult(dry_run=dry_run, summary=plan.summary(dry_run=dry_run))


# The first pass: every row checked, a few figures kept per session. No database.


class _Seen:
    """What the first pass keeps of a session: its first row's session columns and some sums."""

    __slots__ = (
        "attendances",
        "crossed_at",
        "duration",
        "empty_rows",
        "first_row",
        "head",
        "items",
        "last_row",
        "ok",
        "rows",
        "total",
    )

    def __init__(self, first, line, head):
        self.first_row = first.number
        self.head = head
        self.duration = line.duration_minutes
        self.attendances = len(line.supervisees or ()) + len(line.absent or ())
        self.ok = line.ok
        self.rows = 0
        self.items = 0
        self.total = 0
        self.crossed_at = None
        self.empty_rows = None
        self.last_row = first.number


@dataclass
class Checked:
    """What the first pass found: every valid session, and the people the file names."""

    # {session_ref: (last row, items, attendances)} for every session without a problem.
    sessions: dict[str, tuple[int, int, int]]
    emails: set[str]
    ids: dict[str, int] = field(default_factory=dict)
    existing: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)


def _check_file(source, problems, spill) -> Checked:
    """Read every row once and record every problem the file has on its own; set down what
    each row holds in `spill`.

    Rows of one session may be anywhere in the file. Memory grows with the number of sessions
    (a few small values each, repeated values shared), never with the rows or their text.
    """
    seen = {}
    shared = {}
    emails = set()
    today = clock.today()  # the clock read once: the file is checked as of one moment
    for row in stream_table(source, LAYOUT, problems):
        before = len(problems)
        ref = read_text(row, "session_ref", problems, max_length=REF_LENGTH)
        # A row without a usable reference is still checked, as a session of its own.
        key = ref if ref is not None else ("row", row.number)
        state = seen.get(key)
        values = None
        if state is None:
            line = _read_head(ref, row, problems, today)
            head = tuple(_shared(shared, row[column]) for column in SESSION_COLUMNS)
            state = seen[key] = _Seen(row, line, head)
            emails.update(_emails_of(line))
            values = line.spilled()
        else:
            _check_agrees(state.first_row, state.head, row, ref, problems)
        state.rows += 1
        state.last_row = row.number
        item = None
        if not _has_item(row):
            state.empty_rows = [*(state.empty_rows or ()), row.number]
        else:
            item = _read_item(row, problems)
            if item is not None:
                state.items += 1
                state.total += item.minutes
                if state.crossed_at is None and state.duration and state.total > state.duration:
                    state.crossed_at = row.number
        if len(problems) > before or ref is None:
            state.ok = False
        if ref is not None:
            spill.add((ref, row.number, values, None if item is None else tuple(item)))

    for key, state in seen.items():
        before = len(problems)
        if state.empty_rows and state.rows > 1:
            for number in state.empty_rows:
                _several_rows_problem(number, key, problems)
        if state.crossed_at is not None:
            _crossed_problem(state.crossed_at, key, state.total, state.duration, problems)
        if len(problems) > before:
            state.ok = False
    checked = Checked(
        sessions={
            key: (state.last_row, state.items, state.attendances)
            for key, state in seen.items()
            if state.ok
        },
        emails=emails,
    )
    _check_people(checked, seen, problems)
    return checked


def _shared(shared, value):
    """One copy of a value many sessions repeat (an email, a date, a status)."""
    return shared.setdefault(value, value)


def _emails_of(line):
    return filter(None, [line.supervisor, *(line.supervisees or ()), *(line.absent or ())])


def _check_people(checked, seen, problems):
    """Every email in the file belongs to someone: checked in one query, not row by row."""
    ids = {}
    emails = sorted(checked.emails)
    for start in range(0, len(emails), QUERY_CHUNK):
        ids.update(
            User.objects.filter(email__in=emails[start : start + QUERY_CHUNK]).values_list(
                "email", "id"
            )
        )
    checked.ids = ids
    if len(ids) == len(checked.emails):
        return
    for key, state in seen.items():
        first = Row(
            number=state.first_row, cells=dict(zip(SESSION_COLUMNS, state.head, strict=True))
        )
        quiet = Problems(limit=0)
        for column, named in (
            ("supervisor", [read_email(first, "supervisor", quiet)]),
            ("supervisees", read_email_list(first, "supervisees", quiet)),
            ("absent", read_email_list(first, "absent", quiet)),
        ):
            for email in named or ():
                if email and email not in ids:
                    problems.add(state.first_row, column, f"no person has the email {email}")
                    checked.sessions.pop(key, None)


# Reading a session's own columns and its items: the first pass reads them row by row, and the
# later passes read back what it set down (`_Spill`).


class _Spill:
    """What the first pass read of each row, set down in a temporary file for the passes after
    it: (session_ref, row number, the session's own columns on its first row (else None), the
    row's item (else None)), in the file's order. Reading that back is a fraction of reading
    and checking the file again, and memory stays flat: a chunk of rows at a time."""

    CHUNK = 2000

    def __enter__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by __exit__)
        self.pending = []
        return self

    def __exit__(self, *exc):
        self.file.close()

    def add(self, record):
        self.pending.append(record)
        if len(self.pending) >= self.CHUNK:
            self._flush()

    def _flush(self):
        if self.pending:
            data = marshal.dumps(self.pending)
            self.file.write(len(data).to_bytes(8, "little"))
            self.file.write(data)
            self.pending = []

    def records(self):
        self._flush()
        self.file.seek(0)
        # Each chunk read whole, then unmarshalled: `marshal.load` on the file itself reads it
        # a few bytes at a time (ten times slower).
        while size := int.from_bytes(self.file.read(8), "little"):
            # Only this process's own writing: the file has no name anyone else can open.
            yield from marshal.loads(self.file.read(size))  # noqa: S302


def _read_head(ref, first, problems, today):
    """A session's own columns, from its first row, checked."""
    before = len(problems)
    session_format = read_choice(first, "format", problems, choices=FORMATS)
    supervisor = read_email(first, "supervisor", problems)
    supervisees = read_email_list(first, "supervisees", problems)
    absent = read_email_list(first, "absent", problems)
    line = SessionLine(
        ref=ref,
        first_row=first.number,
        date=read_date(first, "date", problems),
        format=session_format,
        group_type=_read_group_type(first, session_format, problems),
        supervisor=supervisor,
        supervisees=supervisees,
        absent=absent,
        status=read_choice(first, "status", problems, choices=STATUSES),
        duration_minutes=read_minutes(first, "duration_minutes", problems),
        items=[],
        ok=False,
    )
    _check_attendees(first, line, problems)
    if line.date is not None and line.status is not None:
        try:
            details = SessionDetails(line.format, line.date, 1, status=line.status)
            check_details(details, today=today)
        except InvalidSession as invalid:
            problems.add(first.number, "date", str(invalid))
    line.ok = ref is not None and len(problems) == before
    return line


def _several_rows_problem(number, ref, problems):
    problems.add(
        number,
        "item_title",
        f"a value is required: session {ref} has several rows, one per item "
        "(only a session without items has a single row with the item columns empty)",
    )


def _crossed_problem(number, ref, total, duration, problems):
    problems.add(
        number,
        "item_minutes",
        f"the items of session {ref} add up to {total} minutes, more than its "
        f"duration_minutes ({duration})",
    )


def _has_item(row):
    # A spreadsheet may fill `risk` with "no" on every row, including a session's only row when
    # it has no items; that alone is not an item.
    return any(row[column] for column in ITEM_COLUMNS if column != "risk") or (
        row["risk"].lower() not in ("", "no")
    )


def _read_group_type(row, session_format, problems):
    value = row["group_type"]
    if not row.is_readable("group_type"):
        return None
    if session_format == Format.ONE_TO_ONE:
        if value:
            problems.add(
                row.number,
                "group_type",
                f"must be empty for a one_to_one session, not {shown(value)}",
            )
            return None
        return ""
    if session_format == Format.GROUP and not value:
        problems.add(
            row.number,
            "group_type",
            f"a group session needs a group_type: one of {', '.join(GROUP_TYPES)}",
        )
        return None
    return read_choice(row, "group_type", problems, choices=GROUP_TYPES, required=False)


def _check_attendees(row, line, problems):
    if line.format == Format.ONE_TO_ONE:
        if line.supervisees is not None and len(line.supervisees) != 1:
            problems.add(
                row.number,
                "supervisees",
                f"a one_to_one session needs exactly one supervisee, not {len(line.supervisees)}",
            )
        elif line.supervisees and line.supervisees[0] == line.supervisor:
            problems.add(row.number, "supervisees", "the supervisor cannot also be the supervisee")
        if row["absent"]:
            problems.add(
                row.number,
                "absent",
                "must be empty for a one_to_one session (absent lists group members)",
            )
        return
    for column, emails in (("supervisees", line.supervisees), ("absent", line.absent)):
        if line.format == Format.GROUP and line.supervisor and line.supervisor in (emails or ()):
            problems.add(
                row.number,
                column,
                f"{line.supervisor} leads this group session: the facilitator is never one "
                f"of its members (leave them out of {column})",
            )
    if line.supervisees and line.absent:
        for email in line.absent:
            if email in line.supervisees:
                problems.add(
                    row.number,
                    "absent",
                    f"{email} is also in supervisees: a member is either present or absent",
                )


def _comparable(value, column):
    """A session column's value in a form two rows can be compared in."""
    if column in ("supervisees", "absent"):
        return frozenset(part.lower() for part in split_list(value))
    if column in ("supervisor", "format", "group_type", "status"):
        return value.lower()
    return value


def _check_agrees(first_row, head, row, ref, problems):
    """`row` repeats the session columns of the session's first row (`head`, its values)."""
    for column, first in zip(SESSION_COLUMNS, head, strict=True):
        value = row[column]
        if value != first and _comparable(value, column) != _comparable(first, column):
            problems.add(
                row.number,
                column,
                f"{shown(value) if value else 'empty'} differs from row "
                f"{first_row} ({shown(first) if first else 'empty'}): "
                f"every row of session {ref} must repeat the same session columns",
            )


def _read_item(row, problems):
    before = len(problems)
    title = read_text(row, "item_title", problems, max_length=TITLE_LENGTH)
    minutes = read_minutes(row, "item_minutes", problems)
    functions = read_key_list(
        row, "functions", problems, keys=FUNCTIONS, what="function", required=True
    )
    stages = read_key_list(row, "stages", problems, keys=STAGES, what="stage")
    stakeholders = read_key_list(
        row, "stakeholders", problems, keys=STAKEHOLDERS, what="stakeholder"
    )
    case_ref = read_text(row, "case_ref", problems, required=False, max_length=CASE_REF_LENGTH)
    risk = read_choice(row, "risk", problems, choices=("yes", "no"), required=False)
    notes = read_text(row, "notes", problems, required=False)
    if len(problems) > before:
        return None
    return ItemValues(
        title=title,
        minutes=minutes,
        functions=tuple(functions),
        stages=tuple(stages),
        stakeholders=tuple(stakeholders),
        case_ref=case_ref,
        risk=risk == "yes",
        notes=notes,
    )


# Checking against the database and planning the writes: a fixed number of queries a batch.

QUERY_CHUNK = 5000


def _plan(spill, checked, problems) -> SessionsPlan:
    """Count what the import would do; check the sessions that exist against the database.

    A session already imported is compared with the file, in batches (a second pass, over what
    the first set down, only when some exist): a signed-off or shared record the file would
    change is a problem, found before anything is written.
    """
    refs = list(checked.sessions)
    for start in range(0, len(refs), QUERY_CHUNK):
        checked.existing.update(
            Session.objects.filter(external_ref__in=refs[start : start + QUERY_CHUNK]).values_list(
                "external_ref", flat=True
            )
        )
    plan = SessionsPlan()
    for ref, (_last_row, items, attendances) in checked.sessions.items():
        plan.items += items
        plan.attendances += attendances
        if ref not in checked.existing:
            plan.new_sessions += 1
            plan.new_items += items
            plan.new_attendances += attendances
    if not checked.existing:
        return plan
    wanted = {ref: checked.sessions[ref][0] for ref in checked.existing}
    for lines in _batches(_sessions_in(spill, wanted)):
        batch = Batch()
        existing = _existing(lines)
        for line in lines:
            changed = len(batch.changed_sessions)
            _plan_update(batch, line, existing[line.ref], checked.ids, problems)
            if len(batch.changed_sessions) > changed:
                checked.changed.add(line.ref)
        plan.count(batch)
    return plan


def _write_file(spill, checked):
    """The second (or third) pass: write the new and changed sessions, a batch at a time."""
    wanted = {
        ref: last_row
        for ref, (last_row, _items, _attendances) in checked.sessions.items()
        if ref not in checked.existing or ref in checked.changed
    }
    if not wanted:
        return
    counted, days, scheduled, supervisors = set(), set(), set(), {}
    for lines in _batches(_sessions_in(spill, wanted)):
        batch = Batch()
        existing = _existing([line for line in lines if line.ref in checked.existing])
        for line in lines:
            if line.ref in existing:
                _plan_update(batch, line, existing[line.ref], checked.ids, Problems(limit=0))
            else:
                _plan_new(batch, line, checked.ids)
        _write(batch)
        counted |= batch.kept_keys
        days |= batch.kept_days
        scheduled |= batch.kept_sessions
        for supervisor, day in batch.kept_supervisors.items():
            supervisors[supervisor] = min(day, supervisors.get(supervisor, day))
    # Each month once, at the end: a file's batches share their months. The supervisors held
    # first, then the people (the order every write takes them in).
    brought_forward.hold(supervisors)
    kept.refresh(counted, days=days)
    kept.refresh_sessions(scheduled)
    brought_forward.rebuild(supervisors_since=supervisors)


def _sessions_in(spill, wanted):
    """Each session of `wanted` ({ref: its last row}), whole, as soon as its last row is read
    back from `spill`.

    Only the sessions still being gathered are held: one, when the file keeps each session's
    rows together, as spreadsheets do.
    """
    gathering = {}
    for ref, number, values, item in spill.records():
        last_row = wanted.get(ref)
        if last_row is None:
            continue
        line = gathering.get(ref)
        if line is None:
            # A session's first row carries its own columns.
            line = gathering[ref] = SessionLine.unspilled(ref, number, values)
        if item is not None:
            line.items.append(ItemValues(*item))
        if number == last_row:
            del gathering[ref]
            yield line


def _batches(lines, size=None):
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) >= (size or BATCH_SESSIONS):
            yield batch
            batch = []
    if batch:
        yield batch


def _existing(lines):
    if not lines:
        return {}
    return {
        session.external_ref: session
        for session in Session.objects.filter(
            external_ref__in=[line.ref for line in lines]
        ).prefetch_related(
            # As lists (to_attr), and the attendances unordered: compared by person, they need
            # no join to the people for the model's ordering by name.
            Prefetch("attendances", Attendance.objects.order_by(), to_attr="saved_attendances"),
            Prefetch("items", to_attr="saved_items"),
        )
    }


def _session_values(line, ids):
    return {
        "date": line.date,
        "format": line.format,
        "group_type": line.group_type,
        "supervisor_id": ids[line.supervisor],
        "status": line.status,
        "duration_minutes": line.duration_minutes,
    }


def _plan_new(plan, line, ids):
    # Made by `core.bulk.new`, as their constructors make them, at a fraction of the cost: a
    # whole council's file is hundreds of thousands of them.
    session = new(Session, external_ref=line.ref, **_session_values(line, ids))
    plan.new_sessions.append(session)
    attendance = line.attendance(ids)
    plan.new_attendances.extend(
        new(
            Attendance,
            session=session,
            person_id=person_id,
            present=present,
            session_date=line.date,
        )
        for person_id, present in attendance.items()
    )
    _counted_in(plan, line.status, line.date, attendance, session.supervisor_id)
    plan.new_items.extend(
        new(Item, session=session, **values.fields(position))
        for position, values in enumerate(line.items)
    )


def _plan_update(plan, line, session, ids, problems):
    changed_fields = {
        name: value
        for name, value in _session_values(line, ids).items()
        if getattr(session, name) != value
    }

    attendances = {attendance.person_id: attendance for attendance in session.saved_attendances}
    attendances_before = list(attendances)
    new_attendances, changed_attendances, moved_attendances = [], [], []
    for person_id, present in line.attendance(ids).items():
        attendance = attendances.pop(person_id, None)
        if attendance is None:
            new_attendances.append(
                Attendance(
                    session=session, person_id=person_id, present=present, session_date=line.date
                )
            )
            continue
        if attendance.present != present:
            attendance.present = present
            changed_attendances.append(attendance)
        if attendance.session_date != line.date:
            # The session moved to another day: the attendee's copy of its date moves too.
            attendance.session_date = line.date
            moved_attendances.append(attendance)
    removed_attendances = list(attendances.values())

    # Items are matched by position: an item that stays in its place keeps its history.
    items = list(session.saved_items)
    new_items, changed_items = [], []
    for position, values in enumerate(line.items):
        wanted = values.fields(position)
        if position >= len(items):
            new_items.append(Item(session=session, **wanted))
            continue
        item = items[position]
        if any(getattr(item, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(item, name, value)
            changed_items.append(item)
    removed_items = items[len(line.items) :]

    if not (
        changed_fields
        or new_attendances
        or changed_attendances
        or removed_attendances
        or new_items
        or changed_items
        or removed_items
    ):
        plan.unchanged_sessions += 1
        return
    # The same rule as the record page's (sessions_app.access): a shared, acknowledged or
    # signed-off record is corrected by addendum, never replaced by a re-import.
    refusal = record_change_refusal(session)
    if refusal is not None:
        problems.add(line.first_row, "session_ref", f"session {line.ref}: {refusal}")
        return

    # The months the session counted in before, and those it counts in now (sessions_app.kept).
    _counted_in(plan, session.status, session.date, attendances_before, session.supervisor_id)
    _counted_in(plan, line.status, line.date, line.attendance(ids), ids[line.supervisor])
    for name, value in changed_fields.items():
        setattr(session, name, value)
    # An import is a save of the whole record: anyone editing it meanwhile must reload.
    session.version += 1
    session.updated_at = clock.now()
    plan.changed_sessions.append(session)
    if "date" in changed_fields or "supervisor_id" in changed_fields:
        plan.moved_sessions.append(session.pk)
    plan.new_attendances.extend(new_attendances)
    plan.changed_attendances.extend(changed_attendances)
    plan.moved_attendances.extend(moved_attendances)
    plan.removed_attendances.extend(removed_attendances)
    plan.new_items.extend(new_items)
    plan.changed_items.extend(changed_items)
    plan.removed_items.extend(removed_items)


def _counted_in(plan, status, day, people, supervisor):
    plan.kept_sessions.add((supervisor, kept.month_of(day)))
    if status == Status.HELD:
        month = kept.month_of(day)  # a month's key once, however many sessions in it
        plan.kept_keys.update((person, month) for person in people)
        plan.kept_days.add(day)
        # Its supervisor's later sessions may inherit from it (sessions_app.brought_forward).
        since = plan.kept_supervisors.get(supervisor)
        plan.kept_supervisors[supervisor] = day if since is None else min(since, day)


def _write(plan: Batch):
    history = {"default_change_reason": CHANGE_REASON}
    create_with_history(plan.new_sessions, Session, change_reason=CHANGE_REASON)
    if plan.changed_sessions:
        bulk_update_with_history(
            plan.changed_sessions,
            Session,
            fields=[*SESSION_FIELDS, "version", "updated_at"],
            **history,
        )
    # Deleted one by one through the ORM's collector, so that history records each deletion.
    if plan.removed_attendances:
        Attendance.objects.filter(pk__in=[a.pk for a in plan.removed_attendances]).delete()
    if plan.removed_items:
        Item.objects.filter(pk__in=[item.pk for item in plan.removed_items]).delete()
    create_with_history(plan.new_attendances, Attendance, change_reason=CHANGE_REASON)
    if plan.changed_attendances:
        bulk_update_with_history(
            plan.changed_attendances, Attendance, fields=["present"], **history
        )
    if plan.moved_attendances:
        # The copy of the session's date is not a change of the record: no history row.
        Attendance.objects.bulk_update(plan.moved_attendances, ["session_date"])
    if plan.moved_sessions:
        session = Session.objects.filter(pk=OuterRef("session"))
        Feedback.objects.filter(among("session", plan.moved_sessions)).update(
            session_date=Subquery(session.values("date")),
            session_supervisor=Subquery(session.values("supervisor")),
        )
    create_with_history(plan.new_items, Item, change_reason=CHANGE_REASON)
    if plan.changed_items:
        bulk_update_with_history(plan.changed_items, Item, fields=ITEM_FIELDS, **history)
