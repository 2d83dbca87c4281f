"""Who may do what with a session: the one place it is decided.

`SessionAccess(user, session)` answers every question that a page, a template, an export, the
history, an e-mail, the audit pages, the admin or a record service asks about one person and one
session. The querysets at the end (`readable_sessions`, `content_readable_sessions`,
`own_records`) are the same rules written in SQL, for lists; a test holds each equal to its
`SessionAccess` question for every role.

DOMAIN.md: a supervisor reads and changes the sessions they lead; a supervisee reads only
their own records once shared (and the sessions booked with them); a manager reads, never
changes, the shared records of their teams; an administrator reads every record, read only.
Drafts are the supervisor's alone. A confidential item's title and notes are for the
supervisor and the one-to-one supervisee alone (in a group, the facilitator). Every read by
someone who is not a party to the record is logged.

Another person's session is a 404 (`get_session_for_read`), indistinguishable from one that
does not exist; a step the reader may not take is a 403 that says why (`Refused`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from core import clock
from core.db import among
from people.access import is_administrator, managed_team_ids
from people.models import FeedbackVisibility, Relationship, Team, User, policy_in_force

from .models import ActionStatus, Attendance, RecordState, Response, Session, Status

EDITABLE_STATUSES = (Status.PLANNED, Status.HELD)


class Refused(PermissionDenied):
    """A step this person may not take on this session now; the message says why."""


def _allowed(step):
    return property(lambda self: self.refusal(step) is None, doc=f"May this person {step} now?")


class SessionAccess:
    """One person and one session: every question of access, answered the same everywhere.

    Each `can_<step>` is True when `refusal("<step>")` is None; `require("<step>")` raises
    `Refused` with the reason. Attendances are read from `session.attendances.all()`, so a
    prefetched session costs no query; whether the user manages a team costs one, once.
    """

    def __init__(self, user, session):
        self.user = user
        self.session = session

    # Who the user is to this session.

    @cached_property
    def attendances(self):
        return list(self.session.attendances.all())

    @cached_property
    def attendance(self):
        return next((a for a in self.attendances if a.person_id == self.user.pk), None)

    @cached_property
    def is_supervisor(self) -> bool:
        return self.user.is_authenticated and self.session.supervisor_id == self.user.pk

    @property
    def is_member(self) -> bool:
        """Invited to the session: the one-to-one supervisee, or a group member present or not."""
        return self.attendance is not None

    @property
    def is_present(self) -> bool:
        return self.attendance is not None and self.attendance.present

    @property
    def is_party(self) -> bool:
        """The record is theirs: they led it or were invited to it."""
        return self.is_supervisor or self.is_member

    @cached_property
    def is_administrator(self) -> bool:
        return is_administrator(self.user)

    @cached_property
    def is_team_manager(self) -> bool:
        """Manages the team of someone invited to the session."""
        teams = managed_team_ids(self.user)
        if not teams:
            return False
        return any(a.person.team_id in teams for a in self.attendances)

    @property
    def acknowledger_ids(self) -> set[int]:
        return acknowledger_ids(self.session, self.attendances)

    @cached_property
    def policy(self):
        """The audit policy in force (one query, once): how long feedback stays open."""
        return policy_in_force()

    @property
    def feedback_closes_on(self) -> date | None:
        """The last day feedback may be given or changed: the policy's days after sign-off.

        None while the record is not signed off (feedback is open from sharing until then).
        """
        if self.session.record_state != RecordState.SIGNED_OFF or not self.session.signed_off_at:
            return None
        signed_off_on = clock.local_date(self.session.signed_off_at)
        return signed_off_on + timedelta(days=self.policy.feedback_open_days)

    # Reading.

    @cached_property
    def can_read(self) -> bool:
        """The session's page exists for this person (its content may still be hidden)."""
        if not self.user.is_authenticated:
            return False
        session = self.session
        if self.is_supervisor or self.is_administrator:
            return True
        if self.is_member and (not session.is_draft or session.is_planned):
            return True
        return not session.is_draft and self.is_team_manager

    @property
    def can_read_content(self) -> bool:
        """Items, actions, acknowledgements, addenda, the tally: drafts are the supervisor's."""
        return self.can_read and (self.is_supervisor or not self.session.is_draft)

    @property
    def can_read_confidential(self) -> bool:
        """Confidential items' titles and notes: the supervisor and a one-to-one's supervisee."""
        if not self.can_read_content:
            return False
        return self.is_supervisor or (self.is_member and not self.session.is_group)

    def item_is_hidden(self, item) -> bool:
        return item.confidential and not self.can_read_confidential

    @property
    def can_read_draft_history(self) -> bool:
        """Versions written before the record was shared are the supervisor's alone."""
        return self.is_supervisor

    def can_read_feedback(self, feedback) -> bool:
        """Feedback is for the supervisor; each supervisee sees only their own."""
        return self.can_read_content and (self.is_supervisor or feedback.person_id == self.user.pk)

    def visible_feedback(self, feedbacks):
        return [f for f in feedbacks if self.can_read_feedback(f)]

    @property
    def is_logged(self) -> bool:
        """A read by someone who is not a party to the record goes in the access log."""
        return self.can_read and not self.is_party

    # Steps: each one's refusal, in the words a person reads, or None when they may take it.

    def refusal(self, step: str) -> str | None:
        return getattr(self, f"_refuse_{step}")()

    def require(self, step: str) -> None:
        reason = self.refusal(step)
        if reason is not None:
            raise Refused(reason)

    can_edit = _allowed("edit")
    can_cancel = _allowed("cancel")
    can_reschedule = _allowed("reschedule")
    can_share = _allowed("share")
    can_withdraw = _allowed("withdraw")
    can_sign_off = _allowed("sign_off")
    can_acknowledge = _allowed("acknowledge")
    can_give_feedback = _allowed("give_feedback")
    can_add_addendum = _allowed("add_addendum")
    can_delete = _allowed("delete")
    can_reply_to_dispute = _allowed("reply_to_dispute")

    def _refuse_edit(self):
        session = self.session
        if not self.is_supervisor:
            return "Only the session's supervisor can change this record."
        reason = record_change_refusal(session)
        if reason is not None:
            return reason
        if session.status not in EDITABLE_STATUSES:
            return (
                f"This session was {session.get_status_display().lower()}; "
                "it can no longer be edited."
            )
        return None

    def _refuse_cancel(self):
        if not (self.is_supervisor or (self.is_member and not self.session.is_group)):
            return "Only the supervisor or the supervisee can cancel this session."
        if not self.session.is_planned:
            return "Only a planned session can be cancelled."
        return None

    def _refuse_reschedule(self):
        if not self.is_supervisor:
            return "Only the session's supervisor can reschedule it."
        if not self.session.is_planned:
            return "Only a planned session can be rescheduled."
        return None

    def _refuse_share(self):
        session = self.session
        if not self.is_supervisor:
            return "Only the session's supervisor shares its record."
        if not session.is_held:
            return "Only the record of a held session can be shared."
        if not session.is_draft:
            return "This record has already been shared."
        if not self.acknowledger_ids:
            return "No one is marked present, so there is no one to share it with."
        return None

    def _refuse_withdraw(self):
        if not self.is_supervisor:
            return "Only the session's supervisor can withdraw its record."
        if self.session.record_state != RecordState.SHARED:
            return "Only a shared record can be withdrawn."
        if list(self.session.acknowledgements.all()):
            return (
                "Someone has already acknowledged this record, so it can no longer be "
                "withdrawn. Add an addendum instead."
            )
        return None

    def _refuse_sign_off(self):
        if not self.is_supervisor:
            return "Only the session's supervisor signs off its record."
        if self.session.record_state != RecordState.SHARED:
            return "Only a shared record can be signed off."
        answered = {a.person_id for a in self.session.acknowledgements.all()}
        if not self.acknowledger_ids or self.acknowledger_ids - answered:
            return "Everyone present must acknowledge the record before it is signed off."
        return None

    def _answerable(self, what):
        """The shared rules of acknowledging and giving feedback: present, and shared."""
        if self.user.pk not in self.acknowledger_ids:
            return f"Only the people present in the session {what}."
        if self.session.record_state == RecordState.DRAFT:
            return "This record has not been shared yet."
        if self.session.record_state == RecordState.SIGNED_OFF:
            return "This record is signed off; add an addendum instead."
        return None

    def _refuse_acknowledge(self):
        reason = self._answerable("acknowledge its record")
        if reason is None and any(
            a.person_id == self.user.pk for a in self.session.acknowledgements.all()
        ):
            return "You have already acknowledged this record."
        return reason

    def _refuse_give_feedback(self):
        # Feedback is not part of the locked record: it stays open for the policy's days
        # after sign-off, so a supervisee can still say how it went (the seed: ask for their
        # feedback about what changes).
        if self.user.pk not in self.acknowledger_ids:
            return "Only the people present in the session give feedback on it."
        if self.session.record_state == RecordState.DRAFT:
            return "This record has not been shared yet."
        closes = self.feedback_closes_on
        if closes is not None and clock.today() > closes:
            days = self.policy.feedback_open_days
            after = f"{days} day{'' if days == 1 else 's'} after" if days else "the day"
            return (
                f"Feedback on this record closed on {closes:%-d %B %Y}, {after} it was signed off."
            )
        return None

    def _refuse_add_addendum(self):
        if not (self.is_supervisor or (self.is_present and self.can_read)):
            return "Only the supervisor and the people present add addenda."
        if self.session.is_draft:
            return "A draft is edited directly; addenda are for shared records."
        return None

    def _refuse_reply_to_dispute(self):
        # The supervisor answers a disagreement on the record itself, so that both parties
        # (and everyone who reads the record) see the answer beside what was said.
        if not self.is_supervisor:
            return "Only the session's supervisor replies to a disagreement with the record."
        if self.session.is_draft:
            return "This record has not been shared yet."
        if not self.disputes:
            return "Nobody has disagreed with this record."
        return None

    @property
    def disputes(self):
        """The acknowledgements that disagree with the record (prefetched: no query)."""
        return [a for a in self.session.acknowledgements.all() if a.response == Response.DISAGREE]

    def _refuse_delete(self):
        # Records leave only by retention; a session that never became one may be removed.
        if not self.is_administrator:
            return "Only an administrator removes a session, in admin."
        if self.session.is_held or not self.session.is_draft:
            return "A held or shared session is a record: it is kept until its retention ends."
        return None

    def refusal_to_mark_done(self, action) -> str | None:
        """The owner of an open action in a record they may read marks it done."""
        if action.owner_id != self.user.pk or not self.can_read_content:
            return "Only the action's owner can mark it done here."
        if action.status != ActionStatus.OPEN:
            return "This action is no longer open."
        return None


