"""A large organisation in bulk, for benchmarks: `seed_demo --practitioners N --years Y`.

The small demo (`demo/builder.py`) takes every step through the services, so that its six months
read as they happened. That costs milliseconds a step, and a council with ten years of records
has millions of rows; this module writes the same shapes directly, with bulk inserts:

- teams of 8 to 15 practitioners (and, from 300, one hub of 60), each with a team manager who
  is their line supervisor (`Relationship`, dated `TeamMembership`, `Team.managers`); heads
  of service supervise the managers; some practitioners also have a practice supervisor from
  another team;
- staff join and leave (about 12% a year): a leaver's relationship and membership end on their
  last day and their account is made inactive; their post is filled a few weeks later, a third
  of the time by a newly-qualified practitioner on the newly-qualified schedule;
- monthly one-to-ones (weekly, then fortnightly, for the newly qualified) and a monthly team
  group session, some cancelled (by either side, with who and why) and rebooked, a few
  rescheduled; the next one booked ahead;
- items tagged with functions, stages (now and then the short circuit) and stakeholders, in
  three patterns (balanced, management-heavy, reflective); actions agreed and reviewed at the
  pair's next one-to-one (done, carried forward or dropped), a few done in between or never
  reviewed;
- records shared a few days after the session (a few late, a few never), answered by the people
  present, signed off; feedback on about a quarter of the one-to-ones; some focus agreements.

Each row is what the services would have written: states and the times they stamp (created,
shared, signed off) agree with each other and with `sessions_app.access`'s rules. History rows
(django-simple-history) are not written: a record page shows no history for these sessions.

The calendar is walked month by month, in date order (so primary keys grow with dates, as they
would), keeping only each relationship's next date and open actions between months; memory
stays flat in the number of years. A seeded random generator makes the same organisation for
the same arguments and today.

After the organisation, its records are built in two parts of its teams, each from a random
generator of its own: on PostgreSQL side by side, each part in a forked process of its own
sending its rows as COPY text to the parent, which holds the one transaction and writes them
(the tables' indexes and foreign keys set aside until the end: `core.bulk.checks_after`);
elsewhere one after the other. The records are the same either way, ids aside (on PostgreSQL
the parts take them in turns, so they grow with dates nearly, not exactly).
"""

import copy
import multiprocessing
import random
import traceback
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from fractions import Fraction
from functools import cache, partial
from itertools import batched
from multiprocessing.connection import wait
from operator import attrgetter

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from audit.models import AuditPolicy
from core import bulk
from core.vocabulary import FUNCTIONS, STAGES, TAG_FIELDS
from people.models import (
    FocusAgreement,
    Frequency,
    Kind,
    Relationship,
    Team,
    TeamMembership,
    User,
    interval_days,
)
from sessions_app import brought_forward, kept
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    BroughtForward,
    DayChecks,
    DayMinutes,
    DisputeReply,
    Feedback,
    Format,
    GroupType,
    Item,
    Mode,
    MonthMinutes,
    MonthSessions,
    RecordState,
    Response,
    ReviewOutcome,
    Session,
    Status,
)

from .builder import function_shares, ratings_of
from .data import DEMO_PASSWORD

MAIL = "scale.example"
ADMIN_EMAIL = f"admin@{MAIL}"
BATCH = 2000
# The tables the parts write (`BulkBuilder.parts`): nearly all the rows, loaded with their
# indexes and checks set aside (`core.bulk.checks_after`).
# The figures kept from the records (sessions_app.kept, sessions_app.brought_forward).
KEPT_WRITES = [MonthMinutes, DayMinutes, MonthSessions, BroughtForward, DayChecks]
PART_WRITES = [
    *(User, TeamMembership, Relationship, FocusAgreement),
    *(Session, Attendance, Item, Action, ActionReview, Acknowledgement, DisputeReply, Feedback),
]
# Items and attendances, hundreds of thousands a year, made straight as rows (no objects).
ITEM_ROW = bulk.Rows(
    Item,
    [
        *("session_id", "position", "title", "minutes", "risk", "confidential", "case_ref"),
        *TAG_FIELDS,
    ],
)
ATTENDANCE_ROW = bulk.Rows(Attendance, ["session_id", "person_id", "present", "session_date"])
SHORT_CIRCUIT = ("experience", "plans_actions")
PARTS = 2  # a constant, not the number of cores: the same records on any machine
TEAMS_PER_HEAD = 8
LEAVING_PER_YEAR = 0.12
HUB_FROM, HUB_SIZE, HUB_NAME = 300, 60, "Duty and Assessment Hub"

SERVICES = [
    "Adult Social Care",
    "Children's Assessment",
    "Children in Care",
    "Safeguarding Adults",
    "Family Support",
    "Learning Disabilities",
    "Mental Health",
    "Hospital Discharge",
    "Care Leavers",
    "Fostering",
    "Youth Justice",
    "Disabled Children",
]
AREAS = ["North", "South", "East", "West", "Central", "Riverside", "Hillside", "Coast"]
FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Daniel", "Ella", "Farah", "George", "Hannah", "Imran", "Jade",
    "Kofi", "Laura", "Mohammed", "Niamh", "Owen", "Priya", "Qasim", "Rachel", "Sam", "Tariq",
    "Usha", "Victoria", "Wei", "Yusuf", "Zoe", "Amelia", "Callum", "Grace", "Leon", "Sofia",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal",
    "Jones", "Khan", "Lewis", "Morgan", "Nowak", "O'Brien", "Patel", "Quinn", "Roberts", "Singh",
    "Taylor", "Underwood", "Vaughan", "Walker", "Yates", "Zielinski", "Okafor", "Murphy", "Chen",
]  # fmt: skip

