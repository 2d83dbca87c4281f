"""Who changed what, and when: a record's history read from django-simple-history's tables."""

from dataclasses import dataclass, field
from datetime import datetime

from core.vocabulary import (
    FUNCTION_LABELS,
    FUNCTIONS,
    STAGE_LABELS,
    STAGES,
    STAKEHOLDER_LABELS,
    STAKEHOLDERS,
)

from .models import Acknowledgement, Action, ActionReview, Attendance, Feedback, Item, Session

IGNORED = {"id", "version", "updated_at", "created_at", "session", "position"}
HIDDEN = "(confidential)"


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class Entry:
    when: datetime
    who: str
    what: str
    changes: list[Change] = field(default_factory=list)


def _display(value):
    if value is None or value == "":
        return "-"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value)


def _tag_list(record, prefix, keys, labels):
    return ", ".join(labels[k] for k in keys if getattr(record, f"{prefix}_{k}")) or "-"


def _item_values(record):
    values = {
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
    return values


def _plain_values(model, record):
    values = {}
    for f in model._meta.concrete_fields:
        if f.name in IGNORED:
            continue
        raw = getattr(record, f.attname)
        if f.choices:
            raw = dict(f.flatchoices).get(raw, raw)
        values[f.verbose_name] = raw
    return values


def _name(record, people):
    user_id = record.history_user_id
    if user_id is None:
        return "the system (import or administrator script)"
    return str(people.get(user_id, "a former user"))


def _entries_for(records, people, describe, values_of, hidden_ids):
    entries = []
    previous = {}
    for record in records:
        hide = record.id in hidden_ids
        label = describe(record, hide, people)
        who = _name(record, people)
        if record.history_type == "+":
            entries.append(Entry(record.history_date, who, f"added {label}"))
        elif record.history_type == "-":
            entries.append(Entry(record.history_date, who, f"removed {label}"))
        elif record.id in previous:
            before = values_of(previous[record.id])
            changes = [
                Change(
                    key,
                    HIDDEN if hide and key in ("title", "notes") else _display(before.get(key)),
                    HIDDEN if hide and key in ("title", "notes") else _display(value),
                )
                for key, value in values_of(record).items()
                if key in before and before[key] != value
            ]
            if changes:
                entries.append(Entry(record.history_date, who, f"changed {label}", changes))
        previous[record.id] = record
    return entries


def _describe_item(record, hide, people):
    return "a confidential item" if hide else f"item “{record.title}”"


def _describe_person_row(noun):
    def describe(record, hide, people):
        return f"{noun} of {people.get(record.person_id, 'a former user')}"

    return describe


def record_history(session, *, show_confidential):
    """Every change to the session, its items, actions, attendance and acknowledgements.

    One query per tracked model, however long the history. Confidential items' titles and notes
    are hidden from anyone who may not read them, in every entry about that item.
    """
    from people.models import User

    sources = [
        (
            Session.history.filter(id=session.pk),
            lambda r, hide, people: "the session",
            lambda r: _plain_values(Session, r),
        ),
        (Item.history.filter(session_id=session.pk), _describe_item, _item_values),
        (
            Action.history.filter(session_id=session.pk),
            lambda r, hide, people: f"action “{r.description}”",
            lambda r: _plain_values(Action, r),
        ),
        (
            Attendance.history.filter(session_id=session.pk),
            _describe_person_row("the attendance"),
            lambda r: _plain_values(Attendance, r),
        ),
        (
            ActionReview.history.filter(session_id=session.pk),
            lambda r, hide, people: "an action review",
            lambda r: _plain_values(ActionReview, r),
        ),
        (
            Acknowledgement.history.filter(session_id=session.pk),
            _describe_person_row("the acknowledgement"),
            lambda r: _plain_values(Acknowledgement, r),
        ),
        (
            Feedback.history.filter(session_id=session.pk),
            _describe_person_row("the feedback"),
            # Feedback is for the supervisor and its author; the history shows only its timing.
            lambda r: {},
        ),
    ]
    loaded = [
        (list(qs.order_by("history_date", "history_id")), describe, values_of)
        for qs, describe, values_of in sources
    ]
    user_ids = set()
    for records, _, _ in loaded:
        for r in records:
            user_ids.add(r.history_user_id)
            user_ids.add(getattr(r, "person_id", None))
    people = User.objects.in_bulk([i for i in user_ids if i is not None])
    item_records = loaded[1][0]
    hidden_items = set() if show_confidential else {r.id for r in item_records if r.confidential}
    entries = []
    for index, (records, describe, values_of) in enumerate(loaded):
        hidden = hidden_items if index == 1 else set()
        entries += _entries_for(records, people, describe, values_of, hidden)
    entries.sort(key=lambda e: e.when)
    return entries