def record_change_refusal(session) -> str | None:
    """Why nobody, by any door (page, admin, import), may change this record in place."""
    if session.is_locked:
        return "This record is signed off and locked. Add an addendum to correct or add to it."
    if not session.is_draft:
        return (
            "This record has been shared, so it is no longer edited in place. Withdraw it "
            "(possible until someone acknowledges it) or add an addendum."
        )
    return None


def acknowledger_ids(session, attendances=None) -> set[int]:
    """Who answers a shared record: the people present, never the supervisor who wrote it.

    A facilitator is never an attendee (the services and the import refuse it); one recorded
    present before that rule still does not acknowledge, give feedback on, or get told of
    their own record.
    """
    if attendances is None:
        attendances = session.attendances.all()
    return {a.person_id for a in attendances if a.present and a.person_id != session.supervisor_id}


# Who will read what a person writes: every form says so, from these rules.


def _names(people):
    names = sorted({str(person) for person in people})
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class Audience:
    """Who reads a session's record, in words, from the rules above (one query)."""

    def __init__(self, session):
        self.session = session
        attendances = list(session.attendances.all())
        self.supervisor = session.supervisor
        answering = acknowledger_ids(session, attendances)
        self.answering = [a.person for a in attendances if a.person_id in answering]
        self.invited = [a.person for a in attendances if a.person_id != session.supervisor_id]
        team_ids = {a.person.team_id for a in attendances if a.person.team_id}
        self.managers = list(
            Team.managers.through.objects.filter(team_id__in=team_ids)
            .select_related("user")
            .order_by()
            .values_list("user__name", flat=True)
            .distinct()
        )

    @property
    def record(self) -> str:
        """Who reads the record once shared (drafts are the supervisor's alone)."""
        readers = [_names(self.invited) or "the people in the session"]
        logged = []
        if self.managers:
            logged.append(
                f"their team's manager{'s' if len(self.managers) > 1 else ''} "
                f"({_names(self.managers)})"
            )
        logged.append("administrators")
        return (
            f"Once shared, {readers[0]} can read this record; so can "
            f"{' and '.join(logged)}, read only, and each of their reads is logged."
        )

    @property
    def confidential(self) -> str:
        if self.session.is_group:
            return "A confidential item's title and notes are for you, the facilitator, alone."
        return (
            f"A confidential item's title and notes are for you and {_names(self.invited)} "
            "alone; everyone else sees only its minutes and tags."
        )

    @property
    def answer(self) -> str:
        """For an acknowledgement or an addendum: they become part of the record."""
        logged = "administrators"
        if self.managers:
            logged = f"{_names(self.managers)} (managers) and administrators"
        return (
            f"It becomes part of the record: {self.supervisor} and everyone who can read the "
            f"record see it, including {logged} (read only, each read logged)."
        )

    @property
    def feedback(self) -> str:
        """Feedback: the supervisor reads it; what others see depends on the audit policy's
        `feedback_visibility` (`feedback_view` below applies the same setting to the pages)."""
        others = "administrators"
        if self.managers:
            others = f"your line manager{'s' if len(self.managers) > 1 else ''} "
            others += f"({_names(self.managers)}) and administrators"
        others = f"{others[0].upper()}{others[1:]}"
        if policy_in_force().feedback_visibility == FeedbackVisibility.PAIR_ONLY:
            return (
                f"{self.supervisor} reads all of your answers and comments; nobody else does. "
                f"{others} see only how many feedbacks you have given: never your answers, "
                "your comments or which session they were about."
            )
        return (
            f"{self.supervisor} reads all of your answers and comments. "
            f"{others} never see your comments: they see your answers "
            "only as counts over a period on your balance page (for a period with one "
            "session, that is this session's answers), and a flag when you say a function "
            "dominated."
        )


