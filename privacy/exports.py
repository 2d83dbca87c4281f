"""Subject access (UK GDPR Article 15): what Fourfold holds about one person, as a zip.

Two doors, one service (`subject_access_export`):

- `Scope.OWN`: a person downloads their own data from their settings. It holds only what they
  may read in Fourfold themselves, as the access policy (`SessionAccess`) decides it: their
  records once shared with them (never a draft), a group's confidential items hidden, their
  own feedback and acknowledgements, never anyone else's.
- `Scope.SUBJECT_ACCESS`: an administrator answers a subject access request. It is about the
  person as data subject, so it adds what the organisation holds about them that they cannot
  see in the app: drafts of their records and their history before sharing (`SubjectAccess`),
  who read their records (the access log) and what was done with their data (the data-rights
  log).

In both, the sessions a person led appear as dates and counts only: what was discussed is the
supervisees' personal data, not the supervisor's. docs/privacy.md says what each file holds
and why; the README.txt in every zip says it again for whoever opens it.
"""

import csv
import enum
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from core import clock
from core.spreadsheet import safe_cell
from core.vocabulary import FUNCTION_LABELS
from outbox.models import OutgoingEmail
from people.access import is_administrator
from people.models import FocusAgreement, Relationship, SecurityEvent, User
from people.security import has_two_factor
from sessions_app.access import SessionAccess, readable_sessions
from sessions_app.history import record_history
from sessions_app.models import (
    AccessLog,
    Acknowledgement,
    Action,
    Addendum,
    Attendance,
    Feedback,
    Item,
    ReminderSent,
    Session,
)

from .models import EventKind, PrivacyEvent


class Scope(enum.Enum):
    OWN = "own"
    SUBJECT_ACCESS = "subject_access"


WITHHELD_TITLE = "Confidential item (withheld: it may be about another person in the group)"


@dataclass(frozen=True)
class Table:
    """One kind of data: written as `<name>.json` and `<name>.csv`, described in README.txt."""

    name: str
    description: str
    columns: tuple
    rows: list


@dataclass(frozen=True)
class Export:
    filename: str
    content: bytes
    counts: dict


# ---------------------------------------------------------------------------------------------
# Values


def _local(moment):
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def _json_value(value):
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def _csv_value(value):
    if value is None:
        return ""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return safe_cell(_json_value(value))


def _person(user):
    return str(user) if user is not None else ""


# ---------------------------------------------------------------------------------------------
# Which sessions, and what of them


class SubjectAccess(SessionAccess):
    """How a subject access export reads a session the subject was part of.

    As the subject reads it (`SessionAccess`), with one difference: drafts, and the history
    written before a record was shared, are held about the subject too, so the export includes
    them. Confidential items keep the policy's rule (the supervisor and a one-to-one's
    supervisee), and feedback is the subject's own only.
    """

    @cached_property
    def can_read(self) -> bool:
        return self.is_party

    @property
    def can_read_content(self) -> bool:
        return self.is_party

    @property
    def can_read_confidential(self) -> bool:
        return self.is_supervisor or (self.is_member and not self.session.is_group)

    @property
    def can_read_draft_history(self) -> bool:
        return self.is_party

    def can_read_feedback(self, feedback) -> bool:
        return feedback.person_id == self.user.pk


def access_for(subject, session, scope):
    """The one question asked of every session in an export: what may this export read of it."""
    if scope is Scope.OWN:
        return SessionAccess(subject, session)
    return SubjectAccess(subject, session)


def sessions_attended(subject, scope):
    """The sessions `subject` was invited to (present or absent), each with its access.

    Their own download: those whose page they may open (`readable_sessions`, the access
    policy): shared and signed-off records, and planned sessions (date only). A subject access
    export: every one, drafts included.
    """
    sessions = Session.objects.with_member(subject)
    if scope is Scope.OWN:
        sessions = readable_sessions(subject, sessions)
    sessions = list(
        sessions.select_related("supervisor")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("person")),
            Prefetch("items", queryset=Item.objects.order_by("position", "pk")),
        )
        .order_by("date", "start_time", "pk")
    )
    return [(s, access_for(subject, s, scope)) for s in sessions]


# ---------------------------------------------------------------------------------------------
# The tables