# Topics by their main function: (title, functions, stages, stakeholders).
TOPICS = {
    "management": [
        ("Caseload review", ("management",), ("experience", "plans_actions"), ("organisation",)),
        ("Case recording up to date", ("management",), ("plans_actions",), ("organisation",)),
        ("Allocation of a new case", ("management",), ("experience", "analysis"), ("people",)),
        ("Annual leave and cover", ("management",), ("plans_actions",), ("supervisee",)),
        ("Performance figures", ("management", "development"), ("analysis",), ("organisation",)),
    ],
    "development": [
        ("Learning from a complex case", ("development",), STAGES, ("people", "supervisee")),
        ("Training plan", ("development",), ("reflection", "plans_actions"), ("supervisee",)),
        ("Applying research to practice", ("development", "management"), ("analysis",), ()),
        ("Reflective account for registration", ("development",), ("reflection",), ()),
    ],
    "support": [
        ("Wellbeing check-in", ("support",), ("experience", "reflection"), ("supervisee",)),
        ("Impact of a difficult visit", ("support",), STAGES, ("supervisee", "people")),
        ("Workload pressure", ("support", "management"), ("experience",), ("supervisee",)),
    ],
    "mediation": [
        ("Working with health partners", ("mediation",), ("analysis",), ("partners",)),
        ("Resources for a family", ("mediation", "management"), ("plans_actions",), ("people",)),
        ("Team communication", ("mediation",), ("reflection",), ("organisation",)),
    ],
}
GROUP_TOPICS = [
    ("Case discussion: risk and drift", ("development",), STAGES, ("people",)),
    ("New procedures", ("management",), ("experience", "plans_actions"), ("organisation",)),
    ("Team wellbeing", ("support",), ("experience", "reflection"), ("supervisee",)),
    ("Multi-agency working", ("mediation",), ("analysis", "plans_actions"), ("partners",)),
]
PATTERNS = {  # function weights per pattern
    "balanced": {"management": 3, "development": 3, "support": 2, "mediation": 2},
    "management": {"management": 9, "development": 1, "support": 1, "mediation": 1},
    "reflective": {"management": 1, "development": 4, "support": 3, "mediation": 2},
}
ACTIONS = [
    "Update the case recording",
    "Book the training course",
    "Arrange a joint visit",
    "Refer to the multi-agency panel",
    "Read the practice guidance",
    "Agree the plan with the family",
]
CANCELLED_BY_SUPERVISOR = ["Court hearing", "Covering a duty rota", "Unwell"]
CANCELLED_BY_SUPERVISEE = ["Urgent visit", "Unwell", "Training day"]
COMMENTS = ["The notes miss the point about the visit.", "Fair summary; one date is wrong."]
REPLIES = ["Thank you: I have added an addendum.", "Let us talk it through next time."]
FEEDBACK_COMMENTS = ["Useful, thank you.", "Good space to think.", "Felt rushed today."]

# The times the services stamp themselves (auto_now, auto_now_add): this load sets them.
STAMPED = [
    (Session, "created_at"),
    (Session, "updated_at"),
    (Acknowledgement, "created_at"),
    (DisputeReply, "created_at"),
    (Feedback, "created_at"),
    (Feedback, "updated_at"),
    (FocusAgreement, "created_at"),
]