# What a reader sees of feedback on the audit pages (the same setting as `Audience.feedback`).


@dataclass(frozen=True)
class FeedbackView:
    """What `viewer` sees of feedback given by a person, or on a supervisor's sessions.

    `detail`: the answers, as counts per function (too little / about right / too much, which
    function dominated, which one they want more of, usefulness); otherwise only how many
    feedbacks were given. `led_by`: the detail is limited to feedback on sessions this person
    led (None: every session). Comments are never shown on the audit pages.
    """

    detail: bool = True
    led_by: int | None = None

    @property
    def limited(self) -> bool:
        return not self.detail or self.led_by is not None


def feedback_private() -> bool:
    """The policy keeps feedback between each supervisee and the supervisor of the session."""
    return policy_in_force().feedback_visibility == FeedbackVisibility.PAIR_ONLY


def feedback_view(viewer, person) -> FeedbackView:
    """What `viewer` sees of `person`'s feedback (their balance page, a team's rows).

    Their own, in full. With the default policy, anyone who may see the balance sees the
    answers as counts. With feedback kept between supervisee and supervisor, another reader
    sees the answers given on sessions they led themselves, and only how many otherwise.
    """
    if getattr(person, "pk", person) == viewer.pk or not feedback_private():
        return FeedbackView()
    return FeedbackView(detail=True, led_by=viewer.pk)