def profile_table(subject):
    teams = ", ".join(t.name for t in subject.managed_teams.order_by("name"))
    row = [
        subject.email,
        subject.name,
        subject.team.name if subject.team_id else "",
        subject.start_date_in_post,
        subject.reminder_emails,
        subject.is_active,
        subject.is_staff,
        subject.date_joined,
        subject.last_login,
        has_two_factor(subject),
        teams,
    ]
    return Table(
        "profile",
        "Your account: email, name, team, start date in post, settings, sign-in dates, and the "
        "teams you manage, and whether two-step sign-in is on. Your password and two-step "
        "secrets are stored only in a form that cannot be read back, and are not included.",
        (
            "email",
            "name",
            "team",
            "start_date_in_post",
            "reminder_emails",
            "active",
            "administrator",
            "joined",
            "last_sign_in",
            "two_step_sign_in",
            "teams_managed",
        ),
        [row],
    )


def _relationships(subject):
    return (
        Relationship.objects.filter(Q(supervisor=subject) | Q(supervisee=subject))
        .select_related("supervisor", "supervisee")
        .order_by("start_date", "pk")
    )


def relationships_table(subject):
    rows = []
    for rel in _relationships(subject):
        is_supervisee = rel.supervisee_id == subject.pk
        other = rel.supervisor if is_supervisee else rel.supervisee
        rows.append(
            [
                rel.pk,
                "supervisee" if is_supervisee else "supervisor",
                _person(other),
                other.email,
                rel.get_kind_display(),
                rel.get_frequency_display(),
                rel.start_date,
                rel.end_date,
                rel.agreement,
            ]
        )
    return Table(
        "relationships",
        "Your supervision relationships, as supervisee and as supervisor: the other person, "
        "kind, expected frequency, dates and the agreement text (which both of you can read).",
        (
            "relationship_id",
            "your_role",
            "other_person",
            "other_person_email",
            "kind",
            "frequency",
            "start_date",
            "end_date",
            "agreement",
        ),
        rows,
    )


def focus_table(subject):
    rows = []
    agreements = (
        FocusAgreement.objects.filter(relationship__in=_relationships(subject))
        .select_related("relationship__supervisor", "relationship__supervisee", "created_by")
        .order_by("agreed_on", "pk")
    )
    for focus in agreements:
        rel = focus.relationship
        is_supervisee = rel.supervisee_id == subject.pk
        rows.append(
            [
                rel.pk,
                "supervisee" if is_supervisee else "supervisor",
                _person(rel.supervisor if is_supervisee else rel.supervisee),
                focus.agreed_on,
                focus.function_labels,
                focus.notes,
                _person(focus.created_by),
                focus.created_at,
            ]
        )
    return Table(
        "focus_agreements",
        "The functions you and your supervisor (or supervisee) agreed to give more attention, "
        "with their notes.",
        (
            "relationship_id",
            "your_role",
            "other_person",
            "agreed_on",
            "functions",
            "notes",
            "recorded_by",
            "recorded_at",
        ),
        rows,
    )


def sessions_table(sessions):
    rows = []
    for s, access in sessions:
        rows.append(
            [
                s.pk,
                s.date,
                s.start_time.strftime("%H:%M") if s.start_time else "",
                _person(s.supervisor),
                s.get_format_display(),
                s.get_group_type_display() if s.group_type else "",
                s.get_mode_display(),
                s.duration_minutes,
                s.get_status_display(),
                s.get_record_state_display(),
                "present" if access.is_present else "absent",
                s.shared_at,
                s.signed_off_at,
                s.cancellation_reason,
            ]
        )
    return Table(
        "sessions",
        "The supervision sessions you were part of as supervisee or group member (present or "
        "absent): date, supervisor, format, status and the state of the record.",
        (
            "session_id",
            "date",
            "start_time",
            "supervisor",
            "format",
            "group_type",
            "mode",
            "duration_minutes",
            "status",
            "record_state",
            "your_attendance",
            "shared_at",
            "signed_off_at",
            "cancellation_reason",
        ),
        rows,
    )


def items_table(sessions):
    rows = []
    for s, access in sessions:
        if not access.can_read_content:
            continue
        for item in s.items.all():
            withheld = access.item_is_hidden(item)
            rows.append(
                [
                    s.pk,
                    s.date,
                    item.position,
                    WITHHELD_TITLE if withheld else item.title,
                    "" if withheld else item.notes,
                    item.minutes,
                    item.function_labels,
                    item.stage_labels,
                    item.stakeholder_labels,
                    item.case_ref,
                    item.risk,
                    item.confidential,
                    withheld,
                ]
            )
    return Table(
        "discussion_items",
        "What was discussed in those sessions, item by item, with its tags. A confidential item "
        "in a group session shows only its minutes and tags: it may be about another member.",
        (
            "session_id",
            "session_date",
            "position",
            "title",
            "notes",
            "minutes",
            "functions",
            "stages",
            "stakeholders",
            "case_reference",
            "risk",
            "confidential",
            "withheld",
        ),
        rows,
    )


