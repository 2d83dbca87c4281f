"""Six months of Northbridge Council's supervision, recorded through the product's services.

`demo/data.py` says who works where and what supervision talks about. This module walks the
calendar once, in date order, and takes each step the way the people in it would have, through
the services the screens use: a supervisor books, cancels or moves a session, records a held one
with its items, actions and reviews of earlier actions, and shares its record; the people present
acknowledge it and give feedback; the supervisor adds an addendum now and then and signs it off;
an owner marks an action done between sessions; a supervisor and supervisee agree a focus; a
supervisee raises something about their supervision and the supervisor answers; a supervisor
writes a self-assessment; people move team or leave (dated memberships, relationships that end).
Nothing here writes a record's state or anyone's answer itself.

The services stamp their times from `core.clock.now()`, but a demo needs the past. Each step is
therefore taken *at* a moment of the demo's calendar (`self.step(moment, by=person)`):

- the history rows a step's saves write are dated at that moment and name that person, through
  django-simple-history's `pre_create_historical_record` signal (its request middleware names
  the signed-in user the same way), so a record's history reads day by day, as it happened.
  Recording a session is the one step whose history rows are kept back and written in bulk at
  the end, the same rows, for speed (`create_session`);
- each time a service stamped (`shared_at`, `signed_off_at`, `created_at`, `updated_at`, an
  action's `completed_on`) is noted in a ledger with the moment of its step, and one back-dating
  pass at the end (`backdate`) moves those fields, and only those, to when they happened, in
  the objects and in the copies their history rows keep. It never touches a state or an answer.

Every moment is before today, so at any hour of today nothing in the demo is in the future.
A fixed random seed makes the demo the same for a given today.
"""

import random
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Case, F, OuterRef, Subquery, When
from django.test.utils import override_settings
from django.utils import timezone
from simple_history.signals import pre_create_historical_record

from audit.models import AuditPolicy, SelfAssessment
from audit.services import self_assessment_add
from core import clock
from core.vocabulary import FUNCTIONS
from people.models import FocusAgreement, FocusRequest, Frequency, Kind, Relationship, Team, User
from people.services import (
    focus_agree,
    focus_request_answer,
    focus_request_raise,
    team_memberships_move,
)
from sessions_app import brought_forward
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    Addendum,
    Attendance,
    Feedback,
    Format,
    GroupType,
    Item,
    Mode,
    Rating,
    Response,
    ReviewOutcome,
    Session,
    Status,
)
from sessions_app.records import (
    action_mark_done,
    addendum_add,
    feedback_save,
    record_acknowledge,
    record_share,
    record_sign_off,
)
from sessions_app.services import (
    ActionData,
    ItemData,
    SessionDetails,
    session_cancel,
    session_create,
    session_reschedule,
)

from .data import (
    ACKNOWLEDGEMENT_COMMENTS,
    ADDENDA,
    ADMIN_EMAIL,
    AGREEMENTS,
    ALWAYS_FEEDBACK,
    AWAITING_SIGN_OFF,
    BALANCED,
    CANCELLED_BY_SUPERVISEE_REASONS,
    CANCELLED_BY_SUPERVISOR_REASONS,
    CONFIDENTIAL_TOPIC,
    DEMO_PASSWORD,
    DEVELOPMENT_TOPICS,
    DISAGREEMENT,
    DISAGREEMENT_ADDENDUM,
    EXTERNAL_FEEDBACK_COMMENTS,
    FEEDBACK_COMMENTS,
    FOCUS_AGREEMENTS,
    FOCUS_REQUESTS,
    GROUP_ONLY,
    GROUP_ONLY_EVERY_DAYS,
    GROUP_TOPICS,
    HISTORY_DAYS,
    LATE_FEEDBACK_DAYS,
    LEAVERS,
    MANAGEMENT,
    MANAGEMENT_DOMINATED_COMMENT,
    MANAGEMENT_HEAVY,
    MANAGEMENT_TOPICS,
    MEDIATION_TOPICS,
    MOVES,
    NEWLY_QUALIFIED_DAYS,
    OVERDUE,
    OVERDUE_CANCELLATION,
    OVERDUE_RESCHEDULE,
    PEOPLE,
    RECENTLY_HELD,
    REFLECTIVE,
    RELATIONSHIPS,
    SEED,
    SELF_ASSESSMENTS,
    SUPPORT_TOPICS,
    TEAMS,
)

# The times the services stamp from the clock: the only fields the back-dating pass may move.
TIMESTAMPS = {
    Session: {"created_at", "updated_at", "shared_at", "signed_off_at"},
    Acknowledgement: {"created_at"},
    Feedback: {"created_at", "updated_at"},
    Action: {"completed_on"},
    Addendum: {"created_at"},
    # An answer's accepted focus is agreed "from today": the day of the answer, back-dated.
    FocusAgreement: {"created_at", "agreed_on"},
    FocusRequest: {"raised_at", "answered_at"},
    SelfAssessment: {"created_at"},
}


# What recording a session writes history for (see `create_session`).
HISTORY_IN_BULK = (Session, Attendance, Item, Action, ActionReview)
BATCH = 500  # rows per bulk insert or update
# Review outcomes that move an action on from open.
CLOSING = {ReviewOutcome.DONE, ReviewOutcome.DROPPED}


# --- Loading ----------------------------------------------------------------------------------


class Outcome(StrEnum):
    LOADED = "loaded"
    ALREADY_LOADED = "already loaded"
    SKIPPED = "skipped"


@dataclass
class LoadResult:
    outcome: Outcome
    counts: dict[str, int] = field(default_factory=dict)


