"""Who changed what, and when: a record's history read from django-simple-history's tables.

What a person sees is decided by the access policy (`SessionAccess`):

- the supervisor sees every version, drafts included;
- anyone else starts at the version that was shared with them: writing before the record was
  first shared, and while it was withdrawn to draft, is the supervisor's alone (a sentence
  deleted in draft, or an item removed before sharing, never shows). A record shared again
  after a withdrawal shows, at that moment, what changed between the two shared versions;
- a confidential item's title and notes are hidden, in every entry, from whoever may not read
  them, and each supervisee sees only their own feedback's timing.

One query per tracked model, however long the history.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time

from core.dates import day_text, day_time_text, time_text
from core.prepared import Prepared
from core.vocabulary import (
    FUNCTION_LABELS,
    FUNCTIONS,
    STAGE_LABELS,
    STAGES,
    STAKEHOLDER_LABELS,
    STAKEHOLDERS,
)
from people.models import User

from .models import (
    Acknowledgement,
    Action,
    ActionReview,
    Attendance,
    DisputeReply,
    Feedback,
    Item,
    RecordState,
)
from .models import Session as SessionModel

IGNORED = {
    "id",
    "version",
    "updated_at",
    "created_at",
    "session",
    # The attendee's copy of the session's date (not kept in history): the session's own
    # change shows a new date.
    "session_date",
    "position",
    "acknowledgement",
    "creation_token",
}
HIDDEN = "(confidential)"
HIDDEN_KEYS = ("title", "notes")


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    """One change: `who` did `verb` to `thing` at `when`. `own`: the thing is the actor's own
    answer (their acknowledgement or feedback), so that it reads "Acknowledged by Sam Social"
    rather than "Sam Social added the acknowledgement of Sam Social"."""

    when: datetime
    who: str
    verb: str  # added, removed, changed, shared, shared again, withdrew
    thing: str = ""
    changes: list[Change] = field(default_factory=list)
    own: str = ""  # "acknowledgement" or "feedback" when the actor answered for themself

    @property
    def what(self) -> str:
        """Active voice, after the name ("shared the record"): the subject access export."""
        if self.verb.startswith("shared"):
            return f"shared the record{self.verb.removeprefix('shared')}"
        if self.verb == "withdrew":
            return "withdrew the record to correct it"
        return f"{self.verb} {self.thing}"

    @property
    def sentence(self) -> str:
        """How a person reads it: "Shared by David Marsh" (the page adds ", 3 Dec 2026 14:02")."""
        if self.verb == "shared":
            return f"Shared by {self.who}"
        if self.verb == "shared again":
            return f"Shared again by {self.who}"
        if self.verb == "withdrew":
            return f"Withdrawn to draft, to correct it, by {self.who}"
        if self.own == "acknowledgement":
            done = {"added": "Acknowledged", "changed": "Acknowledgement changed"}
            return f"{done.get(self.verb, 'Acknowledgement ' + self.verb)} by {self.who}"
        if self.own == "feedback":
            done = {"added": "Feedback given", "changed": "Feedback changed"}
            return f"{done.get(self.verb, 'Feedback ' + self.verb)} by {self.who}"
        thing = "session details" if self.thing == "the session" else self.thing
        thing = thing.removeprefix("the ")
        return f"{thing[:1].upper()}{thing[1:]} {self.verb} by {self.who}"


@dataclass(frozen=True)
class _Person:
    """A user id in a history row, written as the person's name (never their id or e-mail)."""

    pk: int | None


def _display(value, people=None):
    if value is None or value == "":
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, _Person):
        if value.pk is None:
            return "-"
        return str((people or {}).get(value.pk, "a former user"))
    if isinstance(value, datetime):
        return day_time_text(value)
    if isinstance(value, date):
        return day_text(value)
    if isinstance(value, time):
        return time_text(value)
    return str(value)


def _tag_list(record, prefix, keys, labels):
    return ", ".join(labels[k] for k in keys if getattr(record, f"{prefix}_{k}")) or "-"


def _item_values(record):
    return {
        "title": record.title,
        "notes": record.notes,
        "minutes": record.minutes,
        "functions": _tag_list(record, "function", FUNCTIONS, FUNCTION_LABELS),
        "stages": _tag_list(record, "stage", STAGES, STAGE_LABELS),
        "stakeholders": _tag_list(record, "stakeholder", STAKEHOLDERS, STAKEHOLDER_LABELS),
        "case reference": record.case_ref,
        "risk": record.risk,
        "confidential": record.confidential,
    }