def actions_table(subject, content_ids, scope):
    # Their own actions anywhere; in their own download, not those in records still in draft
    # that someone else leads (they cannot read those yet).
    owned = Q(owner=subject)
    if scope is Scope.OWN:
        owned &= Q(session__supervisor=subject)
    actions = (
        Action.objects.filter(Q(session_id__in=content_ids) | owned)
        .select_related("owner", "session")
        .order_by("session__date", "due_date", "pk")
    )
    rows = [
        [
            a.session_id,
            a.session.date,
            a.description,
            a.owner_display,
            a.owner_id == subject.pk,
            a.due_date,
            a.get_status_display(),
            a.completed_on,
        ]
        for a in actions
    ]
    return Table(
        "actions",
        "The actions agreed in your sessions, and every action you own.",
        (
            "session_id",
            "session_date",
            "description",
            "owner",
            "yours",
            "due_date",
            "status",
            "completed_on",
        ),
        rows,
    )


def acknowledgements_table(subject):
    acks = (
        Acknowledgement.objects.filter(person=subject)
        .select_related("session")
        .order_by("created_at", "pk")
    )
    rows = [
        [a.session_id, a.session.date, a.get_response_display(), a.comments, a.created_at]
        for a in acks
    ]
    return Table(
        "acknowledgements",
        "Your answers to shared records: agree, agree with comments, or disagree with reasons.",
        ("session_id", "session_date", "response", "comments", "at"),
        rows,
    )


def feedback_table(subject):
    rows = []
    for f in (
        Feedback.objects.filter(person=subject)
        .select_related("session")
        .order_by("session__date", "pk")
    ):
        rows.append(
            [
                f.session_id,
                f.session.date,
                f.get_management_display(),
                f.get_development_display(),
                f.get_support_display(),
                f.get_mediation_display(),
                FUNCTION_LABELS.get(f.wants_more, ""),
                FUNCTION_LABELS.get(f.dominated, ""),
                f.usefulness,
                f.comments,
                f.created_at,
                f.updated_at,
            ]
        )
    return Table(
        "feedback",
        "The feedback you gave on sessions. Feedback other people gave is theirs, not in here.",
        (
            "session_id",
            "session_date",
            "management",
            "development",
            "support",
            "mediation",
            "wants_more_attention_on",
            "dominated",
            "usefulness_1_to_5",
            "comments",
            "created_at",
            "updated_at",
        ),
        rows,
    )


def addenda_table(subject, content_ids):
    addenda = (
        Addendum.objects.filter(Q(session_id__in=content_ids) | Q(author=subject))
        .select_related("author", "session")
        .order_by("created_at", "pk")
    )
    rows = [
        [
            a.session_id,
            a.session.date,
            _person(a.author),
            a.author_id == subject.pk,
            a.text,
            a.created_at,
        ]
        for a in addenda
    ]
    return Table(
        "addenda",
        "Corrections and additions to your records, and every addendum you wrote.",
        ("session_id", "session_date", "author", "yours", "text", "at"),
        rows,
    )


def history_table(sessions):
    rows = []
    for s, access in sessions:
        for entry in record_history(s, access):
            changes = [f"{c.label}: {c.old} -> {c.new}" for c in entry.changes]
            rows.append([s.pk, s.date, entry.when, entry.who, entry.what, changes])
    return Table(
        "record_history",
        "Every change to those records (who changed what, when), as the record page shows it.",
        ("session_id", "session_date", "when", "who", "what", "changes"),
        rows,
    )


def sessions_led_table(subject):
    sessions = (
        Session.objects.led_by(subject)
        .annotate(
            attendee_count=Count("attendances", distinct=True),
            present_count=Count("attendances", filter=Q(attendances__present=True), distinct=True),
            item_count=Count("items", distinct=True),
        )
        .order_by("date", "start_time", "pk")
    )
    rows = [
        [
            s.pk,
            s.date,
            s.get_format_display(),
            s.get_group_type_display() if s.group_type else "",
            s.duration_minutes,
            s.get_status_display(),
            s.get_record_state_display(),
            s.attendee_count,
            s.present_count,
            s.item_count,
        ]
        for s in sessions
    ]
    return Table(
        "sessions_led",
        "The sessions you led as supervisor or facilitator: dates and counts only. What was "
        "discussed is about your supervisees, so it is their data, not part of yours.",
        (
            "session_id",
            "date",
            "format",
            "group_type",
            "duration_minutes",
            "status",
            "record_state",
            "attendees",
            "present",
            "discussion_items",
        ),
        rows,
    )


