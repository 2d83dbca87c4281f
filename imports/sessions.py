"""`import_sessions`: sessions, who attended them and their discussion items, one row per item.

Rows with the same `session_ref` form one session and repeat its session columns. A session
already imported (its `session_ref` is the session's `external_ref`) is brought in line with the
file: changed fields, attendances and items are updated in place, so that each keeps its history,
and a session the file leaves as it is gets no write at all. The record's state (draft, shared,
signed off) is never changed by an import; a signed-off record cannot be changed by one.
"""

from dataclasses import dataclass, field
from datetime import date

from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import clock
from core.vocabulary import (
    FUNCTIONS,
    STAGES,
    STAKEHOLDERS,
    function_field,
    stage_field,
    stakeholder_field,
)
from people.models import User
from sessions_app.access import record_change_refusal
from sessions_app.models import (
    Attendance,
    Format,
    GroupType,
    Item,
    Session,
    Status,
)
from sessions_app.services import InvalidSession, SessionDetails, check_details

from .csvfile import (
    ImportResult,
    Layout,
    Row,
    counted,
    read_choice,
    read_date,
    read_email,
    read_email_list,
    read_key_list,
    read_minutes,
    read_text,
    run_import,
    shown,
    split_list,
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
SESSION_FIELDS = ["date", "format", "group_type", "supervisor", "status", "duration_minutes"]
ITEM_FIELDS = [
    "position",
    "title",
    "notes",
    "minutes",
    "case_ref",
    "risk",
    *(function_field(key) for key in FUNCTIONS),
    *(stage_field(key) for key in STAGES),
    *(stakeholder_field(key) for key in STAKEHOLDERS),
]


@dataclass(frozen=True)
class ItemValues:
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
    rows: list[Row]
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

    @property
    def first_row(self):
        return self.rows[0].number

    def attendance(self, ids):
        """{person id: present}: a one-to-one's supervisee, or a group's members."""
        wanted = {ids[email]: True for email in self.supervisees}
        wanted.update({ids[email]: False for email in self.absent})
        return wanted


@dataclass
class SessionsPlan:
    """What the import writes: unsaved objects to create, changed ones to update or delete."""

    new_sessions: list[Session] = field(default_factory=list)
    changed_sessions: list[Session] = field(default_factory=list)
    unchanged_sessions: int = 0
    attendances: int = 0
    new_attendances: list[Attendance] = field(default_factory=list)
    changed_attendances: list[Attendance] = field(default_factory=list)
    removed_attendances: list[Attendance] = field(default_factory=list)
    items: int = 0
    new_items: list[Item] = field(default_factory=list)
    changed_items: list[Item] = field(default_factory=list)
    removed_items: list[Item] = field(default_factory=list)

    def summary(self, *, dry_run):
        sessions = len(self.new_sessions) + len(self.changed_sessions) + self.unchanged_sessions
        text = (
            f"{counted(sessions, 'session')} ({len(self.new_sessions)} new, "
            f"{len(self.changed_sessions)} changed, {self.unchanged_sessions} unchanged), "
            f"{counted(self.items, 'item')} ({len(self.new_items)} new, "
            f"{len(self.changed_items)} changed, {len(self.removed_items)} removed), "
            f"{counted(self.attendances, 'attendance')} ({len(self.new_attendances)} new, "
            f"{len(self.changed_attendances)} changed, {len(self.removed_attendances)} removed)."
        )
        return summary_sentence(text, dry_run=dry_run)


def sessions_import(*, data: bytes, dry_run: bool = False) -> ImportResult:
    """Create or update every session in a sessions CSV; write nothing unless all is valid."""
    return run_import(
        data=data, dry_run=dry_run, layout=LAYOUT, read=_read_sessions, plan=_plan, write=_write
    )


# Reading the file: no database.


def _read_sessions(rows, problems):
    groups = {}
    for row in rows:
        ref = read_text(row, "session_ref", problems, max_length=REF_LENGTH)
        # A row without a usable reference is still checked, as a session of its own.
        groups.setdefault(ref or ("row", row.number), []).append(row)
    return [
        _read_session(key if isinstance(key, str) else None, group, problems)
        for key, group in groups.items()
    ]


def _read_session(ref, rows, problems):
    before = len(problems)
    first = rows[0]
    session_format = read_choice(first, "format", problems, choices=Format.values)
    supervisor = read_email(first, "supervisor", problems)
    supervisees = read_email_list(first, "supervisees", problems)
    absent = read_email_list(first, "absent", problems)
    line = SessionLine(
        ref=ref,
        rows=rows,
        date=read_date(first, "date", problems),
        format=session_format,
        group_type=_read_group_type(first, session_format, problems),
        supervisor=supervisor,
        supervisees=supervisees,
        absent=absent,
        status=read_choice(first, "status", problems, choices=Status.values),
        duration_minutes=read_minutes(first, "duration_minutes", problems),
        items=[],
        ok=False,
    )
    _check_attendees(first, line, problems)
    if line.date is not None and line.status is not None:
        try:
            check_details(SessionDetails(line.format, line.date, 1, status=line.status))
        except InvalidSession as invalid:
            problems.add(first.number, "date", str(invalid))
    for row in rows[1:]:
        _check_agrees(first, row, ref, problems)

    crossed_at = None
    total = 0
    for row in rows:
        if not _has_item(row):
            if len(rows) > 1:
                problems.add(
                    row.number,
                    "item_title",
                    f"a value is required: session {ref} has several rows, one per item "
                    "(only a session without items has a single row with the item columns empty)",
                )
            continue
        item = _read_item(row, problems)
        if item is None:
            continue
        line.items.append(item)
        total += item.minutes
        if crossed_at is None and line.duration_minutes and total > line.duration_minutes:
            crossed_at = row.number
    if crossed_at is not None:
        problems.add(
            crossed_at,
            "item_minutes",
            f"the items of session {ref} add up to {total} minutes, more than its "
            f"duration_minutes ({line.duration_minutes})",
        )
    line.ok = ref is not None and len(problems) == before
    return line


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
            f"a group session needs a group_type: one of {', '.join(GroupType.values)}",
        )
        return None
    return read_choice(row, "group_type", problems, choices=GroupType.values, required=False)


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
    elif line.supervisees and line.absent:
        for email in line.absent:
            if email in line.supervisees:
                problems.add(
                    row.number,
                    "absent",
                    f"{email} is also in supervisees: a member is either present or absent",
                )