def supervisor_feedback_view(viewer, supervisor) -> FeedbackView:
    """What `viewer` sees of the feedback on the sessions `supervisor` led (their audit page).

    The supervisor sees it all, as counts; with the default policy so do their managers and
    administrators; with feedback kept between the pair, others see only how many.
    """
    if supervisor.pk == viewer.pk or not feedback_private():
        return FeedbackView()
    return FeedbackView(detail=False)


def feedback_led_by_for_flags(viewer) -> int | None:
    """Whose sessions' feedback may raise `supervisee_reported_dominance` on a page `viewer`
    reads about other people: every session's (None), or, with feedback kept between the
    pair, only the sessions the viewer led."""
    return viewer.pk if feedback_private() else None


# A supervisor's own audit page: the balance of the sessions they led, their reliability,
# what their supervisees said and their self-assessments.


def supervisors():
    """Everyone who supervises or has supervised: a relationship as supervisor, or a session
    led (a group's facilitator, an external or cover supervisor)."""
    return User.objects.filter(
        Exists(Relationship.objects.filter(supervisor=OuterRef("pk")))
        | Exists(Session.objects.filter(supervisor=OuterRef("pk")))
    )


def supervisors_visible_to(user):
    """Supervisors whose audit page `user` may open: themselves; the supervisors who are
    members of a team they manage; every supervisor for administrators (a principal social
    worker is an administrator here). Anyone else's page is a 404."""
    if not user.is_authenticated:
        return User.objects.none()
    people = supervisors()
    if is_administrator(user):
        return people
    condition = Q(pk=user.pk)
    teams = managed_team_ids(user)
    if teams:
        condition |= among("team_id", teams)
    return people.filter(condition)