def reminders_table(subject):
    rows = [
        [r.get_kind_display(), r.subject_key, r.sent_at]
        for r in ReminderSent.objects.filter(person=subject).order_by("sent_at", "pk")
    ]
    return Table(
        "reminders_sent",
        "The reminder emails Fourfold sent you (what about, when).",
        ("kind", "about", "sent_at"),
        rows,
    )


def _read_session(log):
    """The session a read was of: its label, kept even when the session was removed since."""
    if log.session_label or log.session is None:
        return log.session_label
    return f"{log.session.title()}, {log.session.date:%-d %b %Y} (session {log.session_id})"


def emails_table(subject):
    emails = OutgoingEmail.objects.filter(Q(person=subject) | Q(to__iexact=subject.email)).order_by(
        "created_at", "pk"
    )
    rows = [
        [e.created_at, e.kind, e.to, e.subject, e.body, e.get_status_display(), e.sent_at]
        for e in emails
    ]
    return Table(
        "emails",
        "The emails Fourfold sent you, or is about to, as they are still in its outbox (sent "
        "emails are kept there for 30 days).",
        ("queued_at", "about", "to", "subject", "body", "status", "sent_at"),
        rows,
    )


def records_read_table(subject):
    logs = (
        AccessLog.objects.filter(user=subject)
        .select_related("session__supervisor")
        .prefetch_related("session__attendances__person")
        .order_by("viewed_at", "pk")
    )
    rows = [
        [
            log.viewed_at,
            log.get_place_display(),
            log.session_id,
            log.session.date if log.session else None,
            _read_session(log),
        ]
        for log in logs
    ]
    return Table(
        "records_you_read",
        "The access log of your own reading: the records you opened as a manager or "
        "administrator (not your own sessions), where and when. It holds no record's content.",
        ("viewed_at", "where", "session_id", "session_date", "session"),
        rows,
    )


def record_reads_table(subject, sessions):
    logs = (
        AccessLog.objects.filter(session__in=[s.pk for s, _ in sessions])
        .exclude(user=subject)
        .select_related("user", "session")
        .order_by("viewed_at", "pk")
    )
    rows = [
        [
            log.viewed_at,
            log.get_place_display(),
            _person(log.user),
            log.user.email,
            log.session_id,
            log.session.date,
        ]
        for log in logs
    ]
    return Table(
        "who_read_your_records",
        "The access log of your records: each time someone other than the session's supervisor "
        "and attendees (a manager, an administrator) opened one, and when.",
        ("viewed_at", "where", "reader", "reader_email", "session_id", "session_date"),
        rows,
    )


def security_log_table(subject):
    events = (
        SecurityEvent.objects.filter(Q(user=subject) | Q(email__iexact=subject.email))
        .select_related("by")
        .order_by("at", "pk")
    )
    rows = [
        [e.at, e.get_kind_display(), e.email, e.ip_address, e.detail, _person(e.by)] for e in events
    ]
    return Table(
        "security_log",
        "The security log about your account: sign-ins and failed ones (with the email tried "
        "and the network address they came from), lockouts, and changes to your password and "
        "two-step sign-in, with the administrator who made a change for you.",
        ("at", "what", "email", "address", "detail", "by_administrator"),
        rows,
    )


def privacy_log_table(subject):
    events = (
        PrivacyEvent.objects.filter(Q(subject=subject) | Q(actor=subject))
        .select_related("actor", "subject")
        .order_by("at", "pk")
    )
    rows = [
        [
            e.at,
            e.get_kind_display(),
            _person(e.actor) or "a command on the server",
            _person(e.subject),
        ]
        for e in events
    ]
    return Table(
        "data_rights_log",
        "What was done with your data under data-protection law: exports of it (this one "
        "included), by whom and when.",
        ("at", "what", "by", "whose_data"),
        rows,
    )


def export_tables(subject, scope):
    """Every table of the export, in the order README.txt lists them."""
    sessions = sessions_attended(subject, scope)
    content_ids = [s.pk for s, access in sessions if access.can_read_content]
    tables = [
        profile_table(subject),
        relationships_table(subject),
        focus_table(subject),
        sessions_table(sessions),
        items_table(sessions),
        actions_table(subject, content_ids, scope),
        acknowledgements_table(subject),
        feedback_table(subject),
        addenda_table(subject, content_ids),
        history_table(sessions),
        sessions_led_table(subject),
        reminders_table(subject),
        emails_table(subject),
        records_read_table(subject),
    ]
    if scope is Scope.SUBJECT_ACCESS:
        tables += [
            record_reads_table(subject, sessions),
            security_log_table(subject),
            privacy_log_table(subject),
        ]
    return tables