def _comparable(row, column):
    """A session column's value in a form two rows can be compared in."""
    value = row[column]
    if column in ("supervisees", "absent"):
        return frozenset(part.lower() for part in split_list(value))
    if column in ("supervisor", "format", "group_type", "status"):
        return value.lower()
    return value


def _check_agrees(first, row, ref, problems):
    for column in SESSION_COLUMNS:
        if _comparable(row, column) != _comparable(first, column):
            problems.add(
                row.number,
                column,
                f"{shown(row[column]) if row[column] else 'empty'} differs from row "
                f"{first.number} ({shown(first[column]) if first[column] else 'empty'}): "
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


# Checking against the database and planning the writes: a fixed number of queries.


def _plan(sessions, problems):
    emails = set()
    for line in sessions:
        emails.update(
            filter(None, [line.supervisor, *(line.supervisees or ()), *(line.absent or ())])
        )
    ids = dict(User.objects.filter(email__in=emails).values_list("email", "id"))
    for line in sessions:
        for column, named in (
            ("supervisor", [line.supervisor]),
            ("supervisees", line.supervisees),
            ("absent", line.absent),
        ):
            for email in named or ():
                if email and email not in ids:
                    problems.add(line.first_row, column, f"no person has the email {email}")
                    line.ok = False

    valid = [line for line in sessions if line.ok]
    existing = {
        session.external_ref: session
        for session in Session.objects.filter(
            external_ref__in=[line.ref for line in valid]
        ).prefetch_related("attendances", "items")
    }
    plan = SessionsPlan()
    for line in valid:
        plan.items += len(line.items)
        plan.attendances += len(line.supervisees) + len(line.absent)
        session = existing.get(line.ref)
        if session is None:
            _plan_new(plan, line, ids)
        else:
            _plan_update(plan, line, session, ids, problems)
    return plan


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
    session = Session(external_ref=line.ref, **_session_values(line, ids))
    plan.new_sessions.append(session)
    plan.new_attendances.extend(
        Attendance(session=session, person_id=person_id, present=present)
        for person_id, present in line.attendance(ids).items()
    )
    plan.new_items.extend(
        Item(session=session, **values.fields(position))
        for position, values in enumerate(line.items)
    )


def _plan_update(plan, line, session, ids, problems):
    changed_fields = {
        name: value
        for name, value in _session_values(line, ids).items()
        if getattr(session, name) != value
    }

    attendances = {attendance.person_id: attendance for attendance in session.attendances.all()}
    new_attendances, changed_attendances = [], []
    for person_id, present in line.attendance(ids).items():
        attendance = attendances.pop(person_id, None)
        if attendance is None:
            new_attendances.append(
                Attendance(session=session, person_id=person_id, present=present)
            )
        elif attendance.present != present:
            attendance.present = present
            changed_attendances.append(attendance)
    removed_attendances = list(attendances.values())

    # Items are matched by position: an item that stays in its place keeps its history.
    items = list(session.items.all())
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

    for name, value in changed_fields.items():
        setattr(session, name, value)
    # An import is a save of the whole record: anyone editing it meanwhile must reload.
    session.version += 1
    session.updated_at = clock.now()
    plan.changed_sessions.append(session)
    plan.new_attendances.extend(new_attendances)
    plan.changed_attendances.extend(changed_attendances)
    plan.removed_attendances.extend(removed_attendances)
    plan.new_items.extend(new_items)
    plan.changed_items.extend(changed_items)
    plan.removed_items.extend(removed_items)


def _write(plan):
    history = {"default_change_reason": CHANGE_REASON}
    if plan.new_sessions:
        bulk_create_with_history(plan.new_sessions, Session, **history)
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
    if plan.new_attendances:
        bulk_create_with_history(plan.new_attendances, Attendance, **history)
    if plan.changed_attendances:
        bulk_update_with_history(
            plan.changed_attendances, Attendance, fields=["present"], **history
        )
    if plan.new_items:
        bulk_create_with_history(plan.new_items, Item, **history)
    if plan.changed_items:
        bulk_update_with_history(plan.changed_items, Item, fields=ITEM_FIELDS, **history)