def demo_is_loaded():
    """The administrator's email or a demo team's name marks the demo as already there."""
    return (
        User.objects.filter(email=ADMIN_EMAIL).exists()
        or Team.objects.filter(name__in=[row.name for row in TEAMS]).exists()
    )


@transaction.atomic
def demo_load(*, if_empty=False, today=None) -> LoadResult:
    """Load the demo organisation once; a second run, or a database in use, writes nothing."""
    if demo_is_loaded():
        return LoadResult(Outcome.ALREADY_LOADED)
    if if_empty and User.objects.exists():
        return LoadResult(Outcome.SKIPPED)
    builder = _Builder(today or clock.today())
    with builder.dating_history():
        builder.build()
    builder.write_recorded_history()
    builder.backdate()
    # The back-dated days actions were done on (`backdate`) change what the sessions after them
    # had to review: worked out again (sessions_app.brought_forward), as a correction would.
    brought_forward.rebuild()
    counts = {
        "teams": Team.objects.count(),
        "people": User.objects.count(),
        "relationships": Relationship.objects.count(),
        "sessions": Session.objects.count(),
    }
    return LoadResult(Outcome.LOADED, counts)


# --- The calendar -----------------------------------------------------------------------------


def weekday_on_or_after(day):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def weekday_on_or_before(day):
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def working_days_before(day, count):
    """The `count` working days (Monday to Friday) before `day`, latest first."""
    days = []
    while len(days) < count:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days.append(day)
    return days


def second_weekday_of_month(year, month, weekday):
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7)


@dataclass
class Slot:
    """A session on the calendar, before it is recorded."""

    day: date
    status: str
    relationship: Relationship | None = None
    pattern: str = BALANCED
    team: Team | None = None
    reason: str = ""
    moved_to: date | None = None