def _plain_values(model):
    def values_of(record):
        values = {}
        for f in model._meta.concrete_fields:
            if f.name in IGNORED:
                continue
            raw = getattr(record, f.attname)
            if f.is_relation and f.related_model is User:
                raw = _Person(raw)
            elif f.choices:
                raw = dict(f.flatchoices).get(raw, raw)
            values[f.verbose_name] = raw
        return values

    return values_of


def _no_values(record):
    # Feedback is for the supervisor and its author; the history shows only its timing.
    return {}


@dataclass
class _Source:
    """One tracked model's history rows for the session, and how to word them."""

    rows: list
    describe: object  # (row, hidden, people) -> str
    values_of: object  # row -> {label: value}
    hidden_ids: frozenset = frozenset()
    own: str = ""  # rows that are a person's own answer: "acknowledgement", "feedback"


class _Writer:
    """Turns history rows into entries, as seen by a reader who saw only some of them."""

    def __init__(self, people):
        self.people = people
        self.entries = []

    def name(self, user_id):
        if user_id is None:
            return "the system (import or administrator script)"
        return str(self.people.get(user_id, "a former user"))

    def label(self, source, row):
        return source.describe(row, row.id in source.hidden_ids, self.people)

    def entry(self, source, row, when, who, verb):
        own = ""
        person_id = getattr(row, "person_id", None)
        if source.own and person_id is not None and person_id == row.history_user_id:
            own = source.own
        return Entry(when, who, verb, self.label(source, row), own=own)

    def changes(self, source, before, after):
        hide = after.id in source.hidden_ids
        old, new = source.values_of(before), source.values_of(after)
        return [
            Change(
                key,
                HIDDEN if hide and key in HIDDEN_KEYS else _display(old.get(key), self.people),
                HIDDEN if hide and key in HIDDEN_KEYS else _display(value, self.people),
            )
            for key, value in new.items()
            if key in old and old[key] != value
        ]

    def step(self, source, seen, row):
        """One history row inside a period the reader saw, against what they saw before it."""
        who = self.name(row.history_user_id)
        if row.history_type == "+":
            self.entries.append(self.entry(source, row, row.history_date, who, "added"))
            seen[row.id] = row
        elif row.history_type == "-":
            if seen.pop(row.id, None) is not None:
                self.entries.append(self.entry(source, row, row.history_date, who, "removed"))
        else:
            before = seen.get(row.id)
            seen[row.id] = row
            if before is not None:
                changes = self.changes(source, before, row)
                if changes:
                    entry = self.entry(source, row, row.history_date, who, "changed")
                    entry.changes = changes
                    self.entries.append(entry)

    def catch_up(self, source, seen, snapshot, when, who):
        """What changed, out of the reader's sight, between two versions they saw."""
        for object_id, row in snapshot.items():
            before = seen.get(object_id)
            if before is None:
                self.entries.append(self.entry(source, row, when, who, "added"))
            else:
                changes = self.changes(source, before, row)
                if changes:
                    entry = self.entry(source, row, when, who, "changed")
                    entry.changes = changes
                    self.entries.append(entry)
        for object_id, row in seen.items():
            if object_id not in snapshot:
                self.entries.append(self.entry(source, row, when, who, "removed"))


def _snapshot(rows, moment):
    """Each object's version as it stood at `moment` (objects deleted by then left out)."""
    state = {}
    for row in rows:
        if row.history_date > moment:
            break
        if row.history_type == "-":
            state.pop(row.id, None)
        else:
            state[row.id] = row
    return state


@dataclass(frozen=True)
class _Period:
    """A stretch of time the reader could see the record: from a share to a withdrawal."""

    start: datetime | None  # None: from the beginning (the supervisor)
    end: datetime | None  # None: to now
    shared_by: int | None = None
    withdrawn_by: int | None = None


