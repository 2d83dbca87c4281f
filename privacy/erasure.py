"""Erasure (UK GDPR Article 17) of a person who has left the organisation.

The person becomes "Former colleague": name, email and password go, and so do the words that
were theirs alone. The records of the other people they worked with stay readable, because
those are the other people's records too, and the organisation must keep them for the
retention period (`apply_retention` deletes them when it ends). docs/privacy.md lists what is
removed and what is kept, and why.

Removed:
- name, email (to `erased-<id>@erased.invalid`), password (unusable), team, start date in
  post, roles and permissions, the teams they managed, the reminders sent to them;
- their ways to sign in (allauth email addresses, two-step authenticators and recovery codes),
  django-axes's failed sign-in and lockout records for their email, and the email and address
  in their security-log entries (the entries stay: what happened, and when);
- the emails in the outbox addressed to them, and their name in the emails to others;
- their own words: their feedback comments, their acknowledgement comments, the addenda they
  wrote to a record they did not lead;
- the title and notes of confidential items in their one-to-one sessions (personal matters
  about them, SCIE), leaving minutes and tags so that the other party's figures still count;
- their name and email wherever they appear in the text of the records and relationships
  they were part of (replaced by "Former colleague"): item titles and notes, actions,
  cancellation reasons, the other party's comments and addenda, agreements and focus notes.

Every history row's copy (django-simple-history) gets the same treatment, or the erased text
would live on in the record's history.

Kept: the sessions, their dates, tags and minutes; everything the other party wrote, with the
erased person's name taken out; feedback ratings and acknowledgement responses (the record's
lifecycle and the audit's figures depend on them); the access log of what they read (it is the
organisation's evidence, for the people whose records were read).
"""

import re
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as SignInLog
from django.db import transaction
from django.db.models import Q

from core import clock
from outbox.models import OutgoingEmail
from people.models import FocusAgreement, Relationship, SecurityEvent, User
from sessions_app.models import (
    AccessLog,
    Acknowledgement,
    Action,
    Addendum,
    Attendance,
    Feedback,
    Format,
    Item,
    ReminderSent,
    Session,
)

from .models import EventKind, PrivacyEvent

FORMER_COLLEAGUE = "Former colleague"
REMOVED_TEXT = "[Removed when this person's data was erased]"
REMOVED_CONFIDENTIAL_TITLE = "Confidential item (removed when the supervisee's data was erased)"


class ErasureRefused(Exception):
    """The person cannot be erased yet; the message says why and what to do first."""


def _ongoing_relationships(person, day):
    return Relationship.objects.filter(Q(supervisor=person) | Q(supervisee=person)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    )


def _planned_sessions(person, day):
    return (
        Session.objects.planned()
        .filter(date__gte=day)
        .filter(Q(supervisor=person) | Q(attendances__person=person))
    )


def is_erased(person):
    return PrivacyEvent.objects.filter(kind=EventKind.ERASURE, subject=person).exists()


def erasure_refusals(person, *, day=None) -> list[str]:
    """Why `person` cannot be erased today; empty when they can."""
    day = day or clock.today()
    if is_erased(person):
        return ["This person's data has already been erased."]
    reasons = []
    if person.is_active:
        reasons.append(
            f"{person} is still active. Erasure is for people who have left: untick "
            "“active” on their account first."
        )
    ongoing = _ongoing_relationships(person, day).count()
    if ongoing:
        reasons.append(
            f"{person} is still in {ongoing} supervision relationship"
            f"{'' if ongoing == 1 else 's'} that has not ended. Give "
            f"{'it an end date' if ongoing == 1 else 'them end dates'} in the past first."
        )
    planned = _planned_sessions(person, day).distinct().count()
    if planned:
        reasons.append(
            f"{person} has {planned} planned session{'' if planned == 1 else 's'} from today "
            "on. Cancel or reassign them first."
        )
    return reasons