# ---------------------------------------------------------------------------------------------
# The zip


def table_json(table):
    records = [
        {col: _json_value(v) for col, v in zip(table.columns, row, strict=True)}
        for row in table.rows
    ]
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def table_csv(table):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.columns)
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    # The byte-order mark tells Excel the file is UTF-8, so accented names survive.
    return "\ufeff" + out.getvalue()


NOT_INCLUDED = {
    Scope.OWN: [
        "Drafts of your records that have not been shared with you, and anything a group's "
        "confidential items say (only their minutes and tags).",
        "Other people's feedback and acknowledgements, and what was discussed in sessions you "
        "led (that is your supervisees' data).",
        "Who has read your records: ask your administrator for a subject access export, which "
        "includes the access log of your records and the drafts held about you.",
    ],
    Scope.SUBJECT_ACCESS: [
        "What a group's confidential items say (only their minutes and tags): such an item may "
        "be about another member, whose data it is. Review them by hand if the request needs it.",
        "Other people's feedback and acknowledgements, and what was discussed in sessions the "
        "person led (that is their supervisees' data; the counts are in sessions_led).",
        "The password and two-step sign-in secrets, stored only in a form that cannot be read "
        "back.",
    ],
}


def readme(subject, scope, tables, moment):
    title = (
        "Your data in Fourfold"
        if scope is Scope.OWN
        else "Subject access export from Fourfold (UK GDPR Article 15)"
    )
    lines = [
        title,
        "=" * len(title),
        "",
        f"Whose data: {subject.name} <{subject.email}> (person {subject.pk})",
        f"Made: {_local(moment)}",
        "",
        "Each kind of data is here twice: as JSON (for another system) and as CSV (for a",
        "spreadsheet). A CSV cell that would start with = + - @ starts with ' instead, so that",
        "no spreadsheet runs it as a formula. Dates are YYYY-MM-DD; times are in the",
        "organisation's time zone, with their offset from UTC.",
        "",
        "Files",
        "-----",
    ]
    for table in tables:
        lines += [
            f"{table.name}.json, {table.name}.csv "
            f"({len(table.rows)} row{'' if len(table.rows) == 1 else 's'})",
            f"    {table.description}",
        ]
    lines += ["", "Not in this export, and why", "---------------------------"]
    lines += [f"- {text}" for text in NOT_INCLUDED[scope]]
    return "\n".join(lines) + "\n"


def build_zip(subject, scope, tables, moment):
    buffer = io.BytesIO()
    stamp = timezone.localtime(moment).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:

        def add(name, text):
            archive.writestr(zipfile.ZipInfo(name, date_time=stamp), text.encode("utf-8"))

        add("README.txt", readme(subject, scope, tables, moment))
        for table in tables:
            add(f"{table.name}.json", table_json(table))
            add(f"{table.name}.csv", table_csv(table))
    return buffer.getvalue()


@transaction.atomic
def subject_access_export(*, subject: User, actor: User | None, scope: Scope) -> Export:
    """Everything `scope` gives of `subject`'s data, as a zip; the download is logged.

    `actor` None is a command on the server. A person's own export is theirs alone; a subject
    access export is for administrators.
    """
    if scope is Scope.OWN and (actor is None or actor.pk != subject.pk):
        raise PermissionDenied("A person downloads only their own data.")
    if scope is Scope.SUBJECT_ACCESS and actor is not None and not is_administrator(actor):
        raise PermissionDenied("Subject access exports are for administrators.")
    kind = EventKind.OWN_EXPORT if scope is Scope.OWN else EventKind.SUBJECT_ACCESS_EXPORT
    # Logged first, so that the export's own data-rights log lists this download too.
    event = PrivacyEvent.objects.create(kind=kind, actor=actor, subject=subject)
    moment = clock.now()
    tables = export_tables(subject, scope)
    counts = {t.name: len(t.rows) for t in tables}
    event.details = {"scope": scope.value, "rows": counts}
    event.save(update_fields=["details"])
    day = clock.local_date(moment).isoformat()
    prefix = "fourfold-my-data" if scope is Scope.OWN else f"fourfold-subject-access-{subject.pk}"
    return Export(
        filename=f"{prefix}-{day}.zip",
        content=build_zip(subject, scope, tables, moment),
        counts=counts,
    )