@contextmanager
def own_timestamps():
    """Let bulk_create keep the times given, rather than stamping now (auto_now[_add])."""
    saved = []
    for model, name in STAMPED:
        f = model._meta.get_field(name)
        saved.append((f, f.auto_now, f.auto_now_add))
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def years_before(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def month_starts(first, last):
    day = first.replace(day=1)
    while day <= last:
        yield day
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def weekday_on_or_after(day):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass
class Post:
    """A practitioner's post in a team: filled by one person after another."""

    team: int  # index into the builder's teams
    person: User | None = None
    relationships: list = field(default_factory=list)  # the holder's _Pair objects
    membership: TeamMembership | None = None
    leaves_on: date | None = None
    vacant_until: date | None = None


@dataclass(eq=False)
class _Pair:
    """A relationship and what its next one-to-one carries forward."""

    rel: Relationship
    pattern: str
    next_day: date
    open_actions: list = field(default_factory=list)


@cache
def tags_of(functions, stages, stakeholders):
    """An item's tag columns (`TAG_FIELDS`) as `Item.set_tags` sets them for these tags:
    worked out once for each of the topics' few combinations."""
    item = Item()
    item.set_tags(functions=functions, stages=stages, stakeholders=stakeholders)
    return attrgetter(*TAG_FIELDS)(item)


def team_group(manager, day, status, **fields) -> Session:
    """A team's monthly group session, led by its manager (not yet saved)."""
    return bulk.new(
        Session,
        supervisor=manager,
        format=Format.GROUP,
        group_type=GroupType.TEAM,
        date=day,
        start_time=time(13, 30),
        duration_minutes=120,
        status=status,
        **fields,
    )


class BulkBuilder:
    def __init__(self, *, practitioners, years, today, seed=4444, log=None):
        if practitioners < 1 or years < 1:
            raise ValueError("practitioners and years must be at least 1")
        self.n = practitioners
        self.years = years
        self.today = today
        self.first_day = years_before(today, years)
        self.seed = f"fourfold-bulk-{seed}-{practitioners}-{years}-{today}"
        self.rng = random.Random(self.seed)
        self.log = log or (lambda message: None)
        self.password = make_password(DEMO_PASSWORD)
        self.serial, self.step = 0, 1  # people's e-mails: p000001@, p000002@ ...
        self.counts = Counter()
        self.writer = Direct()
        self.teams_here = None  # the indexes of the teams this part keeps (`parts`)
        self.progress = None  # called with each month a part has built (`Months`)
        self.tz = timezone.get_current_timezone()
        self.users_to_close = []  # leavers: made inactive at the end
        self.ended = []  # relationships and memberships given an end date
        self.closed_actions = {}  # id(Action) -> Action, its status changed after its insert
        self.pairs = {}  # every _Pair still active (a dict: ordered, quick to remove from)

    # Helpers ----------------------------------------------------------------------------------

    def at(self, day, hour, minute=0):
        return datetime.combine(day, time(hour, minute), tzinfo=self.tz)

    def new_user(self, *, team, start_in_post, prefix="p"):
        self.serial += self.step
        rng = self.rng
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        return User(
            email=f"{prefix}{self.serial:06d}@{MAIL}",
            name=name,
            password=self.password,
            team=team,
            start_date_in_post=start_in_post,
            date_joined=self.at(max(start_in_post, self.first_day), 9),
        )

    def insert(self, model, objs):
        if objs:
            self.writer.insert(model, objs)
            self.counts[model._meta.verbose_name_plural] += len(objs)
        return objs

    def insert_rows(self, maker, rows):
        if rows:
            self.writer.insert_rows(maker, rows)
            self.counts[maker.model._meta.verbose_name_plural] += len(rows)

    # The organisation -------------------------------------------------------------------------

    def team_sizes(self):
        """Teams of 8 to 15; from 300 practitioners, one large hub of 60 first (the dashboards
        are measured on a team of 60 too)."""
        if self.n >= HUB_FROM:
            return [HUB_SIZE, *self.small_team_sizes(self.n - HUB_SIZE)]
        return self.small_team_sizes(self.n)

    def small_team_sizes(self, n):
        if n < 8:
            return [n]
        count = max(1, round(n / 11.5))
        sizes = [self.rng.randint(8, 15) for _ in range(count)]
        while sum(sizes) != n:
            i = self.rng.randrange(count)
            if sum(sizes) < n and sizes[i] < 15:
                sizes[i] += 1
            elif sum(sizes) > n and sizes[i] > 8:
                sizes[i] -= 1
            elif all(s == 15 for s in sizes) and sum(sizes) < n:
                sizes.append(8)
                count += 1
            elif all(s == 8 for s in sizes) and sum(sizes) > n:
                sizes.pop()
                count -= 1
        return sizes

    def create_organisation(self):
        AuditPolicy.current()
        rng = self.rng
        User.objects.create(
            email=ADMIN_EMAIL,
            name="Scale Administrator",
            password=self.password,
            is_staff=True,
            is_superuser=True,
        )
        sizes = self.team_sizes()
        names = []
        hub = sizes[0] == HUB_SIZE and self.n >= HUB_FROM
        for i in range(len(sizes) - hub):
            service = SERVICES[i % len(SERVICES)]
            area = AREAS[(i // len(SERVICES)) % len(AREAS)]
            round_ = i // (len(SERVICES) * len(AREAS))
            names.append(f"{service}: {area}" + (f" {round_ + 1}" if round_ else ""))
        if hub:
            names.insert(0, HUB_NAME)
        self.teams = self.insert(Team, [Team(name=name) for name in names])
        # Managers and heads of service have been in post for years.
        long_ago = self.first_day - timedelta(days=3650)
        self.managers = self.insert(
            User,
            [
                self.new_user(team=team, start_in_post=long_ago, prefix="manager")
                for team in self.teams
            ],
        )
        through = Team.managers.through
        self.insert(
            through,
            [
                through(team_id=t.pk, user_id=m.pk)
                for t, m in zip(self.teams, self.managers, strict=True)
            ],
        )
        heads = self.insert(
            User,
            [
                self.new_user(team=None, start_in_post=long_ago, prefix="head")
                for _ in range(0, len(self.teams), TEAMS_PER_HEAD)
            ],
        )
        memberships = [
            TeamMembership(person=m, team=t, start_date=None)
            for t, m in zip(self.teams, self.managers, strict=True)
        ]
        self.insert(TeamMembership, memberships)
        rels = []
        for i, manager in enumerate(self.managers):
            rels.append(
                _Pair(
                    Relationship(
                        supervisor=heads[i // TEAMS_PER_HEAD],
                        supervisee=manager,
                        kind=Kind.LINE,
                        frequency=Frequency.MONTHLY,
                        start_date=self.first_day - timedelta(days=rng.randint(0, 20)),
                    ),
                    "balanced",
                    self.first_day + timedelta(days=rng.randint(0, 27)),
                )
            )
        self.insert(Relationship, [p.rel for p in rels])
        self.pairs.update(dict.fromkeys(rels))
        self.manager_pairs = rels  # in the order of the teams
        # The first holders of every post.
        self.posts = [Post(team=t) for t, size in enumerate(sizes) for _ in range(size)]
        self.posts_by_team = [[] for _ in sizes]
        for post in self.posts:
            self.posts_by_team[post.team].append(post)
        self.fill_posts(self.posts, self.first_day, initial=True)

    def fill_posts(self, posts, day_of, *, initial=False):
        """Put a new holder in each of `posts` (at `post.vacant_until`, or `day_of`)."""
        rng = self.rng
        people, memberships, pairs = [], [], []
        for post in posts:
            joins = day_of if initial else post.vacant_until
            newly_qualified = not initial and rng.random() < 0.35
            if initial:
                in_post = self.first_day - timedelta(days=rng.randint(200, 5000))
                start = self.first_day - timedelta(days=rng.randint(0, 20))
            else:
                in_post = start = joins
            person = self.new_user(team=self.teams[post.team], start_in_post=in_post)
            people.append(person)
            post.person, post.vacant_until, post.leaves_on = person, None, None
            post.membership = TeamMembership(
                person=person, team=self.teams[post.team], start_date=None if initial else start
            )
            memberships.append(post.membership)
            frequency = Frequency.NEWLY_QUALIFIED if newly_qualified else Frequency.MONTHLY
            if not newly_qualified and rng.random() < 0.05:
                frequency = Frequency.FORTNIGHTLY
            pattern = rng.choices(["balanced", "management", "reflective"], [75, 15, 10])[0]
            first = start + timedelta(days=rng.randint(2, 10 if not initial else 30))
            post.relationships = [
                _Pair(
                    Relationship(
                        supervisor=self.managers[post.team],
                        supervisee=person,
                        kind=Kind.LINE,
                        frequency=frequency,
                        start_date=start,
                    ),
                    pattern,
                    weekday_on_or_after(max(first, self.first_day)),
                )
            ]
            if len(self.teams) > 1 and rng.random() < 0.08:
                other = (post.team + rng.randrange(1, len(self.teams))) % len(self.teams)
                post.relationships.append(
                    _Pair(
                        Relationship(
                            supervisor=self.managers[other],
                            supervisee=person,
                            kind=Kind.PRACTICE,
                            frequency=Frequency.SIX_WEEKLY,
                            start_date=start,
                        ),
                        "reflective",
                        weekday_on_or_after(max(first, self.first_day) + timedelta(days=14)),
                    )
                )
            pairs += post.relationships
        # The memberships and relationships take their people's ids as they are written, and
        # keep the people themselves: setting `person_id` here would forget them, and each
        # relationship's supervisee would be read back from the database when first asked for.
        self.insert(User, people)
        self.insert(TeamMembership, memberships)
        self.insert(Relationship, [p.rel for p in pairs])
        self.pairs.update(dict.fromkeys(pairs))

    def turnover(self, month, month_end):
        """Who leaves this month (their last day), and the posts filled this month."""
        rng = self.rng
        leaving_per_month = LEAVING_PER_YEAR / 12
        days = (month_end - month).days + 1
        for post in self.posts:
            if post.person is None or post.leaves_on is not None:
                continue
            if rng.random() < leaving_per_month:
                # Nobody leaves within a month of starting (nor before records begin).
                started = post.relationships[0].rel.start_date + timedelta(days=30)
                earliest = max(month, self.first_day, started)
                if earliest > month_end:
                    continue
                post.leaves_on = earliest + timedelta(days=rng.randrange(days))
                post.leaves_on = min(post.leaves_on, month_end)
                if post.leaves_on < self.today:
                    # Their last day: no session of theirs after it.
                    post.membership.end_date = post.leaves_on
                    self.ended.append(post.membership)
                    for pair in post.relationships:
                        pair.rel.end_date = post.leaves_on
                        self.ended.append(pair.rel)
        to_fill = [p for p in self.posts if p.vacant_until and p.vacant_until <= month_end]
        if to_fill:
            self.fill_posts(to_fill, month)

    def leave(self, post):
        last = post.leaves_on
        person = post.person
        if last >= self.today:
            return  # leaving is still ahead: nothing is recorded yet
        person.is_active = False
        self.users_to_close.append(person)
        for pair in post.relationships:
            del self.pairs[pair]
        post.person = None
        post.relationships = []
        post.vacant_until = last + timedelta(days=self.rng.randint(14, 90))

    # Sessions ---------------------------------------------------------------------------------

    def build(self, *, side_by_side):
        """The organisation, then its records in `PARTS` parts of its teams, each drawn from a
        random sequence of its own: the same records whether the parts are built one after
        the other or side by side, each in a process of its own (PostgreSQL only)."""
        self.create_organisation()
        parts = self.parts()
        if side_by_side:
            in_processes(parts, self.log)
        else:
            months = Months(self.log)
            for k, part in enumerate(parts):
                part.progress = partial(months.done, k)
                part.build_part()

    def parts(self):
        """The builder split by team (team index modulo PARTS): each part holds its teams'
        posts and relationships (a manager's with their head goes with the manager's team)."""
        team_of = {pair: t for t, pair in enumerate(self.manager_pairs)}
        for post in self.posts:
            for pair in post.relationships:
                team_of[pair] = post.team
        serial = self.serial
        parts = []
        for k in range(PARTS):
            part = copy.copy(self)
            part.rng = random.Random(f"{self.seed}-part-{k}")
            part.serial, part.step = serial + k + 1 - PARTS, PARTS
            part.counts = Counter()
            part.users_to_close, part.ended, part.closed_actions = [], [], {}
            part.teams_here = [t for t in range(len(self.teams)) if t % PARTS == k]
            part.posts = [post for post in self.posts if post.team % PARTS == k]
            part.pairs = {pair: None for pair in self.pairs if team_of[pair] % PARTS == k}
            parts.append(part)
        return parts

    def build_part(self):
        yesterday = self.today - timedelta(days=1)
        for month in month_starts(self.first_day, yesterday):
            month_end = min(
                (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
                yesterday,
            )
            self.turnover(month, month_end)
            self.month(max(month, self.first_day), month_end)
            for post in self.posts:
                if post.leaves_on and post.leaves_on <= month_end and post.person:
                    self.leave(post)
            self.progress(month, self.counts["sessions"])
        self.book_ahead()
        self.finish()

    def month(self, first, last):
        rng = self.rng
        plans = []  # (day, order, kind, data)
        for pair in self.pairs:
            end = pair.rel.end_date
            while pair.next_day <= last and (end is None or pair.next_day <= end):
                day = pair.next_day
                if day >= first:
                    roll = rng.random()
                    # A session is moved only with a week left, in the month and before the
                    # relationship ends: never past its end.
                    room = day + timedelta(days=7) <= min(last, end or last)
                    if roll < 0.06 and room:
                        by_supervisee = rng.random() < 0.4
                        plans.append((day, "moved", pair, by_supervisee))
                        day = weekday_on_or_after(day + timedelta(days=rng.randint(2, 7)))
                    elif roll < 0.075 and room:
                        plans.append((day, "rescheduled", pair, None))
                        day = weekday_on_or_after(day + timedelta(days=rng.randint(2, 7)))
                    plans.append((day, "held", pair, None))
                pair.next_day = self.next_one_to_one(pair, day)
        for t in self.teams_here:
            day = first.replace(day=1) + timedelta(days=7 + t % 10)
            day = weekday_on_or_after(day)
            if first <= day <= last:
                plans.append((day, "group", t, None))
        plans.sort(key=lambda p: (p[0], p[1] == "group"))
        self.write(plans)
        self.close_actions()

    def close_actions(self):
        """Write the actions closed this month (done, dropped) and forget them: memory stays
        flat in the number of years."""
        self.writer.update(Action, ["status", "completed_on"], self.closed_actions.values())
        self.closed_actions = {}

    def next_one_to_one(self, pair, day):
        rel = pair.rel
        in_post = rel.supervisee.start_date_in_post or rel.start_date
        step = interval_days(rel.frequency, in_post, day)
        roll = self.rng.random()
        if step >= 28:
            step = self.rng.randint(24, 30) if roll > 0.05 else self.rng.randint(33, 50)
        elif step == 14:
            step = self.rng.randint(12, 14)
        return weekday_on_or_after(day + timedelta(days=step))

    def group_members(self, t, day):
        return [
            p.person
            for p in self.posts_by_team[t]
            if p.person is not None
            and (p.membership.start_date or self.first_day) <= day
            and (p.leaves_on is None or p.leaves_on >= day)
        ]

    def write(self, plans):
        """The sessions of one month, in date order, and everything recorded in them."""
        rng = self.rng
        sessions, moved = [], []
        for day, kind, who, extra in plans:
            if kind == "group":
                manager = self.managers[who]
                members = self.group_members(who, day)
                if not members:
                    continue
                session = team_group(manager, day, Status.HELD, mode=Mode.IN_PERSON)
                present = [(m, rng.random() > 0.15) for m in members]
                sessions.append((session, present, None))
                continue
            pair = who
            rel = pair.rel
            session = bulk.new(
                Session,
                supervisor=rel.supervisor,
                format=Format.ONE_TO_ONE,
                date=day,
                start_time=rng.choice([time(9, 30), time(10, 0), time(13, 30), time(14, 0)]),
                duration_minutes=60 if rng.random() < 0.12 else 90,
                mode=Mode.VIDEO if rng.random() < 0.25 else Mode.IN_PERSON,
                status=Status.HELD,
            )
            if kind == "moved":
                session.status = (
                    Status.CANCELLED_BY_SUPERVISEE if extra else Status.CANCELLED_BY_SUPERVISOR
                )
                session.moved_by = rel.supervisee if extra else rel.supervisor
                session.cancellation_reason = rng.choice(
                    CANCELLED_BY_SUPERVISEE if extra else CANCELLED_BY_SUPERVISOR
                )
            elif kind == "rescheduled":
                session.status = Status.RESCHEDULED
                session.moved_by = rel.supervisor
                session.cancellation_reason = "Moved to later in the week"
                moved.append(session)  # points at the next session of the pair, below
            sessions.append((session, [(rel.supervisee, True)], pair))
        pending = {}
        for session, _present, pair in sessions:
            if session.status == Status.HELD and pair is not None and pair in pending:
                pending.pop(pair).rescheduled_to = session
            if session.status == Status.RESCHEDULED:
                pending[pair] = session
        for session, _present, _pair in sessions:
            booked = self.at(session.date - timedelta(days=28), 12)
            session.created_at = session.updated_at = booked
            if session.status == Status.HELD:
                self.record_state(session)
            elif session.status != Status.PLANNED:
                session.updated_at = self.at(session.date - timedelta(days=1), 15)
        # Rescheduled sessions point at their new session: insert those after it.
        first = [s for s, _p, _pair in sessions if s.status != Status.RESCHEDULED]
        self.insert(Session, first)
        self.insert(Session, moved)  # each takes its new session's id as it is written
        attendances, items, actions, reviews, acks, feedback = [], [], [], [], [], []
        replies = []
        for session, present, pair in sessions:
            pk, day = session.pk, session.date
            attendances += [ATTENDANCE_ROW(pk, p.pk, here, day) for p, here in present]
            if session.status != Status.HELD:
                continue
            made, tagged = self.items(session, pair)
            items += made
            if pair is not None:
                reviews += self.review(session, pair)
                new = self.actions(session, pair)
                actions += new
            self.answers(session, present, tagged, acks, feedback, replies)
        self.insert_rows(ATTENDANCE_ROW, attendances)
        self.insert_rows(ITEM_ROW, items)
        self.insert(Action, actions)
        self.insert(ActionReview, reviews)
        self.insert(Acknowledgement, acks)
        self.insert(DisputeReply, replies)  # after the acknowledgements: their ids
        self.insert(Feedback, feedback)

    def record_state(self, session):
        """Shared a few days after, a few late, a few never; signed off once answered."""
        rng = self.rng
        age = (self.today - session.date).days
        recorded = self.at(session.date, 17)
        session.created_at = session.updated_at = recorded
        if age < 6 or rng.random() < 0.004:
            return
        delay = rng.choice([1, 2, 2, 3, 4]) if rng.random() > 0.05 else rng.randint(9, 14)
        shared_on = min(session.date + timedelta(days=delay), self.today - timedelta(days=1))
        session.record_state = RecordState.SHARED
        session.shared_at = session.updated_at = self.at(shared_on, 16, 30)
        if age > 21 and rng.random() > 0.04:
            signed_on = min(shared_on + timedelta(days=rng.randint(2, 7)), self.today)
            signed_on = min(signed_on, self.today - timedelta(days=1))
            session.record_state = RecordState.SIGNED_OFF
            session.signed_off_at = session.updated_at = self.at(signed_on, 11)

    def items(self, session, pair):
        """The session's items as rows (`ITEM_ROW`), and each one's (functions, minutes)."""
        rng = self.rng
        if pair is None:
            topics = rng.sample(GROUP_TOPICS, 3)
            minutes = [rng.randrange(25, 41, 5) for _ in topics]
        else:
            weights = PATTERNS[pair.pattern]
            count = rng.choice([3, 4, 4, 5])
            mains = rng.choices(list(weights), list(weights.values()), k=count)
            topics = [rng.choice(TOPICS[main]) for main in mains]
            minutes = [rng.randrange(10, 31, 5) for _ in topics]
        budget = session.duration_minutes - 5
        while sum(minutes) > budget:
            longest = minutes.index(max(minutes))
            minutes[longest] -= 5
        rows, tagged, pk = [], [], session.pk
        for position, ((title, functions, stages, stakeholders), m) in enumerate(
            zip(topics, minutes, strict=True)
        ):
            risk = rng.random() < 0.05
            confidential = pair is not None and rng.random() < 0.02
            case_ref = f"C-{rng.randint(10000, 99999)}" if rng.random() < 0.4 else ""
            roll = rng.random()
            if roll < 0.1:
                stages = SHORT_CIRCUIT
            elif roll < 0.15:
                stages = ()
            tags = tags_of(functions, stages, stakeholders)
            rows.append(ITEM_ROW(pk, position, title, m, risk, confidential, case_ref, *tags))
            tagged.append((functions, m))
        return rows, tagged

    def review(self, session, pair):
        """The pair's open actions come forward: reviewed, done in between, or (rarely) not."""
        rng = self.rng
        reviews, still_open = [], []
        skip = rng.random() < 0.04
        for action in pair.open_actions:
            agreed = action.due_date - timedelta(days=21)
            gap = (session.date - agreed).days
            if action.owner_id and gap > 3 and rng.random() < 0.12:
                action.status = ActionStatus.DONE
                action.completed_on = agreed + timedelta(days=rng.randint(1, gap - 1))
                self.closed_actions[id(action)] = action
                continue
            if skip:
                still_open.append(action)
                continue
            roll = rng.random()
            if roll < 0.65:
                outcome = ReviewOutcome.DONE
                action.status, action.completed_on = ActionStatus.DONE, session.date
            elif roll < 0.9:
                outcome = ReviewOutcome.CARRIED_FORWARD
                still_open.append(action)
            else:
                outcome = ReviewOutcome.DROPPED
                action.status = ActionStatus.DROPPED
            if outcome != ReviewOutcome.CARRIED_FORWARD:
                self.closed_actions[id(action)] = action
            # The action may be inserted with this month's sessions: its pk comes then.
            reviews.append(
                bulk.new(ActionReview, action=action, session_id=session.pk, outcome=outcome)
            )
        pair.open_actions = still_open
        return reviews

    def actions(self, session, pair):
        rng = self.rng
        made = []
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            owner = pair.rel.supervisee if rng.random() < 0.8 else pair.rel.supervisor
            made.append(
                bulk.new(
                    Action,
                    session_id=session.pk,
                    description=rng.choice(ACTIONS),
                    owner_id=owner.pk,
                    due_date=session.date + timedelta(days=21),
                )
            )
        pair.open_actions += made
        return made

    def answers(self, session, present, tagged, acks, feedback, replies):
        rng = self.rng
        if session.shared_at is None:
            return
        answered_on = session.shared_at.date() + timedelta(days=1)
        if answered_on >= self.today:
            return
        for position, (person, here) in enumerate(present):
            if not here or rng.random() > (0.9 if session.format == Format.ONE_TO_ONE else 0.6):
                continue
            roll = rng.random()
            response, comments = Response.AGREE, ""
            if roll < 0.03:
                response, comments = Response.DISAGREE, rng.choice(COMMENTS)
            elif roll < 0.15:
                response, comments = Response.AGREE_WITH_COMMENTS, rng.choice(COMMENTS)
            ack = bulk.new(
                Acknowledgement,
                session_id=session.pk,
                person_id=person.pk,
                response=response,
                comments=comments,
                created_at=self.at(answered_on, 9, position % 60),
            )
            acks.append(ack)
            # The supervisor replies to a disagreement within a fortnight; those of the last
            # fortnight may still wait.
            if response != Response.DISAGREE:
                continue
            replied_on = answered_on + timedelta(days=rng.randint(1, 14))
            ack.waiting_reply = replied_on >= self.today
            if not ack.waiting_reply:
                replies.append(
                    bulk.new(
                        DisputeReply,
                        acknowledgement=ack,
                        session_id=session.pk,
                        author_id=session.supervisor_id,
                        text=rng.choice(REPLIES),
                        created_at=self.at(replied_on, 16, position % 60),
                    )
                )
        if session.format == Format.ONE_TO_ONE and rng.random() < 0.25:
            person = present[0][0]
            shares = function_shares(tagged)
            ratings = ratings_of(shares)
            dominated = next((k for k in FUNCTIONS if shares[k] > Fraction(1, 2)), "")
            given = self.at(answered_on, 9, 40)
            feedback.append(
                bulk.new(
                    Feedback,
                    session_id=session.pk,
                    person_id=person.pk,
                    session_date=session.date,
                    session_supervisor_id=session.supervisor_id,
                    wants_more=min(FUNCTIONS, key=lambda k: shares[k])
                    if rng.random() < 0.7
                    else "",
                    dominated=dominated,
                    usefulness=rng.choice([2, 3] if dominated == "management" else [3, 4, 4, 5]),
                    comments=rng.choice(FEEDBACK_COMMENTS),
                    created_at=given,
                    updated_at=given,
                    **ratings,
                )
            )

    def book_ahead(self):
        """The next one-to-one of every current relationship, and next month's group."""
        rng = self.rng
        sessions, attendances = [], []
        for pair in self.pairs:
            day = max(pair.next_day, weekday_on_or_after(self.today + timedelta(days=1)))
            session = bulk.new(
                Session,
                supervisor=pair.rel.supervisor,
                format=Format.ONE_TO_ONE,
                date=day,
                start_time=time(10, 0),
                duration_minutes=90,
                status=Status.PLANNED,
            )
            session.created_at = session.updated_at = self.at(self.today - timedelta(days=1), 12)
            sessions.append((session, [pair.rel.supervisee]))
        for t in self.teams_here:
            manager = self.managers[t]
            day = weekday_on_or_after(self.today + timedelta(days=rng.randint(1, 28)))
            members = self.group_members(t, self.today)
            if members:
                session = team_group(manager, day, Status.PLANNED)
                session.created_at = session.updated_at = self.at(
                    self.today - timedelta(days=1), 12
                )
                sessions.append((session, members))
        self.insert(Session, [s for s, _ in sessions])
        for session, people in sessions:
            attendances += [ATTENDANCE_ROW(session.pk, p.pk, True, session.date) for p in people]
        self.insert_rows(ATTENDANCE_ROW, attendances)
        # A focus agreed in some relationships, within the last year.
        agreements = []
        for pair in self.pairs:
            if rng.random() < 0.04:
                agreed_on = self.today - timedelta(days=rng.randint(10, 360))
                if agreed_on < pair.rel.start_date:
                    continue
                function = rng.choice(FUNCTIONS)
                agreements.append(
                    FocusAgreement(
                        relationship_id=pair.rel.pk,
                        agreed_on=agreed_on,
                        created_by_id=pair.rel.supervisor_id,
                        created_at=self.at(agreed_on, 12),
                        **{function: True},
                    )
                )
        self.insert(FocusAgreement, agreements)

    def finish(self):
        """The end dates, inactive leavers and closed actions learnt after their insert."""
        rels = [r for r in self.ended if isinstance(r, Relationship)]
        memberships = [m for m in self.ended if isinstance(m, TeamMembership)]
        self.writer.update(Relationship, ["end_date"], rels)
        self.writer.update(TeamMembership, ["end_date"], memberships)
        self.writer.update(User, ["is_active"], self.users_to_close)
        self.close_actions()


# Writing -------------------------------------------------------------------------------------


class Direct:
    """Writes on this process's connection: COPY on PostgreSQL, the ORM elsewhere."""

    def insert(self, model, objs):
        if bulk.fast(model):  # PostgreSQL: COPY, a third of the seeding's time saved
            bulk.insert_new(objs, model)
        else:
            model.objects.bulk_create(objs, batch_size=BATCH)

    def insert_rows(self, maker, rows):
        if bulk.fast(maker.model):
            bulk.insert_rows(maker, rows)
        else:
            maker.model.objects.bulk_create(maker.objects(rows), batch_size=BATCH)

    def update(self, model, names, objs):
        write_update(model, names, values_of(objs, names))


def values_of(objs, names):
    """(id, *values of `names`) of each object: the rows an update writes."""
    return [(obj.pk, *(getattr(obj, name) for name in names)) for obj in objs]


def write_update(model, names, rows):
    """Set fields `names` of `model`'s rows (id, *values): on PostgreSQL one UPDATE a page, else
    one UPDATE per set of values (an action's outcome and day, a leaver's end date), not
    bulk_update's CASE of a branch per row, which took a fifth of the seeding's time to build."""
    if not rows:
        return
    if bulk.fast(model):
        bulk.update_rows(model, names, rows)
        return
    by_values = defaultdict(list)
    for pk, *values in rows:
        by_values[tuple(values)].append(pk)
    for values, pks in by_values.items():
        for chunk in batched(pks, BATCH):
            model.objects.filter(pk__in=chunk).update(**dict(zip(names, values, strict=True)))


class Piped:
    """A part's writes, in a process of its own: each page of rows (as COPY's text) and each
    update is sent to the process that holds the transaction (`in_processes`). The ids are
    handed out without asking: part k of PARTS takes the k-th of every PARTS ids from where
    each table's sequence stood (`core.bulk.next_ids`; no one else writes to those tables)."""

    def __init__(self, pipe, part, first_ids):
        self.pipe = pipe
        self.next = {model: first + part for model, first in first_ids.items()}

    def ids(self, model, count):
        start = self.next[model]
        self.next[model] = start + PARTS * count
        return range(start, self.next[model], PARTS)

    def insert(self, model, objs):
        _fields, _rows, columns, written = bulk.with_ids(objs, model, self.ids(model, len(objs)))
        self.send(model, columns, written)

    def insert_rows(self, maker, rows):
        model = maker.model
        self.send(model, maker.columns, bulk.numbered(self.ids(model, len(rows)), rows))

    def send(self, model, columns, written):
        for text, page in bulk.pages(written):
            rows = None if text is not None else page
            self.pipe.send(("insert", model._meta.db_table, columns, text, rows))

    def update(self, model, names, objs):
        rows = values_of(objs, names)
        if rows:
            self.pipe.send(("update", model._meta.label, names, rows))


class Months:
    """Logs each month once every part has built it, with the sessions written so far."""

    def __init__(self, log):
        self.log = log
        self.built = defaultdict(dict)  # month -> {part: sessions written to its end}

    def done(self, part, month, sessions):
        self.built[month][part] = sessions
        if len(self.built[month]) == PARTS:
            self.log(f"{month:%Y-%m}: {sum(self.built.pop(month).values())} sessions")


def in_processes(parts, log):
    """Build the parts side by side, each in a process of its own (forked: it starts with the
    organisation built so far), while this process, which holds the transaction, writes what
    they send. The parts never use the database connection they inherit."""
    context = multiprocessing.get_context("fork")
    first = bulk.next_ids(PART_WRITES)
    months = Months(log)
    workers, reading = [], {}
    for k, part in enumerate(parts):
        ours, theirs = context.Pipe(duplex=False)
        worker = context.Process(target=_build_part, args=(part, k, first, theirs), daemon=True)
        worker.start()
        theirs.close()
        workers.append(worker)
        reading[ours] = k
    next_free = dict(first)
    try:
        while reading:
            for pipe in wait(list(reading)):
                k = reading[pipe]
                try:
                    kind, *message = pipe.recv()
                except EOFError:
                    raise RuntimeError(f"part {k} of the seeding stopped unfinished") from None
                if kind == "insert":
                    bulk.write_page(*message)
                elif kind == "update":
                    label, names, rows = message
                    write_update(apps.get_model(label), names, rows)
                elif kind == "month":
                    months.done(k, *message)
                elif kind == "done":
                    for label, after_last in message[0].items():
                        model = apps.get_model(label)
                        next_free[model] = max(next_free[model], after_last - PARTS + 1)
                    del reading[pipe]
                else:
                    raise RuntimeError(f"part {k} of the seeding failed:\n{message[0]}")
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()
            worker.join()
    bulk.continue_ids(PART_WRITES, next_free)


def _build_part(part, k, first_ids, pipe):
    """Part k, in its own process: every write goes through `pipe`. Nothing here may touch
    the inherited database connection (closing it would end the parent's session too); the
    process ends without running Python's exit handlers (multiprocessing's os._exit)."""
    try:
        part.writer = Piped(pipe, k, first_ids)
        part.progress = lambda month, sessions: pipe.send(("month", month, sessions))
        part.build_part()
        pipe.send(("done", {m._meta.label: n for m, n in part.writer.next.items()}))
    except BaseException:
        pipe.send(("failed", traceback.format_exc()))
        raise


def bulk_load(*, practitioners, years, today, log=None, side_by_side=None) -> dict:
    """Build the organisation into an empty database; the counts of what was written. Its
    parts are built side by side on PostgreSQL (unless `side_by_side` is False)."""
    if side_by_side is None:
        side_by_side = bulk.fast(Session)
    elif side_by_side and not bulk.fast(Session):
        raise ValueError("the parts are built side by side on PostgreSQL only")
    if User.objects.exists():
        raise ValueError("the bulk organisation is loaded into an empty database only")
    builder = BulkBuilder(practitioners=practitioners, years=years, today=today, log=log)
    with transaction.atomic(), own_timestamps():
        with bulk.checks_after(PART_WRITES):
            builder.build(side_by_side=side_by_side)
        # The minutes kept by person and month, summed from what was written, in one statement;
        # what each session inherited from the one before it, in one pass over the days. Their
        # indexes and checks too are built after them.
        with bulk.checks_after(KEPT_WRITES):
            brought_forward.hold(everything=True)  # the order every write holds them in
            kept.rebuild()
            brought_forward.rebuild()
    counts = {
        "teams": Team.objects.count(),
        "people": User.objects.count(),
        "relationships": Relationship.objects.count(),
        "sessions": Session.objects.count(),
        "items": Item.objects.count(),
        "attendances": Attendance.objects.count(),
    }
    return counts