def _redactor(person):
    """Replace the person's email, full name, and each part of their name (as a whole word)."""
    parts = [re.escape(person.email)] if person.email else []
    name = (person.name or "").strip()
    if name:
        parts.append(r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b")
    whole = sorted({w for w in re.findall(r"[^\W\d_][\w'-]*", name) if len(w) >= 2}, key=len)
    if not parts:
        return lambda text: text
    pattern = "(?i:" + "|".join(parts) + ")"
    if whole:
        # Name parts match as written (Sam, not "sam"), so that a name that is also a word
        # ("Will", "Rose") takes out the name, not every use of the word.
        pattern += r"|\b(?:" + "|".join(re.escape(w) for w in reversed(whole)) + r")\b"
    compiled = re.compile(pattern)

    def redact(text):
        return compiled.sub(FORMER_COLLEAGUE, text) if text else text

    return redact


@dataclass
class Scope:
    """What the person was part of: the only records whose text is searched and rewritten."""

    session_ids: list
    one_to_one_ids: set
    led_ids: set
    relationship_ids: list
    confidential_item_ids: set = field(default_factory=set)


def _scope(person):
    attended = set(Attendance.objects.filter(person=person).values_list("session_id", flat=True))
    # An attendance since removed from a record still left its name in the record's history.
    attended |= set(
        Attendance.history.filter(person_id=person.pk).values_list("session_id", flat=True)
    )
    led = set(Session.objects.filter(supervisor=person).values_list("pk", flat=True))
    led |= set(Session.history.filter(supervisor_id=person.pk).values_list("id", flat=True))
    one_to_one = set(
        Session.objects.filter(pk__in=attended, format=Format.ONE_TO_ONE).values_list(
            "pk", flat=True
        )
    )
    confidential = set(
        Item.objects.filter(session_id__in=one_to_one, confidential=True).values_list(
            "pk", flat=True
        )
    ) | set(
        Item.history.filter(session_id__in=one_to_one, confidential=True).values_list(
            "id", flat=True
        )
    )
    return Scope(
        session_ids=sorted(attended | led),
        one_to_one_ids=one_to_one,
        led_ids=led,
        relationship_ids=list(
            Relationship.objects.filter(Q(supervisor=person) | Q(supervisee=person)).values_list(
                "pk", flat=True
            )
        ),
        confidential_item_ids=confidential,
    )


def erasure_plan(person) -> dict:
    """What an erasure would change, in counts, for the confirmation page and the dry run."""
    scope = _scope(person)
    return {
        "sessions attended": len(scope.session_ids) - len(scope.led_ids),
        "sessions led": len(scope.led_ids),
        "supervision relationships": len(scope.relationship_ids),
        "confidential items in their one-to-one sessions": len(scope.confidential_item_ids),
        "their feedback": Feedback.objects.filter(person=person).count(),
        "their acknowledgements": Acknowledgement.objects.filter(person=person).count(),
        "addenda they wrote": Addendum.objects.filter(author=person).count(),
        "reminders sent to them": ReminderSent.objects.filter(person=person).count(),
    }


def _fit(model, values):
    """Cut text to its column's length: "Former colleague" is longer than most names."""
    fitted = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length
        fitted[name] = value[:limit] if limit and value else value
    return fitted


def _rewrite(rows, fields, rule):
    """Apply `rule` (row -> {field: new value}) and save the rows that changed, in bulk.

    A bulk update, not `save()`: on a live record `save()` would write one more history row
    holding the text being erased from the others.
    """
    changed = []
    for row in rows:
        new = _fit(type(row), rule(row))
        if any(getattr(row, f) != v for f, v in new.items()):
            for f, v in new.items():
                setattr(row, f, v)
            changed.append(row)
    if changed:
        type(changed[0]).objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


def _erase_sign_in_data(person, redact, count):
    """Sign-in: the ways to sign in go; the security log keeps what happened, not who or where.

    The security log's rows about the person keep their kind and time (the organisation's
    evidence of, say, a lockout) but lose the email tried and the address it came from.
    """
    count(
        "security log entries",
        _rewrite(
            SecurityEvent.objects.filter(Q(user=person) | Q(email__iexact=person.email)),
            ["email", "ip_address", "detail"],
            lambda r: {"email": "", "ip_address": None, "detail": redact(r.detail)},
        ),
    )
    count("sign-in email addresses", EmailAddress.objects.filter(user=person).delete()[0])
    count("two-step sign-in authenticators", Authenticator.objects.filter(user=person).delete()[0])
    for model in (AccessAttempt, AccessFailureLog, SignInLog):
        count(
            "failed sign-in and lockout records",
            model.objects.filter(username__iexact=person.email).delete()[0],
        )


def _erase_outbox(person, redact, count):
    """Emails to them go; emails to others that name them (recently sent, or waiting) lose the
    name. The outbox keeps sent emails for weeks only, but erasure does not wait."""
    count(
        "emails to them",
        OutgoingEmail.objects.filter(Q(person=person) | Q(to__iexact=person.email)).delete()[0],
    )
    names = [person.email, *re.findall(r"[^\W\d_][\w'-]*", person.name or "")]
    mentions = Q()
    for name in (n for n in names if len(n) >= 2):
        mentions |= Q(subject__icontains=name) | Q(body__icontains=name)
    count(
        "emails naming them",
        _rewrite(
            OutgoingEmail.objects.filter(mentions),
            ["subject", "body"],
            lambda r: {"subject": redact(r.subject), "body": redact(r.body)},
        ),
    )


def _both(model):
    """The model's live rows and its history rows: each rule is applied to both."""
    return [model.objects, model.history.model.objects]


@transaction.atomic
def person_erase(*, person: User, actor: User | None, by: str = "") -> dict:
    """Erase a person who has left; refuses (ErasureRefused) anyone who has not.

    `actor` None is a command on the server, named in `by`. Returns the number of rows changed,
    by kind, live and history rows together.
    """
    person = User.objects.select_for_update().get(pk=person.pk)
    reasons = erasure_refusals(person)
    if reasons:
        raise ErasureRefused(" ".join(reasons))
    scope = _scope(person)
    redact = _redactor(person)
    ids = scope.session_ids
    counts = {}

    def count(label, n):
        counts[label] = counts.get(label, 0) + n

    def item_rule(row):
        if row.id in scope.confidential_item_ids:
            return {"title": REMOVED_CONFIDENTIAL_TITLE, "notes": ""}
        return {"title": redact(row.title), "notes": redact(row.notes)}

    def own_words_rule(removed):
        def rule(row):
            if row.person_id == person.pk:
                return {"comments": removed if row.comments else ""}
            return {"comments": redact(row.comments)}

        return rule

    for manager in _both(Session):
        count(
            "sessions",
            _rewrite(
                manager.filter(id__in=ids),
                ["cancellation_reason"],
                lambda r: {"cancellation_reason": redact(r.cancellation_reason)},
            ),
        )
    for manager in _both(Item):
        count(
            "discussion items",
            _rewrite(manager.filter(session_id__in=ids), ["title", "notes"], item_rule),
        )
    for manager in _both(Action):
        count(
            "actions",
            _rewrite(
                manager.filter(session_id__in=ids),
                ["description", "owner_name"],
                lambda r: {
                    "description": redact(r.description),
                    "owner_name": redact(r.owner_name),
                },
            ),
        )
    for manager in _both(Acknowledgement):
        count(
            "acknowledgements",
            _rewrite(
                manager.filter(session_id__in=ids), ["comments"], own_words_rule(REMOVED_TEXT)
            ),
        )
    for manager in _both(Feedback):
        count(
            "feedback",
            _rewrite(manager.filter(session_id__in=ids), ["comments"], own_words_rule("")),
        )
    led = scope.led_ids
    count(
        "addenda",
        _rewrite(
            Addendum.objects.filter(session_id__in=ids),
            ["text"],
            lambda r: {
                "text": REMOVED_TEXT
                if r.author_id == person.pk and r.session_id not in led
                else redact(r.text)
            },
        ),
    )
    count(
        "supervision relationships",
        _rewrite(
            Relationship.objects.filter(pk__in=scope.relationship_ids),
            ["agreement"],
            lambda r: {"agreement": redact(r.agreement)},
        ),
    )
    count(
        "focus agreements",
        _rewrite(
            FocusAgreement.objects.filter(relationship_id__in=scope.relationship_ids),
            ["notes"],
            lambda r: {"notes": redact(r.notes)},
        ),
    )
    # The access log's label of each read names the session's people ("Supervision with ...");
    # a session removed in admin leaves only its label, so those are searched too.
    count(
        "access log labels",
        _rewrite(
            AccessLog.objects.filter(Q(session_id__in=ids) | Q(session__isnull=True)),
            ["session_label"],
            lambda r: {"session_label": redact(r.session_label)},
        ),
    )
    counts["reminders sent"] = ReminderSent.objects.filter(person=person).delete()[0]
    _erase_sign_in_data(person, redact, count)
    _erase_outbox(person, redact, count)
    counts["teams managed"] = person.managed_teams.count()
    person.managed_teams.clear()
    person.groups.clear()
    person.user_permissions.clear()
    person.name = FORMER_COLLEAGUE
    person.email = f"erased-{person.pk}@erased.invalid"
    person.set_unusable_password()
    person.team = None
    person.start_date_in_post = None
    person.reminder_emails = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.save()
    details = {"changed": counts}
    if by:
        details["by"] = by
    PrivacyEvent.objects.create(
        kind=EventKind.ERASURE, actor=actor, subject=person, details=details
    )
    return counts
