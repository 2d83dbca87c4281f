"""What waits for a person: the first thing their home page shows, each line a link to act.

Every list is read through the access policy's scoped querysets (`sessions_app.access`,
`people.access`), and each is one query whatever the number of rows, so the home page costs
the same for a supervisor of two and of twenty.

Who is flagged in a manager's teams is the audit's rule (a layer above this one): `audit`
registers the reader when the apps are ready (`set_team_attention_source`), as it does for
the policy (`people.models.set_policy_source`).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Window
from django.utils import timezone

from core import clock
from people.models import FocusRequest, policy_in_force

from .access import content_readable_sessions, led_sessions, own_records
from .models import (
    Acknowledgement,
    Action,
    Attendance,
    Feedback,
    RecordState,
)

# How long feedback stays "received" on the supervisor's home.
FEEDBACK_RECENT_DAYS = 14
# Actions due within this many days come up on the owner's home (and any past due).
ACTIONS_DUE_DAYS = 7

# The home page lists this many of each kind of record waiting for a supervisor (the oldest
# first), then how many more there are, linked to the session list showing them all.
SHORTLIST_LENGTH = 10

_team_attention_source = None


@dataclass(frozen=True)
class Shortlist:
    """The first rows of a list (iterate it), and how many it holds in all."""

    rows: list
    total: int

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)


def shortlisted(queryset, length=SHORTLIST_LENGTH):
    """The first `length` rows of `queryset`, each carrying the count of all its rows
    (`COUNT(*) OVER ()`, taken before the limit): one query however many there are."""
    return queryset.annotate(shortlist_total=Window(Count("pk")))[:length]


def shortlist_of(rows) -> Shortlist:
    """The rows of a `shortlisted` queryset as a `Shortlist`."""
    rows = list(rows)
    return Shortlist(rows, rows[0].shortlist_total if rows else 0)


def set_team_attention_source(source):
    """Register a callable `(user, day) -> [TeamAttention]`: people flagged or overdue in the
    teams `user` manages."""
    global _team_attention_source
    _team_attention_source = source


@dataclass(frozen=True)
class TeamAttention:
    """One person in a manager's team with at least one flag: their name, team and flags."""

    pk: int
    name: str
    team: str
    flags: tuple[str, ...]
    overdue: bool


def team_attention(user, day):
    if _team_attention_source is None:
        return []
    return _team_attention_source(user, day)


def disputes_to_answer(user):
    """Disagreements with records `user` leads that they have not replied to yet."""
    return (
        Acknowledgement.objects.filter(
            session__in=led_sessions(user).values("pk"),
            waiting_reply=True,
        )
        .select_related("person", "session")
        .order_by("created_at", "pk")
    )


def records_to_share(user, day):
    """Held sessions `user` led whose record is still a draft."""
    return (
        led_sessions(user)
        .held()
        .filter(record_state=RecordState.DRAFT, date__lte=day)
        .order_by("date", "pk")
    )


def records_to_sign_off(user):
    """Shared records `user` leads that everyone present has acknowledged."""
    unanswered = (
        Attendance.objects.filter(session=OuterRef("pk"), present=True)
        .exclude(person=OuterRef("supervisor"))
        .exclude(
            Exists(
                Acknowledgement.objects.filter(
                    session=OuterRef("session"), person=OuterRef("person")
                )
            )
        )
    )
    anyone = Attendance.objects.filter(session=OuterRef("pk"), present=True).exclude(
        person=OuterRef("supervisor")
    )
    return (
        led_sessions(user)
        .filter(record_state=RecordState.SHARED)
        .filter(Exists(anyone))
        .exclude(Exists(unanswered))
        .order_by("date", "pk")
    )


def feedback_received(user, since=None):
    """Feedback given or changed lately (since `since`: by default the last
    `FEEDBACK_RECENT_DAYS` days) on sessions `user` led (`led_sessions`), found by each
    feedback's copy of its session's supervisor (`Feedback.session_supervisor`)."""
    if since is None:
        since = feedback_recent_since()
    return (
        Feedback.objects.filter(session_supervisor=user, updated_at__gte=since)
        .select_related("person", "session")
        .order_by("-updated_at", "-pk")
    )


def feedback_recent_since():
    """The moment from which feedback counts as received lately."""
    return clock.now() - timedelta(days=FEEDBACK_RECENT_DAYS)


def focus_requests_to_answer(user):
    return (
        FocusRequest.objects.filter(relationship__supervisor=user, answer="")
        .select_related("relationship__supervisee")
        .order_by("raised_at", "pk")
    )


def _present(user):
    return Exists(Attendance.objects.filter(session=OuterRef("pk"), person=user, present=True))


def records_to_acknowledge(user):
    """Records shared with `user` (present) that they have not acknowledged yet."""
    mine = Acknowledgement.objects.filter(session=OuterRef("pk"), person=user)
    return (
        own_records(user)
        .filter(_present(user), record_state=RecordState.SHARED)
        .exclude(Exists(mine))
        .select_related("supervisor")
        .order_by("date", "pk")
    )


def feedback_open_since(day):
    """The moment from which a record signed off is still open for feedback on `day` (the
    policy's days after sign-off)."""
    days = policy_in_force().feedback_open_days
    return timezone.make_aware(datetime.combine(day - timedelta(days=days), time.min))


def feedback_to_give(user, day):
    """Records `user` was present at, open for feedback on `day` (the policy's days after
    sign-off), on which they have not given feedback yet."""
    return feedback_open_since_to_give(user, feedback_open_since(day))


def feedback_open_since_to_give(user, boundary):
    """`feedback_to_give` with its moment given: records shared, or signed off since
    `boundary`, that `user` was present at and has not given feedback on."""
    open_now = Q(record_state=RecordState.SHARED) | Q(
        record_state=RecordState.SIGNED_OFF, signed_off_at__gte=boundary
    )
    given = Feedback.objects.filter(session=OuterRef("pk"), person=user)
    return (
        own_records(user)
        .filter(_present(user))
        .filter(open_now)
        .exclude(Exists(given))
        .select_related("supervisor")
        .order_by("date", "pk")
    )


def open_actions(user):
    """The user's open actions, in records they may read, soonest due first (no date last)."""
    return (
        Action.objects.open()
        .filter(owner=user, session__in=content_readable_sessions(user).values("pk"))
        .select_related("session__supervisor")
        .order_by("due_date", "pk")
    )


def due_soon(actions, day):
    """Of `actions` (e.g. `open_actions`), those due within a week of `day` or past due, in
    their order: what comes up on the owner's home as waiting for them."""
    last_day = day + timedelta(days=ACTIONS_DUE_DAYS)
    return [a for a in actions if a.due_date is not None and a.due_date <= last_day]