def get_supervisor_for_audit(user, pk):
    """A supervisor whose audit page `user` may open, or 404."""
    return get_object_or_404(supervisors_visible_to(user), pk=pk)


def may_write_self_assessment(user, supervisor) -> bool:
    """A self-assessment is the supervisor's own: nobody writes one for them."""
    return user.is_authenticated and user.pk == supervisor.pk


# Fetching one session for a request.


def get_session_for_read(user, pk, queryset=None) -> tuple[Session, SessionAccess]:
    """A session the user may read and its access, or 404 (as if it did not exist)."""
    base = queryset if queryset is not None else Session.objects.all()
    session = get_object_or_404(readable_sessions(user, base), pk=pk)
    return session, SessionAccess(user, session)


# The same rules in SQL, for lists.


def _invited(user):
    return Exists(Attendance.objects.filter(session=OuterRef("pk"), person=user))


def readable_sessions(user, queryset=None):
    """Every session whose page `user` may open (`SessionAccess.can_read`)."""
    sessions = queryset if queryset is not None else Session.objects.all()
    if not user.is_authenticated:
        return sessions.none()
    if is_administrator(user):
        return sessions
    not_draft = ~Q(record_state=RecordState.DRAFT)
    invited = _invited(user) & (not_draft | Q(status=Status.PLANNED))
    condition = Q(supervisor=user) | invited
    teams = managed_team_ids(user)
    if teams:
        managed = Exists(
            Attendance.objects.filter(among("person__team_id", teams), session=OuterRef("pk"))
        )
        condition |= managed & not_draft
    return sessions.filter(condition)


def led_sessions(user, queryset=None):
    """The sessions `user` leads, as `readable_sessions(user)` lists them: its first branch (a
    session's supervisor reads it, whatever its state) without the other branches' subqueries,
    which a session led by `user` never needs. The supervisor's lists on the home page read
    four times from it."""
    sessions = queryset if queryset is not None else Session.objects.all()
    if not user.is_authenticated:
        return sessions.none()
    return sessions.led_by(user)


def content_readable_sessions(user, queryset=None):
    """Sessions whose content `user` may read (`SessionAccess.can_read_content`)."""
    return readable_sessions(user, queryset).filter(
        Q(supervisor=user) | ~Q(record_state=RecordState.DRAFT)
    )


def own_records(user, queryset=None):
    """The user's own shared and signed-off records, as a supervisee: their log and home.

    Sessions they were invited to (present or absent), never drafts, never ones they led.
    """
    sessions = queryset if queryset is not None else Session.objects.all()
    if not user.is_authenticated:
        return sessions.none()
    return (
        sessions.filter(_invited(user))
        .exclude(record_state=RecordState.DRAFT)
        .exclude(supervisor=user)
    )


def own_planned(user, queryset=None):
    """Planned sessions the user leads or is invited to: their diary and calendar file."""
    sessions = queryset if queryset is not None else Session.objects.all()
    if not user.is_authenticated:
        return sessions.none()
    return sessions.filter(status=Status.PLANNED).filter(Q(supervisor=user) | _invited(user))
