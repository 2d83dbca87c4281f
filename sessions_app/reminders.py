"""Reminder emails: supervision due soon, supervision overdue, actions past their due date.

The worker queues them once a day (sessions_app.tasks); `manage.py send_reminders` does the
same by hand. Each reminder is recorded in ReminderSent under a key naming the thing and its
due date, in the same transaction that writes its email to the outbox, so a second run on the
same day, or the next day, sends nothing new, and a reminder recorded is a reminder that will
be sent (the outbox retries it if the mail server is down); a new due date (a session was
held, an action's date moved) makes a new reminder.

Each person gets at most one email per run, listing all their reminders. Only people who are
active and have reminder emails on get any.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils.dateformat import format as format_date

from outbox.services import queue_email
from people.models import Relationship, group_sessions_count

from .models import Action, RecordState, ReminderKind, ReminderSent, Status
from .notifications import absolute_url, record_url
from .selectors import with_last_held, with_next_planned

DUE_SOON_DAYS = 7
# Chunk the look-up of earlier reminders to stay under every database's parameter limit.
LOOKUP_CHUNK = 500

KIND_ORDER = [ReminderKind.OVERDUE, ReminderKind.DUE_SOON, ReminderKind.ACTION_OVERDUE]
KIND_HEADINGS = {
    ReminderKind.OVERDUE: "Supervision overdue",
    ReminderKind.DUE_SOON: "Supervision due in the next week",
    ReminderKind.ACTION_OVERDUE: "Actions past their due date",
}
KIND_COUNTS = {
    ReminderKind.OVERDUE: ("overdue session", "overdue sessions"),
    ReminderKind.DUE_SOON: ("session due soon", "sessions due soon"),
    ReminderKind.ACTION_OVERDUE: ("action past its due date", "actions past their due date"),
}


@dataclass(frozen=True)
class Reminder:
    person: object
    kind: str
    subject_key: str
    text: str
    url: str


@dataclass
class Outcome:
    day: date
    dry_run: bool
    # (person, their reminders), in the order they were (or would be) queued.
    queued: list = field(default_factory=list)

    @property
    def reminder_count(self):
        return sum(len(reminders) for _person, reminders in self.queued)

    @property
    def people_count(self):
        return len(self.queued)


def _wants_reminders(person):
    return person.is_active and person.reminder_emails


def _wanted(prefix):
    return Q(**{f"{prefix}__is_active": True, f"{prefix}__reminder_emails": True})


def _day(value):
    return format_date(value, "l j F Y")


def _days(n):
    return f"{n} day" if n == 1 else f"{n} days"


def relationship_reminders(day):
    """Due-soon and overdue reminders for every active relationship, by the one overdue rule
    (`Relationship.gap_to`). Two queries: the policy on group sessions, the relationships."""
    group_counts = group_sessions_count()
    relationships = (
        Relationship.objects.active_on(day)
        .filter(_wanted("supervisor") | _wanted("supervisee"))
        .select_related("supervisor", "supervisee")
        .order_by("pk")
    )
    relationships = with_next_planned(
        with_last_held(relationships, day, group_counts=group_counts), day
    )
    reminders = []
    for rel in relationships:
        gap = rel.gap_to(day, rel.last_held, group_counts=group_counts)
        due = gap.next_due
        booked = rel.next_planned
        if gap.overdue:
            kind = ReminderKind.OVERDUE
        elif due <= day + timedelta(days=DUE_SOON_DAYS) and not (booked and booked <= due):
            kind = ReminderKind.DUE_SOON
        else:
            continue
        key = f"relationship:{rel.pk}:due:{due.isoformat()}"
        if kind == ReminderKind.OVERDUE:
            when = f"was due by {_day(due)}, {_days((day - due).days)} ago"
        elif due == day:
            when = "is due today"
        else:
            when = f"is due by {_day(due)}"
        session = "supervision session" if group_counts else "one-to-one"
        last = (
            f"Last {session}: {_day(rel.last_held)}."
            if rel.last_held
            else f"No {session} held since the supervision began on {_day(rel.start_date)}."
        )
        if booked:
            booking = f"The next one booked is on {_day(booked)}."
        else:
            booking = "Nothing is booked yet."
        frequency = rel.get_frequency_display().lower()
        if _wants_reminders(rel.supervisor):
            reminders.append(
                Reminder(
                    person=rel.supervisor,
                    kind=kind,
                    subject_key=key,
                    text=f"Supervision with {rel.supervisee} ({frequency}) {when}. "
                    f"{last} {booking}",
                    url=absolute_url("sessions:new"),
                )
            )
        if _wants_reminders(rel.supervisee):
            reminders.append(
                Reminder(
                    person=rel.supervisee,
                    kind=kind,
                    subject_key=key,
                    text=f"Your supervision with {rel.supervisor} ({frequency}) {when}. "
                    f"{last} {booking}"
                    + ("" if booked else f" Agree a date with {rel.supervisor.get_short_name()}."),
                    url=absolute_url("home"),
                )
            )
    return reminders


def action_reminders(day):
    """Open actions owned by a person and past their due date, in one query.

    Only actions of held sessions. A supervisee hears of an action only once its record is
    shared with them: a draft record is the supervisor's alone. The email names the record,
    not the action: its words stay in the record, like every other part of it.
    """
    actions = (
        Action.objects.open()
        .filter(due_date__lt=day, owner__isnull=False, session__status=Status.HELD)
        .filter(_wanted("owner"))
        .filter(Q(owner=F("session__supervisor")) | ~Q(session__record_state=RecordState.DRAFT))
        .select_related("owner", "session__supervisor")
        .order_by("due_date", "pk")
    )
    reminders = []
    for action in actions:
        late = (day - action.due_date).days
        session = action.session
        led_by = "" if action.owner_id == session.supervisor_id else f" with {session.supervisor}"
        reminders.append(
            Reminder(
                person=action.owner,
                kind=ReminderKind.ACTION_OVERDUE,
                subject_key=f"action:{action.pk}:due:{action.due_date.isoformat()}",
                text=f"An action you agreed in supervision{led_by} on {_day(session.date)} "
                f"was due on {_day(action.due_date)} ({_days(late)} ago) and is still open. "
                "Open the record to see it.",
                url=record_url(session),
            )
        )
    return reminders


def collect_reminders(day):
    return relationship_reminders(day) + action_reminders(day)


def not_yet_sent(reminders):
    """The reminders without a ReminderSent row: a few queries, however many there are."""
    keys = sorted({r.subject_key for r in reminders})
    sent = set()
    for start in range(0, len(keys), LOOKUP_CHUNK):
        sent.update(
            ReminderSent.objects.filter(
                subject_key__in=keys[start : start + LOOKUP_CHUNK]
            ).values_list("person_id", "kind", "subject_key")
        )
    return [r for r in reminders if (r.person.pk, r.kind, r.subject_key) not in sent]


def by_person(reminders):
    grouped = defaultdict(list)
    people = {}
    for reminder in reminders:
        grouped[reminder.person.pk].append(reminder)
        people[reminder.person.pk] = reminder.person
    order = sorted(people.values(), key=lambda p: (p.name.lower(), p.email))
    return [(person, grouped[person.pk]) for person in order]


def reminder_subject(reminders):
    counts = defaultdict(int)
    for reminder in reminders:
        counts[reminder.kind] += 1
    parts = []
    for kind in KIND_ORDER:
        n = counts.get(kind)
        if n:
            one, many = KIND_COUNTS[kind]
            parts.append(f"{n} {one if n == 1 else many}")
    word = "reminder" if len(reminders) == 1 else "reminders"
    return f"Supervision {word}: {', '.join(parts)}"


def reminder_email(person, reminders, day):
    """The subject and body of one person's reminders email."""
    sections = [
        (KIND_HEADINGS[kind], [r for r in reminders if r.kind == kind]) for kind in KIND_ORDER
    ]
    body = render_to_string(
        "sessions_app/email/reminders.txt",
        {
            "person": person,
            "day": _day(day),
            "sections": [(heading, items) for heading, items in sections if items],
            "settings_url": absolute_url("people:settings"),
        },
    )
    return reminder_subject(reminders), body


def queue_reminders(day, *, dry_run=False):
    """Queue everyone's reminders due on `day` that were never sent before, one email each."""
    outcome = Outcome(day=day, dry_run=dry_run)
    for person, reminders in by_person(not_yet_sent(collect_reminders(day))):
        if dry_run:
            outcome.queued.append((person, reminders))
            continue
        subject, body = reminder_email(person, reminders, day)
        try:
            # Recorded and queued together: both or neither. If a concurrent run recorded
            # them first, the unique constraint stops this one before it queues a duplicate.
            with transaction.atomic():
                ReminderSent.objects.bulk_create(
                    ReminderSent(person=person, kind=r.kind, subject_key=r.subject_key)
                    for r in reminders
                )
                queue_email(
                    to=person.email, subject=subject, body=body, kind="reminders", person=person
                )
        except IntegrityError:
            continue
        outcome.queued.append((person, reminders))
    return outcome