class _Builder:
    def __init__(self, today):
        self.today = today
        self.first_day = today - timedelta(days=HISTORY_DAYS)
        self.rng = random.Random(SEED)
        self.people = {}  # first name -> User
        self.people_by_pk = {}
        self.practitioner_ids = set()
        self.team_manager = {}  # Team id -> User
        self.teams = {}  # name -> Team
        self.area = {}  # Team id -> ADULTS or CHILDREN
        self.caseloads = {}  # User id -> case references
        self.open_actions = {}  # (supervisor id, supervisee id) -> [Action]
        self.recently_held = dict(
            zip(RECENTLY_HELD, working_days_before(today, len(RECENTLY_HELD)), strict=True)
        )
        for names, days in AWAITING_SIGN_OFF.items():
            self.recently_held[names] = working_days_before(today, days)[-1]
        self.cancel_counter = 0
        self.disagreement_recorded = False
        # Who moved team or left, and when (see `team_on`): person id -> (Move, first day)
        # and person id -> last day.
        self.moves = {}
        self.leaves = {}
        self.always_feedback = set()  # (supervisor id, supervisee id)
        # Team group sessions: who was there last time (nobody misses two in a row), and
        # who stopped coming after a day (Kieran, whose supervision has lapsed).
        self.was_at_last_group = {}
        self.no_groups_after = {}
        self.never_miss_groups = set()
        self.session_ids = []
        # The step being taken: when, and by whom (see the module's docstring).
        self.moment_now = None
        self.actor = None
        self.ledger = defaultdict(dict)  # (model, pk) -> {timestamp field: when it happened}
        # What `create_session` keeps back for `write_recorded_history`.
        self.recorded = []  # Session, as session_create saved it
        self.recorded_actions = []
        self.closed_in_review = {}  # Action id -> (supervisor, moment) of the review
        # `Model.history` builds a new manager class at each use; build each one once.
        self.history = {model: model.history for model in HISTORY_IN_BULK}

    def build(self):
        # The policy keeps history too: it is set up on the demo's first day, by nobody.
        # Northbridge's Reablement team is supervised in groups only: the policy counts a group
        # session a supervisee attended for regularity (DOMAIN.md), for everyone.
        with self.step(self.moment(self.first_day, time(8, 0)), by=None):
            policy = AuditPolicy.current()
            policy.group_counts_for_regularity = True
            policy.save()
        self.create_people()
        relationships = self.create_relationships()
        slots = []
        for relationship, pattern, names in relationships:
            slots += self.one_to_one_slots(relationship, pattern, names)
        for team in self.teams.values():
            slots += self.group_slots(team)
        # Walk the calendar in order, so each session reviews the actions of the one before it.
        for slot in sorted(slots, key=lambda s: (s.day, s.team is not None)):
            self.record(slot)
        self.agree_focus()
        self.raise_requests()
        self.write_self_assessments()
        self.move_and_leave()

    # People, teams and relationships ---------------------------------------------------------

    def create_people(self):
        # Hashing is deliberately slow; hash the one demo password once and share the hash.
        password = make_password(DEMO_PASSWORD)
        User.objects.create(
            email=ADMIN_EMAIL,
            name="Alex Morgan",
            password=password,
            is_staff=True,
            is_superuser=True,
        )
        for row in TEAMS:
            team = Team.objects.create(name=row.name)
            self.teams[row.name] = team
            self.area[team.pk] = row.area
        for row in PEOPLE:
            person = User.objects.create(
                email=row.email,
                name=row.name,
                password=password,
                team=self.teams.get(row.team),
                start_date_in_post=self.today - timedelta(days=row.in_post_days),
            )
            if row.practitioner:
                self.practitioner_ids.add(person.pk)
            self.people[row.name.split()[0]] = person
            self.people_by_pk[person.pk] = person
            self.caseloads[person.pk] = [f"C-{self.rng.randint(10000, 99999)}" for _ in range(5)]
        for row in TEAMS:
            team = self.teams[row.name]
            manager = next(p for p in self.people.values() if p.email == row.manager)
            team.managers.add(manager)
            self.team_manager[team.pk] = manager
        for move in MOVES:
            first_day = weekday_on_or_after(self.today - timedelta(days=move.days_ago))
            self.moves[self.people[move.person].pk] = (move, first_day)
        for leaver in LEAVERS:
            last_day = weekday_on_or_before(self.today - timedelta(days=leaver.days_ago))
            self.leaves[self.people[leaver.person].pk] = last_day

    def team_on(self, person, day):
        """The id of `person`'s team on `day`: before a move, the team they moved from; after
        leaving, none."""
        if person.pk in self.moves:
            move, first_day = self.moves[person.pk]
            return self.teams[move.from_team if day < first_day else move.to_team].pk
        if person.pk in self.leaves and day > self.leaves[person.pk]:
            return None
        return person.team_id

    def move_and_leave(self):
        """At the end, the moves and leavers in the records: dated memberships through the
        service the import and the admin use, the current team, and a leaver's closed account.
        """
        moves = []
        for pk, (move, first_day) in self.moves.items():
            person = self.people_by_pk[pk]
            person.team = self.teams[move.to_team]
            moves.append((person, self.teams[move.from_team].pk, person.team, first_day))
        for pk, last_day in self.leaves.items():
            person = self.people_by_pk[pk]
            moves.append((person, person.team_id, None, last_day + timedelta(days=1)))
            person.team, person.is_active = None, False
        team_memberships_move(moves)
        User.objects.bulk_update([person for person, *_rest in moves], ["team", "is_active"])

    def create_relationships(self):
        rows = [(*row, None) for row in RELATIONSHIPS]
        # Someone who moved is supervised by their new team's supervisor from the move on.
        rows += [
            (move.supervisor, move.person, Kind.LINE, move.frequency, BALANCED, first_day)
            for move, first_day in self.moves.values()
        ]
        created = []
        for supervisor_name, supervisee_name, kind, frequency, pattern, supervised_from in rows:
            supervisor = self.people[supervisor_name]
            supervisee = self.people[supervisee_name]
            # Newly-qualified staff start with their post; others have had a while together.
            start = supervised_from or max(
                supervisee.start_date_in_post, self.today - timedelta(days=420)
            )
            end = None
            if supervisee.pk in self.moves and supervised_from is None and kind == Kind.LINE:
                end = self.moves[supervisee.pk][1] - timedelta(days=1)
            if supervisee.pk in self.leaves:
                end = self.leaves[supervisee.pk]
            if pattern == MANAGEMENT_HEAVY:
                self.never_miss_groups.add(supervisee.pk)
            if (supervisor_name, supervisee_name) in ALWAYS_FEEDBACK:
                self.always_feedback.add((supervisor.pk, supervisee.pk))
            relationship = Relationship.objects.create(
                supervisor=supervisor,
                supervisee=supervisee,
                kind=kind,
                frequency=frequency,
                start_date=start,
                end_date=end,
                agreement=AGREEMENTS[kind].format(
                    supervisor=supervisor.name,
                    supervisee=supervisee.name,
                    supervisor_first=supervisor_name,
                    supervisee_first=supervisee_name,
                    frequency=Frequency(frequency).label.lower(),
                ),
            )
            created.append((relationship, pattern, (supervisor_name, supervisee_name)))
        return created

    # The calendar ------------------------------------------------------------------------------

    def cadence(self, relationship, day):
        """Days to the next session: the expected interval, in whole weeks so the weekday holds.

        Each session is booked no later than the interval after the last one, so nobody but the
        overdue supervisee is ever overdue.
        """
        return relationship.interval_on(day) // 7 * 7

    def one_to_one_slots(self, relationship, pattern, names):
        if pattern == GROUP_ONLY:
            return []  # the team's group sessions are their supervision
        if pattern == OVERDUE:
            return self.overdue_slots(relationship)
        # A relationship that ends has its last one-to-one a few days before it does, so the
        # record is shared and answered while it lasts; nothing is booked after it.
        last = None
        if relationship.end_date is not None:
            last = weekday_on_or_before(relationship.end_date - timedelta(days=4))
        if relationship.start_date > self.first_day:
            day = weekday_on_or_after(relationship.start_date + timedelta(days=2))
        else:
            step = self.cadence(relationship, self.first_day)
            offset = self.rng.randrange(step)
            if names in self.recently_held:
                # Line the sessions up so the last one falls on its working day before today:
                # whole weeks apart, they keep that weekday all the way back.
                offset = (self.recently_held[names] - self.first_day).days % step
            day = weekday_on_or_after(self.first_day + timedelta(days=offset))
        slots = []
        while day < (self.today if last is None else last - timedelta(days=4)):
            step = self.cadence(relationship, day)
            if step >= 14 and day <= self.today - timedelta(days=21):
                self.cancel_counter += 1
                if self.cancel_counter % 9 == 0:
                    slots += self.cancelled_and_rebooked(relationship, pattern, day)
                    day += timedelta(days=step)
                    continue
            slots.append(Slot(day, Status.HELD, relationship, pattern))
            day += timedelta(days=step)
        if last is not None:
            slots.append(Slot(last, Status.HELD, relationship, pattern))
        else:
            slots.append(Slot(day, Status.PLANNED, relationship, pattern))
        return slots

    def cancelled_and_rebooked(self, relationship, pattern, day):
        by_supervisee = self.cancel_counter % 18 == 0
        if by_supervisee:
            status = Status.CANCELLED_BY_SUPERVISEE
            reason = self.rng.choice(CANCELLED_BY_SUPERVISEE_REASONS)
        else:
            status = Status.CANCELLED_BY_SUPERVISOR
            reason = self.rng.choice(CANCELLED_BY_SUPERVISOR_REASONS)
        rebooked = weekday_on_or_after(day + timedelta(days=self.rng.randint(3, 6)))
        return [
            Slot(day, status, relationship, pattern, reason=reason),
            Slot(rebooked, Status.HELD, relationship, pattern),
        ]

    def overdue_slots(self, relationship):
        """Monthly until about six weeks ago; then a cancellation and a session moved forward."""
        last_held = weekday_on_or_before(self.today - timedelta(days=45))
        # Nor has he been to his team's group supervision since.
        self.no_groups_after[relationship.supervisee_id] = last_held
        slots = []
        day = last_held
        while day >= max(self.first_day, relationship.start_date):
            slots.append(Slot(day, Status.HELD, relationship, BALANCED))
            day -= timedelta(days=28)
        slots.append(
            Slot(
                last_held + timedelta(days=28),
                Status.CANCELLED_BY_SUPERVISOR,
                relationship,
                reason=OVERDUE_CANCELLATION,
            )
        )
        slots.append(
            Slot(
                last_held + timedelta(days=35),
                Status.RESCHEDULED,
                relationship,
                reason=OVERDUE_RESCHEDULE,
                moved_to=weekday_on_or_after(self.today + timedelta(days=4)),
            )
        )
        return slots

    def group_slots(self, team):
        row = next(row for row in TEAMS if row.name == team.name)
        weekday = row.group_weekday
        if row.group_only:
            return self.fortnightly_group_slots(team, weekday)
        year, month = self.first_day.year, self.first_day.month
        slots = []
        while True:
            day = second_weekday_of_month(year, month, weekday)
            if day >= self.first_day:
                if day >= self.today:
                    slots.append(Slot(day, Status.PLANNED, team=team))
                    return slots
                slots.append(Slot(day, Status.HELD, team=team))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def fortnightly_group_slots(self, team, weekday):
        day = self.first_day + timedelta(days=(weekday - self.first_day.weekday()) % 7)
        slots = []
        while day < self.today:
            slots.append(Slot(day, Status.HELD, team=team))
            day += timedelta(days=GROUP_ONLY_EVERY_DAYS)
        slots.append(Slot(day, Status.PLANNED, team=team))
        return slots

    # Steps in time -----------------------------------------------------------------------------

    def moment(self, day, at):
        return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())

    def before_today(self, day, at):
        """`day` at `at`, or yesterday if `day` has not come yet: no step happens in the future."""
        return self.moment(min(day, self.today - timedelta(days=1)), at)

    @contextmanager
    def step(self, moment, *, by):
        """Take the services' writes inside as `by`'s, at `moment`."""
        self.moment_now, self.actor = moment, by
        try:
            yield
        finally:
            self.moment_now = self.actor = None

    def stamped(self, obj, **times):
        """Note when the service that just wrote `obj` stamped these fields (see `backdate`)."""
        model = type(obj)
        unknown = set(times) - TIMESTAMPS[model]
        if unknown:
            raise ValueError(f"{model.__name__}.{unknown} is not a timestamp to back-date")
        self.ledger[model, obj.pk].update(times)

    @contextmanager
    def dating_history(self):
        """While building, each history row is dated at its step and names who took it."""

        def date_history_row(sender, history_instance, **kwargs):
            if self.moment_now is None:
                raise RuntimeError("The demo saved something with history outside a step.")
            history_instance.history_date = self.moment_now
            history_instance.history_user = self.actor

        uid = "demo-dating-history"
        pre_create_historical_record.connect(date_history_row, weak=False, dispatch_uid=uid)
        try:
            yield
        finally:
            pre_create_historical_record.disconnect(dispatch_uid=uid)

    def backdate(self):
        """Move the times the services stamped from the clock to when each step happened.

        Timestamps only (TIMESTAMPS), in the objects and then in the copies of them that their
        history rows keep; states, answers and history dates are left as the steps wrote them.
        """
        by_model = defaultdict(dict)
        for (model, pk), times in self.ledger.items():
            by_model[model][pk] = times
        for model, rows in by_model.items():
            objects = model.objects.in_bulk(list(rows))
            for pk, times in rows.items():
                for name, value in times.items():
                    setattr(objects[pk], name, value)
            names = sorted(set().union(*rows.values()))
            model.objects.bulk_update(objects.values(), names, batch_size=BATCH)

        # A history row copies its object as it was then: a save's own time is the row's date,
        # and a time stamped once (created, shared, signed off, done) is the object's.
        def object_time(model, name):
            """The object's own (back-dated) time, where the row has one."""
            value = Subquery(model.objects.filter(pk=OuterRef("id")).values(name)[:1])
            return Case(When(**{f"{name}__isnull": True}, then=None), default=value)

        Session.history.filter(id__in=self.session_ids).update(
            created_at=object_time(Session, "created_at"),
            updated_at=F("history_date"),
            shared_at=object_time(Session, "shared_at"),
            signed_off_at=object_time(Session, "signed_off_at"),
        )
        Acknowledgement.history.filter(session_id__in=self.session_ids).update(
            created_at=object_time(Acknowledgement, "created_at")
        )
        Feedback.history.filter(session_id__in=self.session_ids).update(
            created_at=object_time(Feedback, "created_at"), updated_at=F("history_date")
        )
        Action.history.filter(session_id__in=self.session_ids).update(
            completed_on=object_time(Action, "completed_on")
        )

    # Recording ---------------------------------------------------------------------------------

    def record(self, slot):
        rng = self.rng
        if slot.team is not None:
            supervisor = self.team_manager[slot.team.pk]
            members = [
                p
                for p in self.people.values()
                if self.team_on(p, slot.day) == slot.team.pk
                and p.pk in self.practitioner_ids
                and p.start_date_in_post <= slot.day
            ]
            attendance = {p.pk: self.comes_to_group(p, slot.day) for p in members}
            details = SessionDetails(
                format=Format.GROUP,
                group_type=GroupType.TEAM,
                date=slot.day,
                duration_minutes=120,
                status=slot.status,
                start_time=time(13, 30),
            )
            supervisee = None
        else:
            supervisor = slot.relationship.supervisor
            supervisee = slot.relationship.supervisee
            attendance = {supervisee.pk: True}
            details = SessionDetails(
                format=Format.ONE_TO_ONE,
                date=slot.day,
                duration_minutes=self.duration(slot),
                status=Status.HELD if slot.status == Status.HELD else Status.PLANNED,
                start_time=rng.choice([time(9, 30), time(10, 0), time(13, 30), time(14, 0)]),
                mode=self.mode(slot),
            )

        if slot.status != Status.HELD:
            self.book(slot, supervisor, details, attendance)
            return

        if supervisee is None:
            cases = [c for pk in attendance for c in self.caseloads[pk]]
            discussed = self.group_items(details, cases, slot.team.pk)
            actions, reviews = [], {}
        else:
            discussed = self.one_to_one_items(slot, details)
            pair = (supervisor.pk, supervisee.pk)
            brought_forward = self.done_before(self.open_actions.get(pair, []), slot.day)
            reviews, still_open = self.review_outcomes(brought_forward)
            actions = self.actions(discussed, supervisor, supervisee, slot.day)
        items = [item for _topic, item in discussed]
        # Written up at the end of the day it was held.
        recorded = self.moment(slot.day, time(17, 0))
        session, agreed = self.create_session(
            recorded,
            supervisor,
            details=details,
            attendance=attendance,
            items=items,
            actions=actions,
            reviews={action.pk: outcome for action, outcome in reviews.items()},
        )
        if supervisee is not None:
            self.open_actions[pair] = still_open + agreed
        present = [pk for pk, here in attendance.items() if here]
        self.close_record(session, slot, items, present)

    def comes_to_group(self, person, day):
        """Most people come to most team groups, and nobody misses two in a row; Marcus's
        supervisees never miss one (it is where they find room for the rest); Kieran has not
        come since his supervision lapsed."""
        present = self.rng.random() > 0.15 or not self.was_at_last_group.get(person.pk, True)
        present = present or person.pk in self.never_miss_groups
        if person.pk in self.no_groups_after and day > self.no_groups_after[person.pk]:
            present = False
        self.was_at_last_group[person.pk] = present
        return present

    def create_session(self, moment, supervisor, **recorded):
        """`session_create` at `moment`; its history rows are kept back, to write in bulk.

        Recording a session saves it with its attendees, items, actions and reviews, a history
        row each, one insert at a time, and a demo records hundreds: `write_recorded_history`
        writes the same rows at the end, one insert per model. Returns the session and the
        actions agreed in it.
        """
        with override_settings(SIMPLE_HISTORY_ENABLED=False):
            session = session_create(supervisor=supervisor, **recorded)
        actions = list(session.actions.all()) if recorded.get("actions") else []
        # These are the objects as they were saved; later steps fetch their own copies.
        for obj in [session, *actions]:
            obj._history_user, obj._history_date = supervisor, moment
        self.recorded.append(session)
        self.recorded_actions += actions
        for pk, outcome in recorded.get("reviews", {}).items():
            # Done or dropped moves the action on; carried forward leaves it as it was.
            if outcome in CLOSING:
                self.closed_in_review[pk] = (supervisor, moment)
        self.stamped(session, created_at=moment, updated_at=moment)
        self.session_ids.append(session.pk)
        return session, actions

    def write_recorded_history(self):
        """The history rows `create_session` kept back, dated when and by whom it was recorded.

        Each row is the object as that step saved it: the sessions and new actions are the very
        instances it saved; attendees, items and reviews never change once recorded, and an
        action done or dropped in a review never changes after it, so their rows are read now.
        """
        recorded = {s.pk: (s._history_user, s._history_date) for s in self.recorded}
        self.history[Session].bulk_history_create(self.recorded, batch_size=BATCH)
        self.history[Action].bulk_history_create(self.recorded_actions, batch_size=BATCH)
        for model in (Attendance, Item, ActionReview):
            objects = list(model.objects.filter(session_id__in=list(recorded)))
            for obj in objects:
                obj._history_user, obj._history_date = recorded[obj.session_id]
            self.history[model].bulk_history_create(objects, batch_size=BATCH)
        closed = list(Action.objects.filter(pk__in=list(self.closed_in_review)))
        for action in closed:
            action._history_user, action._history_date = self.closed_in_review[action.pk]
        self.history[Action].bulk_history_create(closed, update=True, batch_size=BATCH)

    def book(self, slot, supervisor, details, attendance):
        """A session booked a few weeks ahead; then perhaps cancelled or moved the day before."""
        booked = self.before_today(slot.day - timedelta(days=28), time(12, 0))
        session, _ = self.create_session(booked, supervisor, details=details, attendance=attendance)
        if slot.status == Status.PLANNED:
            return
        changed = self.before_today(slot.day - timedelta(days=1), time(15, 0))
        # A supervisee who cancels their own one-to-one records it themselves (moved_by).
        by = supervisor
        if slot.status == Status.CANCELLED_BY_SUPERVISEE:
            by = slot.relationship.supervisee
        with self.step(changed, by=by):
            if slot.status == Status.RESCHEDULED:
                moved = session_reschedule(
                    session=session,
                    by=by,
                    new_date=slot.moved_to,
                    new_start_time=details.start_time,
                    reason=slot.reason,
                )
            else:
                session_cancel(
                    session=session,
                    by=by,
                    by_supervisee=slot.status == Status.CANCELLED_BY_SUPERVISEE,
                    reason=slot.reason,
                )
        self.stamped(session, updated_at=changed)
        if slot.status == Status.RESCHEDULED:
            self.stamped(moved, created_at=changed, updated_at=changed)
            self.session_ids.append(moved.pk)

    def duration(self, slot):
        relationship = slot.relationship
        if relationship.interval_on(slot.day) == 7:
            return 60  # weekly sessions for a practitioner in their first weeks
        if slot.pattern == BALANCED and self.rng.random() < 0.12:
            return 60
        return 90

    def mode(self, slot):
        if slot.relationship.kind == Kind.EXTERNAL:
            return Mode.VIDEO if self.rng.random() < 0.7 else Mode.IN_PERSON
        return Mode.VIDEO if self.rng.random() < 0.25 else Mode.IN_PERSON

    def one_to_one_items(self, slot, details):
        supervisee = slot.relationship.supervisee
        team_pk = supervisee.team_id
        cases = self.caseloads[supervisee.pk]
        rng = self.rng
        if slot.pattern == MANAGEMENT:
            # Four management items crowd out the rest; support gets the last ten minutes.
            pool = [t for t in MANAGEMENT_TOPICS if t.functions == ("management",)]
            topics = self.pick(pool, 4, team_pk, supervisee)
            topics += self.pick(SUPPORT_TOPICS[:2], 1, team_pk, supervisee)
            minutes = self.fit([rng.choice([20, 25, 30]) for _ in range(4)] + [10], details)
            return self.item_data(topics, minutes, cases)
        if slot.pattern == MANAGEMENT_HEAVY:
            # Two management items take over half the time; development and support get what
            # is left. (The team's group sessions keep the supervisee's own balance below the
            # threshold: the pattern shows on the supervisor's own audit.)
            pool = [t for t in MANAGEMENT_TOPICS if t.functions == ("management",)]
            topics = self.pick(pool, 2, team_pk, supervisee)
            topics += self.pick(DEVELOPMENT_TOPICS, 1, team_pk, supervisee)
            topics += self.pick(SUPPORT_TOPICS[:2], 1, team_pk, supervisee)
            minutes = [20, 20, rng.choice([15, 20]), 15]
            return self.item_data(topics, self.fit(minutes, details), cases)
        if slot.pattern == REFLECTIVE:
            pools = [DEVELOPMENT_TOPICS, SUPPORT_TOPICS, MEDIATION_TOPICS]
            weights = [(30, 40), (20, 30), (10, 15)]
        else:
            pools = [MANAGEMENT_TOPICS, DEVELOPMENT_TOPICS, SUPPORT_TOPICS, MEDIATION_TOPICS]
            weights = [(20, 30), (15, 25), (15, 20), (10, 20)]
            if rng.random() < 0.3:
                pools, weights = pools[:3], weights[:3]  # no time for mediation this month
        topics, minutes = [], []
        for pool, (low, high) in zip(pools, weights, strict=True):
            if pool is SUPPORT_TOPICS and rng.random() < 0.04:
                topics.append(CONFIDENTIAL_TOPIC)
            else:
                topics += self.pick(pool, 1, team_pk, supervisee)
            minutes.append(rng.randrange(low, high + 1, 5))
        return self.item_data(topics, self.fit(minutes, details), cases)

    def group_items(self, details, cases, team_pk):
        topics = self.pick(GROUP_TOPICS, 3, team_pk, None)
        minutes = self.fit([self.rng.randrange(25, 41, 5) for _ in topics], details)
        return self.item_data(topics, minutes, cases)

    def pick(self, pool, count, team_pk, supervisee):
        area = self.area.get(team_pk, "")
        newly_qualified = supervisee is not None and (
            (self.today - supervisee.start_date_in_post).days < NEWLY_QUALIFIED_DAYS
        )
        fitting = [
            t for t in pool if t.area in ("", area) and (newly_qualified or not t.newly_qualified)
        ]
        return self.rng.sample(fitting, count)

    def fit(self, minutes, details):
        """Trim the longest items until they fit in the session, leaving time to open and close."""
        budget = details.duration_minutes - 5
        minutes = list(minutes)
        while sum(minutes) > budget:
            longest = minutes.index(max(minutes))
            minutes[longest] -= 5
        return minutes

    def item_data(self, topics, minutes, cases):
        """(topic, ItemData) pairs: the topic says which action, if any, the item leads to."""
        discussed = []
        for topic, item_minutes in zip(topics, minutes, strict=True):
            case = self.rng.choice(cases)
            has_case = "{case}" in topic.title or "{case}" in topic.action
            discussed.append(
                (
                    topic,
                    ItemData(
                        title=topic.title.format(case=case),
                        minutes=item_minutes,
                        functions=list(topic.functions),
                        stages=list(topic.stages),
                        stakeholders=list(topic.stakeholders),
                        notes=topic.notes,
                        case_ref=case if has_case else "",
                        risk=topic.risk,
                        confidential=topic.confidential,
                    ),
                )
            )
        return discussed

    def actions(self, discussed, supervisor, supervisee, day):
        actions = []
        for topic, item in discussed:
            if not topic.action or len(actions) == 3:
                continue
            owner = {"supervisee": supervisee, "supervisor": supervisor}.get(topic.action_owner)
            actions.append(
                ActionData(
                    description=topic.action.format(case=item.case_ref),
                    owner_id=owner.pk if owner else None,
                    owner_name="" if owner else topic.action_owner,
                    due_date=day + timedelta(days=self.rng.choice([14, 21, 28])),
                )
            )
        return actions

    def done_before(self, open_actions, day):
        """Now and then an owner marks their action done before the next session, on `day`.

        Those are no longer open, so the next session does not review them; the rest come
        forward.
        """
        brought_forward = []
        for action in open_actions:
            agreed_on = action.session.date
            if action.owner_id is None or (day - agreed_on).days < 3 or self.rng.random() >= 0.2:
                brought_forward.append(action)
                continue
            done_on = agreed_on + timedelta(days=self.rng.randint(1, (day - agreed_on).days - 1))
            done = self.moment(done_on, time(16, 0))
            with self.step(done, by=self.people_by_pk[action.owner_id]):
                action_mark_done(action=action, by=self.people_by_pk[action.owner_id])
            self.stamped(action, completed_on=done_on)
        return brought_forward

    def review_outcomes(self, brought_forward):
        """Most open actions are done by next time; some are carried forward, a few dropped."""
        reviews, still_open = {}, []
        for action in brought_forward:
            roll = self.rng.random()
            if roll < 0.65:
                reviews[action] = ReviewOutcome.DONE
            elif roll < 0.92:
                reviews[action] = ReviewOutcome.CARRIED_FORWARD
                still_open.append(action)
            else:
                reviews[action] = ReviewOutcome.DROPPED
        return reviews, still_open

    def close_record(self, session, slot, items, present):
        """Share the record; the people there answer it; older records are signed off."""
        rng = self.rng
        age = (self.today - slot.day).days
        if age < 6:
            return  # still a draft
        delay = rng.choice([1, 2, 2, 3, 4]) if rng.random() > 0.06 else rng.randint(9, 12)
        if slot.relationship is not None and slot.relationship.end_date is not None:
            delay = 1  # the last one before the relationship ends: shared the next day
        shared_on = min(slot.day + timedelta(days=delay), self.today - timedelta(days=1))
        supervisor = self.people_by_pk[session.supervisor_id]
        shared = self.moment(shared_on, time(16, 30))
        with self.step(shared, by=supervisor):
            session = record_share(session=session, by=supervisor, notify=False)
        self.stamped(session, shared_at=shared, updated_at=shared)

        # Answered and signed off within a fortnight or so, so that some records signed off
        # lately still take feedback today (the policy's feedback_open_days).
        answers = age > 14 or rng.random() < 0.5
        signs_off = age > 14 and rng.random() > 0.05
        answered_on = shared_on + timedelta(days=1)
        if answered_on >= self.today:
            return  # shared yesterday: nobody has answered yet
        if answers:
            for position, person_id in enumerate(present):
                answered = self.moment(answered_on, time(9, 15 + position))
                self.acknowledge(session, slot, person_id, answered, signs_off)
        gives_feedback = slot.team is None and (
            rng.random() < 0.3
            or (slot.pattern == MANAGEMENT and age < 90)
            or (session.supervisor_id, present[0]) in self.always_feedback
        )
        # Feedback stays open for a while after sign-off (the audit policy's
        # feedback_open_days): now and then it comes after the record is signed off.
        late = signs_off and gives_feedback and rng.random() < 0.3
        if gives_feedback and not late:
            given = self.moment(answered_on, time(9, 40))
            self.give_feedback(session, items, present[0], given)
        if signs_off:
            signed_on = min(
                shared_on + timedelta(days=rng.randint(2, 7)), self.today - timedelta(days=1)
            )
            signed = self.moment(signed_on, time(11, 0))
            with self.step(signed, by=supervisor):
                session = record_sign_off(session=session, by=supervisor)
            self.stamped(session, signed_off_at=signed, updated_at=signed)
            if late:
                given_on = signed_on + timedelta(days=rng.randint(*LATE_FEEDBACK_DAYS))
                given = self.moment(min(given_on, self.today - timedelta(days=1)), time(12, 15))
                self.give_feedback(session, items, present[0], given)
            if rng.random() < 0.03:
                added_on = signed_on + timedelta(days=rng.randint(1, 10))
                if added_on < self.today:
                    text = rng.choice(ADDENDA)
                    self.add_addendum(session, text, self.moment(added_on, time(10, 0)))

    def acknowledge(self, session, slot, person_id, answered, signs_off):
        response, comments = Response.AGREE, ""
        if (
            slot.pattern == MANAGEMENT
            and signs_off
            and (self.today - slot.day).days < 90
            and not self.disagreement_recorded
        ):
            response, comments = Response.DISAGREE, DISAGREEMENT
            self.disagreement_recorded = True
        elif self.rng.random() < 0.15:
            response = Response.AGREE_WITH_COMMENTS
            comments = self.rng.choice(ACKNOWLEDGEMENT_COMMENTS)
        person = self.people_by_pk[person_id]
        with self.step(answered, by=person):
            acknowledgement = record_acknowledge(
                session=session, by=person, response=response, comments=comments, notify=False
            )
        self.stamped(acknowledgement, created_at=answered)
        if response == Response.DISAGREE:
            # The supervisor corrects the record before signing it off; it is never edited.
            corrected = answered + timedelta(hours=5)
            self.add_addendum(session, DISAGREEMENT_ADDENDUM, corrected)

    def add_addendum(self, session, text, moment):
        supervisor = self.people_by_pk[session.supervisor_id]
        with self.step(moment, by=supervisor):
            addendum = addendum_add(session=session, by=supervisor, text=text)
        self.stamped(addendum, created_at=moment)

    def give_feedback(self, session, items, person_id, given):
        shares = function_shares((item.functions, item.minutes) for item in items)
        ratings = ratings_of(shares)
        dominated = next((f for f in FUNCTIONS if shares[f] > Fraction(1, 2)), "")
        least = min(FUNCTIONS, key=lambda f: shares[f])
        if dominated == "management":
            usefulness, comments = self.rng.choice([2, 2, 3]), MANAGEMENT_DOMINATED_COMMENT
        elif (session.supervisor_id, person_id) in self.always_feedback:
            usefulness = self.rng.choice([4, 5])
            comments = self.rng.choice(EXTERNAL_FEEDBACK_COMMENTS)
        else:
            usefulness = self.rng.choice([3, 4, 4, 5, 5])
            comments = self.rng.choice(FEEDBACK_COMMENTS)
        values = {
            "wants_more": least if self.rng.random() < 0.7 else "",
            "dominated": dominated,
            "usefulness": usefulness,
            "comments": comments,
            **ratings,
        }
        person = self.people_by_pk[person_id]
        with self.step(given, by=person):
            feedback = feedback_save(session=session, by=person, values=values, notify=False)
        self.stamped(feedback, created_at=given, updated_at=given)

    def agree_focus(self):
        for focus in FOCUS_AGREEMENTS:
            supervisor = self.people[focus.supervisor]
            relationship = Relationship.objects.get(
                supervisee=self.people[focus.supervisee], supervisor=supervisor, kind=Kind.LINE
            )
            agreed_on = self.today - timedelta(days=focus.days_ago)
            agreed = self.moment(agreed_on, time(12, 0))
            with self.step(agreed, by=supervisor):
                agreement = focus_agree(
                    relationship=relationship,
                    functions=list(focus.functions),
                    agreed_on=agreed_on,
                    notes=focus.notes,
                    by=supervisor,
                )
            self.stamped(agreement, created_at=agreed)

    def raise_requests(self):
        """The supervisee raises it; the supervisor answers it, or has yet to (FOCUS_REQUESTS)."""
        for entry in FOCUS_REQUESTS:
            supervisor, supervisee = self.people[entry.supervisor], self.people[entry.supervisee]
            relationship = Relationship.objects.get(
                supervisor=supervisor, supervisee=supervisee, kind=Kind.LINE
            )
            raised_on = weekday_on_or_before(self.today - timedelta(days=entry.days_ago))
            raised = self.moment(raised_on, time(8, 45))
            with self.step(raised, by=supervisee):
                request = focus_request_raise(
                    relationship=relationship,
                    by=supervisee,
                    kind=entry.kind,
                    function=entry.function,
                    proposed=list(entry.proposed),
                    message=entry.message,
                    notify=False,
                )
            self.stamped(request, raised_at=raised)
            if not entry.answer:
                continue
            answered_on = weekday_on_or_before(self.today - timedelta(days=entry.answered_days_ago))
            answered = self.moment(answered_on, time(17, 30))
            with self.step(answered, by=supervisor):
                request = focus_request_answer(
                    request=request,
                    by=supervisor,
                    answer=entry.answer,
                    text=entry.answer_text,
                    notify=False,
                )
            self.stamped(request, answered_at=answered)
            if request.focus_agreement is not None:
                self.stamped(request.focus_agreement, created_at=answered, agreed_on=answered_on)

    def write_self_assessments(self):
        for entry in SELF_ASSESSMENTS:
            supervisor = self.people[entry.supervisor]
            written_on = weekday_on_or_before(self.today - timedelta(days=entry.days_ago))
            written = self.moment(written_on, time(17, 45))
            with self.step(written, by=supervisor):
                assessment = self_assessment_add(
                    supervisor=supervisor,
                    by=supervisor,
                    written_on=written_on,
                    focus_most=entry.focus_most,
                    more_attention=entry.more_attention,
                    tensions=entry.tensions,
                    support_needed=entry.support_needed,
                )
            self.stamped(assessment, created_at=written)


def function_shares(tagged):
    """Each function's share of the minutes of items given as (functions, minutes); an item's
    minutes split evenly (DOMAIN.md)."""
    minutes = dict.fromkeys(FUNCTIONS, Fraction(0))
    for functions, item_minutes in tagged:
        for function in functions:
            minutes[function] += Fraction(item_minutes, len(functions))
    total = sum(minutes.values())
    return {f: (minutes[f] / total if total else Fraction(0)) for f in FUNCTIONS}


def ratings_of(shares):
    """How a supervisee who felt `shares` rates each function: too much over 45%, too little
    under 10%, else about right."""
    return {
        function: Rating.TOO_MUCH
        if share > Fraction(45, 100)
        else Rating.TOO_LITTLE
        if share < Fraction(10, 100)
        else Rating.ABOUT_RIGHT
        for function, share in shares.items()
    }