def _shared_periods(session_rows):
    """When the record was shared (or signed off), from its own history rows."""
    periods = []
    start = shared_by = None
    for row in session_rows:
        visible = row.history_type != "-" and row.record_state != RecordState.DRAFT
        if visible and start is None:
            start, shared_by = row.history_date, row.history_user_id
        elif not visible and start is not None:
            periods.append(_Period(start, row.history_date, shared_by, row.history_user_id))
            start = None
    if start is not None:
        periods.append(_Period(start, None, shared_by))
    return periods


def _history_of(model):
    """A session's (or its parts') history rows, oldest first: a query prepared once."""
    field = "id" if model is SessionModel else "session_id"
    return Prepared(
        lambda pk: model.history.filter(**{field: pk}).order_by("history_date", "history_id")
    )


_HISTORY = {
    model: _history_of(model)
    for model in (
        SessionModel,
        Item,
        Action,
        Attendance,
        ActionReview,
        Acknowledgement,
        Feedback,
        DisputeReply,
    )
}


def _sources(session, access):
    def person_row(noun):
        return lambda r, hidden, people: f"{noun} of {people.get(r.person_id, 'a former user')}"

    items = _HISTORY[Item](session.pk)
    hidden_items = frozenset(
        () if access.can_read_confidential else {r.id for r in items if r.confidential}
    )
    feedback = [r for r in _HISTORY[Feedback](session.pk) if access.can_read_feedback(r)]

    def rows(model):
        return _HISTORY[model](session.pk)

    return [
        _Source(
            _HISTORY[SessionModel](session.pk),
            lambda r, hidden, people: "the session",
            _plain_values(SessionModel),
        ),
        _Source(
            items,
            lambda r, hidden, people: "a confidential item" if hidden else f"item “{r.title}”",
            _item_values,
            hidden_items,
        ),
        _Source(
            rows(Action),
            lambda r, hidden, people: f"action “{r.description}”",
            _plain_values(Action),
        ),
        _Source(rows(Attendance), person_row("the attendance"), _plain_values(Attendance)),
        _Source(
            rows(ActionReview),
            lambda r, hidden, people: "an action review",
            _plain_values(ActionReview),
        ),
        _Source(
            rows(Acknowledgement),
            person_row("the acknowledgement"),
            _plain_values(Acknowledgement),
            own="acknowledgement",
        ),
        _Source(feedback, person_row("the feedback"), _no_values, own="feedback"),
        _Source(
            rows(DisputeReply),
            lambda r, hidden, people: "a reply to a disagreement",
            _plain_values(DisputeReply),
        ),
    ]


def record_history(session, access):
    """Every change `access.user` may see to the session, its items, actions, attendance,
    reviews, acknowledgements and feedback, oldest first."""
    if not access.can_read_content:
        return []
    sources = _sources(session, access)
    session_source = sources[0]
    shared_periods = _shared_periods(session_source.rows)
    if access.can_read_draft_history:
        periods = [_Period(None, None)]
    else:
        periods = shared_periods
    user_ids = {None}
    for source in sources:
        for r in source.rows:
            user_ids.add(r.history_user_id)
            for attname in ("person_id", "supervisor_id", "owner_id", "moved_by_id", "author_id"):
                user_ids.add(getattr(r, attname, None))
    writer = _Writer(User.objects.in_bulk([i for i in user_ids if i is not None]))
    # Written first so that, at the same moment, "shared again" reads before what it changed.
    # The supervisor, who sees every version, reads the same "Shared by ..." lines.
    for number, period in enumerate(shared_periods):
        if period.start is not None:
            again = " again" if number else ""
            who = writer.name(period.shared_by)
            writer.entries.append(Entry(period.start, who, f"shared{again}"))
        if period.end is not None:
            who = writer.name(period.withdrawn_by)
            writer.entries.append(Entry(period.end, who, "withdrew"))

    for source in sources:
        seen = {}
        for number, period in enumerate(periods):
            if period.start is not None:
                snapshot = _snapshot(source.rows, period.start)
                if number and source is not session_source:
                    writer.catch_up(
                        source, seen, snapshot, period.start, writer.name(period.shared_by)
                    )
                seen = snapshot
            for row in source.rows:
                after_start = period.start is None or row.history_date > period.start
                before_end = period.end is None or row.history_date < period.end
                if after_start and before_end:
                    writer.step(source, seen, row)

    writer.entries.sort(key=lambda e: e.when)  # stable: same-moment entries keep their order
    return writer.entries
