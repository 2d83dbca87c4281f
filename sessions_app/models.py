"""Supervision sessions and what is recorded in them."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q

from core.history import recorded_history
from core.vocabulary import (
    FUNCTION_LABELS,
    FUNCTIONS,
    STAGE_LABELS,
    STAGES,
    STAKEHOLDER_LABELS,
    STAKEHOLDERS,
    function_field,
    is_short_circuit,
    stage_field,
    stakeholder_field,
)

User = settings.AUTH_USER_MODEL


class Format(models.TextChoices):
    ONE_TO_ONE = "one_to_one", "One-to-one"
    GROUP = "group", "Group"


class GroupType(models.TextChoices):
    TEAM = "team", "Team"
    PEER = "peer", "Peer"
    MULTI_AGENCY = "multi_agency", "Multi-agency"
    NEWLY_QUALIFIED = "newly_qualified", "Newly-qualified practitioners"


class Mode(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"


class Status(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED_BY_SUPERVISOR = "cancelled_by_supervisor", "Cancelled by supervisor"
    CANCELLED_BY_SUPERVISEE = "cancelled_by_supervisee", "Cancelled by supervisee"
    RESCHEDULED = "rescheduled", "Rescheduled"


class RecordState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SHARED = "shared", "Shared"
    SIGNED_OFF = "signed_off", "Signed off"


class SessionQuerySet(models.QuerySet):
    def led_by(self, user):
        return self.filter(supervisor=user)

    def attended_by(self, user, start=None, end=None):
        """Sessions where `user` is a present attendee (one-to-one supervisee or group member);
        with `start` and `end`, only those dated between them, found from the person's
        attendances of those dates (index: person, date) rather than from all they ever had."""
        dates = {}
        if start is not None:
            dates["session_date__gte"] = start
        if end is not None:
            dates["session_date__lte"] = end
        return self.filter(
            Exists(
                Attendance.objects.filter(
                    session=OuterRef("pk"), person=user, present=True, **dates
                )
            )
        )

    def with_member(self, user, *, on_or_after=None):
        """Sessions where `user` is an attendee, present or not (`on_or_after` a day: only
        sessions from then, found by the attendance's own date: a person's few from today on,
        rather than every planned session of everyone tested for them)."""
        since = {} if on_or_after is None else {"session_date__gte": on_or_after}
        return self.filter(
            Exists(Attendance.objects.filter(session=OuterRef("pk"), person=user, **since))
        )

    def held(self):
        return self.filter(status=Status.HELD)

    def planned(self):
        return self.filter(status=Status.PLANNED)


class Session(models.Model):
    supervisor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="led_sessions",
        help_text="The supervisor, or the facilitator of a group.",
    )
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.ONE_TO_ONE)
    group_type = models.CharField(max_length=20, choices=GroupType.choices, blank=True)
    date = models.DateField()
    start_time = models.TimeField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField("duration (minutes)", default=90)
    mode = models.CharField(max_length=20, choices=Mode.choices, default=Mode.IN_PERSON)
    status = models.CharField(max_length=30, choices=Status.choices, default=Status.PLANNED)
    cancellation_reason = models.TextField("why it was cancelled or moved", blank=True)
    # Who moved it (DOMAIN.md: cancellations count toward reliability): the person who
    # cancelled or rescheduled it in Fourfold; empty when it came from a spreadsheet import.
    moved_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="cancelled or rescheduled by",
    )
    rescheduled_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rescheduled_from"
    )
    external_ref = models.CharField(
        "session reference",
        max_length=100,
        null=True,
        blank=True,
        unique=True,
        help_text="The session's id in the spreadsheet it was imported from.",
    )
    record_state = models.CharField(
        max_length=20, choices=RecordState.choices, default=RecordState.DRAFT
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    signed_off_at = models.DateTimeField(null=True, blank=True)
    # The form a new session was typed in: posting it twice records it once.
    creation_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # Optimistic lock: a save names the version it started from and is refused if it moved on.
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = recorded_history()
    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-start_time", "-pk"]
        indexes = [
            models.Index(fields=["supervisor", "date"]),
            models.Index(fields=["date"]),
            # The supervisor's records not yet signed off (their home's "to share" and "to sign
            # off"): a few dozen, where every session they ever led is thousands at 10 years.
            models.Index(
                fields=["supervisor", "date"],
                condition=Q(record_state__in=[RecordState.DRAFT, RecordState.SHARED]),
                name="session_unsigned_by_supervisor",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gt=0), name="session_duration_positive"
            ),
            models.CheckConstraint(
                condition=(Q(format=Format.ONE_TO_ONE) & Q(group_type=""))
                | (Q(format=Format.GROUP) & ~Q(group_type="")),
                name="session_group_type_only_for_groups",
            ),
            models.CheckConstraint(
                condition=Q(record_state=RecordState.DRAFT) | Q(status=Status.HELD),
                name="session_only_held_records_are_shared",
            ),
        ]

    def __str__(self):
        return f"{self.get_format_display()} on {self.date:%d %b %Y}"

    @property
    def is_held(self):
        return self.status == Status.HELD

    @property
    def is_planned(self):
        return self.status == Status.PLANNED

    @property
    def is_group(self):
        return self.format == Format.GROUP

    @property
    def is_locked(self):
        return self.record_state == RecordState.SIGNED_OFF

    @property
    def is_draft(self):
        return self.record_state == RecordState.DRAFT

    @property
    def supervisee(self):
        """The supervisee of a one-to-one session (None for a group)."""
        if self.is_group:
            return None
        attendances = list(self.attendances.all())
        return attendances[0].person if attendances else None

    def title(self):
        if self.is_group:
            return f"{self.get_group_type_display()} group supervision"
        supervisee = self.supervisee
        return f"Supervision with {supervisee}" if supervisee else "One-to-one supervision"


class Attendance(models.Model):
    """Who a session is for. A one-to-one has exactly one, the supervisee."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="attendances")
    present = models.BooleanField(default=True)
    # The session's date, kept beside each attendee so that a person's sessions in a window are
    # read by the index below without joining every session of the organisation in it: a
    # team's minutes and each relationship's last session held cost what the team's own
    # sessions cost, whatever the organisation's size or the history's length
    # (docs/performance.md). Written by whatever writes the attendance or moves the session
    # (sessions_app.services, imports.sessions, demo.bulk); not a change of the record, so not
    # in its history.
    session_date = models.DateField(editable=False)

    history = recorded_history(excluded_fields=["session_date"])

    class Meta:
        ordering = ["person__name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="attendance_unique"),
        ]
        indexes = [models.Index(fields=["person", "session_date"], name="attendance_person_date")]

    def __str__(self):
        return f"{self.person} ({'present' if self.present else 'absent'})"


def _at_least_one_function():
    condition = Q()
    for key in FUNCTIONS:
        condition |= Q(**{function_field(key): True})
    return condition


class Item(models.Model):
    """A discussion item: the unit of tagging against the 4x4x4 model."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    minutes = models.PositiveIntegerField()
    function_management = models.BooleanField("management", default=False)
    function_development = models.BooleanField("development", default=False)
    function_support = models.BooleanField("support", default=False)
    function_mediation = models.BooleanField("mediation", default=False)
    stage_experience = models.BooleanField("experience", default=False)
    stage_reflection = models.BooleanField("reflection", default=False)
    stage_analysis = models.BooleanField("analysis", default=False)
    stage_plans_actions = models.BooleanField("plans & actions", default=False)
    stakeholder_supervisee = models.BooleanField("supervisee", default=False)
    stakeholder_people = models.BooleanField("people who draw on care", default=False)
    stakeholder_organisation = models.BooleanField("organisation", default=False)
    stakeholder_partners = models.BooleanField("partners", default=False)
    case_ref = models.CharField(
        "case reference",
        max_length=50,
        blank=True,
        help_text="A case reference only, never the name of someone drawing on care.",
    )
    risk = models.BooleanField(default=False)
    confidential = models.BooleanField(
        default=False,
        help_text="Title and notes visible to the supervisor and supervisee alone.",
    )

    history = recorded_history()

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="item_minutes_positive"),
            models.CheckConstraint(condition=_at_least_one_function(), name="item_has_a_function"),
        ]

    def __str__(self):
        return self.title

    @property
    def functions(self):
        return [key for key in FUNCTIONS if getattr(self, function_field(key))]

    @property
    def stages(self):
        return [key for key in STAGES if getattr(self, stage_field(key))]

    @property
    def stakeholders(self):
        return [key for key in STAKEHOLDERS if getattr(self, stakeholder_field(key))]

    @property
    def function_labels(self):
        return [FUNCTION_LABELS[key] for key in self.functions]

    @property
    def stage_labels(self):
        return [STAGE_LABELS[key] for key in self.stages]

    @property
    def stakeholder_labels(self):
        return [STAKEHOLDER_LABELS[key] for key in self.stakeholders]

    @property
    def is_short_circuit(self):
        return is_short_circuit(self.stages)

    def set_tags(self, *, functions=(), stages=(), stakeholders=()):
        for key in FUNCTIONS:
            setattr(self, function_field(key), key in functions)
        for key in STAGES:
            setattr(self, stage_field(key), key in stages)
        for key in STAKEHOLDERS:
            setattr(self, stakeholder_field(key), key in stakeholders)


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class ActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=ActionStatus.OPEN)


class Action(models.Model):
    """A plan or action agreed in a session; open ones come forward for review next time."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    # The owner is a person (supervisor or a supervisee) or, when null, the named other.
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="owned_actions"
    )
    owner_name = models.CharField("other owner", max_length=200, blank=True)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    completed_on = models.DateField(null=True, blank=True)

    history = recorded_history()
    objects = ActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | ~Q(owner_name=""),
                name="action_has_an_owner",
            ),
        ]

    def __str__(self):
        return self.description

    @property
    def owner_display(self):
        return str(self.owner) if self.owner_id else self.owner_name

    @property
    def owner_kind(self):
        if self.owner_id is None:
            return "other"
        if self.owner_id == self.session.supervisor_id:
            return "supervisor"
        return "supervisee"


class ReviewOutcome(models.TextChoices):
    DONE = "done", "Done"
    CARRIED_FORWARD = "carried_forward", "Carried forward"
    DROPPED = "dropped", "Dropped"


class ActionReview(models.Model):
    """What a later session decided about an open action brought forward."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reviews")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="action_reviews")
    outcome = models.CharField(max_length=20, choices=ReviewOutcome.choices)

    history = recorded_history()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["action", "session"], name="action_review_unique"),
        ]

    def __str__(self):
        return f"{self.action}: {self.get_outcome_display()}"


class Response(models.TextChoices):
    AGREE = "agree", "I agree"
    AGREE_WITH_COMMENTS = "agree_with_comments", "I agree, with comments"
    DISAGREE = "disagree", "I disagree"


class Acknowledgement(models.Model):
    """A present attendee's answer to a shared record."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="acknowledgements")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="acknowledgements")
    response = models.CharField(max_length=30, choices=Response.choices)
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A disagreement the supervisor has not replied to yet (`DisputeReply`): set when it is
    # made, cleared by `records.dispute_reply` (the one writer of replies). The disagreements
    # still waiting are read from an index of those alone, not from every one ever made; a
    # flag rather than "no reply": only a rare value gives PostgreSQL a true estimate.
    waiting_reply = models.BooleanField(default=False, editable=False)

    history = recorded_history()

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The disagreements of a session (lists mark records disputed): without it
            # PostgreSQL read every disagreement ever made, about 20 ms a query at 10 years of
            # a council's records.
            models.Index(
                fields=["session"],
                condition=Q(response=Response.DISAGREE),
                name="acknowledgement_disagreements",
            ),
            # Those not replied to yet (the supervisor's home, the session list's "to reply"):
            # as many as wait today, whatever the years of records behind them.
            models.Index(
                fields=["session"],
                condition=Q(waiting_reply=True),
                name="acknowledgement_unanswered",
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="acknowledgement_once"),
            models.CheckConstraint(
                condition=Q(response=Response.AGREE) | ~Q(comments=""),
                name="acknowledgement_comments_unless_agree",
            ),
        ]

    def __str__(self):
        return f"{self.person}: {self.get_response_display()}"

    def save(self, *args, **kwargs):
        if self._state.adding:  # a disagreement waits for its reply from the start
            self.waiting_reply = self.response == Response.DISAGREE
        super().save(*args, **kwargs)


class DisputeReply(models.Model):
    """The supervisor's answer to a supervisee who disagreed with the record.

    Part of the record like the acknowledgement it answers: both parties read it, and so does
    everyone who may read the record. Replies are added, never edited; history keeps them.
    """

    acknowledgement = models.ForeignKey(
        Acknowledgement, on_delete=models.CASCADE, related_name="replies"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="dispute_replies")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="dispute_replies")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    history = recorded_history()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "dispute replies"
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="dispute_reply_has_text"),
        ]

    def __str__(self):
        return f"Reply by {self.author}"


class Rating(models.TextChoices):
    TOO_LITTLE = "too_little", "Too little"
    ABOUT_RIGHT = "about_right", "About right"
    TOO_MUCH = "too_much", "Too much"


FUNCTION_CHOICES_BLANK = [("", "None")] + [(k, FUNCTION_LABELS[k]) for k in FUNCTIONS]


class Feedback(models.Model):
    """How supervision felt to a supervisee: one per supervisee per session."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="feedback")
    person = models.ForeignKey(User, on_delete=models.PROTECT, related_name="feedback_given")
    management = models.CharField(max_length=20, choices=Rating.choices)
    development = models.CharField(max_length=20, choices=Rating.choices)
    support = models.CharField(max_length=20, choices=Rating.choices)
    mediation = models.CharField(max_length=20, choices=Rating.choices)
    # Each: a function; "" for the answer "none" (none dominated, no preference); None when
    # the question was not answered (no answer never counts as one, nor feeds the audit).
    wants_more = models.CharField(
        "function I want more attention on next",
        max_length=20,
        choices=FUNCTION_CHOICES_BLANK,
        blank=True,
        null=True,
    )
    dominated = models.CharField(
        "function that dominated, if one did",
        max_length=20,
        choices=FUNCTION_CHOICES_BLANK,
        blank=True,
        null=True,
    )
    usefulness = models.PositiveSmallIntegerField("how useful was the session (1-5)")
    comments = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The session's date, kept beside each feedback (as `Attendance.session_date` is) so that an
    # organisation's feedback of a window is read by its index, not every feedback ever given:
    # set from the session when the feedback is first saved, moved with the session by
    # whatever moves it (sessions_app.services, imports.sessions); not a change of what the
    # supervisee said, so not in its history.
    session_date = models.DateField(editable=False)
    # And the session's supervisor, kept the same way (only a re-import hands a session to
    # another supervisor: imports.sessions moves it), so that a supervisor's feedback received
    # lately is read by the index on (supervisor, updated_at): read through the sessions they
    # led, it was every session they ever led, or the organisation's fortnight of feedback.
    session_supervisor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )

    history = recorded_history(excluded_fields=["session_date", "session_supervisor"])

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "person"], name="feedback_once"),
            models.CheckConstraint(
                condition=Q(usefulness__gte=1) & Q(usefulness__lte=5),
                name="feedback_usefulness_1_to_5",
            ),
        ]
        indexes = [
            # The supervisor's home lists the feedback given or changed in the last two weeks
            # on sessions they led (attention.feedback_received): theirs, by this index.
            models.Index(
                fields=["session_supervisor", "updated_at"], name="feedback_supervisor_updated"
            ),
            models.Index(fields=["session_date"], name="feedback_session_date"),
            # A team's or a page of teams' people's feedback of a window (their balances'
            # "reported dominant" and the feedback summary): each one's by this index (the
            # person's and the date's apart, ANDed, read the whole window's dates: 4.6 to 3.0
            # ms for a page of ten teams at the national tier).
            models.Index(fields=["person", "session_date"], name="feedback_person_date"),
        ]

    def __str__(self):
        return f"Feedback from {self.person}"

    def save(self, *args, **kwargs):
        if self.session_date is None:
            self.session_date = self.session.date
        if self.session_supervisor_id is None:
            self.session_supervisor_id = self.session.supervisor_id
        super().save(*args, **kwargs)


class Addendum(models.Model):
    """A correction or addition to a record after it was signed off."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name_plural = "addenda"

    def __str__(self):
        return f"Addendum by {self.author}"


class ReadPlace(models.TextChoices):
    RECORD_PAGE = "record", "Record page"
    ADMIN = "admin", "Admin: session"
    ADMIN_HISTORY = "admin_history", "Admin: session history"
    ADMIN_DELETE = "admin_delete", "Admin: delete page"


class AccessLog(models.Model):
    """A read of a record by someone who is not a party to it (SessionAccess.is_logged)."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="record_views")
    # The log outlives a session removed in admin: who read what stays on record.
    session = models.ForeignKey(
        Session, null=True, on_delete=models.SET_NULL, related_name="access_log"
    )
    session_label = models.CharField("session", max_length=300, blank=True)
    viewed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    place = models.CharField(
        max_length=20, choices=ReadPlace.choices, default=ReadPlace.RECORD_PAGE
    )

    class Meta:
        ordering = ["-viewed_at"]

    def __str__(self):
        return f"{self.user} read {self.session_label} ({self.get_place_display()})"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", "Session due soon"
    OVERDUE = "overdue", "Supervision overdue"
    ACTION_OVERDUE = "action_overdue", "Action past its due date"


class ReminderSent(models.Model):
    """One row per reminder sent, so that a daily run never sends the same one twice."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="reminders_sent")
    kind = models.CharField(max_length=20, choices=ReminderKind.choices)
    subject_key = models.CharField(max_length=100)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "kind", "subject_key"], name="reminder_sent_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} to {self.person} ({self.subject_key})"


# The columns of a person's sums of minutes (`sessions_app.kept`), one fixed order: twelfths of
# a minute per function, the tagged and short-circuit minutes, the sessions held, the minutes
# per stage and per stakeholder, and the minutes with no stage recorded.
MONTH_SUM_COLUMNS = (
    *(f"twelfths_{key}" for key in FUNCTIONS),
    "tagged",
    "short_circuit",
    "sessions_held",
    *(f"stage_{key}" for key in STAGES),
    *(f"stakeholder_{key}" for key in STAKEHOLDERS),
    "no_stage",
)


class KeptSums(models.Model):
    """The sums kept of some held sessions' present attendances (MONTH_SUM_COLUMNS): exact
    integers, the same sums `audit.selectors` makes live (`sessions_app.kept`)."""

    twelfths_management = models.IntegerField(default=0)
    twelfths_development = models.IntegerField(default=0)
    twelfths_support = models.IntegerField(default=0)
    twelfths_mediation = models.IntegerField(default=0)
    tagged = models.IntegerField(default=0)
    short_circuit = models.IntegerField(default=0)
    sessions_held = models.IntegerField(default=0)
    stage_experience = models.IntegerField(default=0)
    stage_reflection = models.IntegerField(default=0)
    stage_analysis = models.IntegerField(default=0)
    stage_plans_actions = models.IntegerField(default=0)
    stakeholder_supervisee = models.IntegerField(default=0)
    stakeholder_people = models.IntegerField(default=0)
    stakeholder_organisation = models.IntegerField(default=0)
    stakeholder_partners = models.IntegerField(default=0)
    no_stage = models.IntegerField(default=0)

    class Meta:
        abstract = True


class MonthMinutes(KeptSums):
    """One person's exact minutes in one calendar month's held sessions of one format, kept.

    A sum, not a record: written by `sessions_app.kept` in the same transaction as every change
    to the sessions, attendances and items it sums (services, imports, retention, the demo's
    seeding), so that a page of a whole organisation's year reads a row per person and month
    instead of every item of the year. It always equals the live sum (tests/sessions_app/
    test_kept.py proves it after each kind of write); `manage.py keep_minutes` rebuilds it.
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    format = models.CharField(max_length=20, choices=Format.choices)

    class Meta:
        verbose_name_plural = "month minutes"
        constraints = [
            models.UniqueConstraint(
                fields=["person", "month", "format"], name="month_minutes_once"
            ),
        ]
        indexes = [models.Index(fields=["month", "person"], name="month_minutes_by_month")]

    def __str__(self):
        return f"{self.person_id} in {self.month:%B %Y} ({self.format})"


class DayMinutes(KeptSums):
    """The whole organisation's exact minutes on one day's held sessions of one format: every
    present attendee's, added up (`sessions_held` counts attendances, as a month of
    many people's does). Kept as `MonthMinutes` is, by `sessions_app.kept` in the same
    transaction as every write it sums, so that the organisation page reads a row per day
    instead of every person's months (a national body's 37,500 people); always equal to the
    live sum (tests/sessions_app/test_kept.py)."""

    day = models.DateField()
    format = models.CharField(max_length=20, choices=Format.choices)

    class Meta:
        verbose_name_plural = "day minutes"
        constraints = [models.UniqueConstraint(fields=["day", "format"], name="day_minutes_once")]

    def __str__(self):
        return f"{self.day:%d %B %Y} ({self.format})"


# What `MonthSessions` counts of a supervisor's sessions: all of them (scheduled, whatever
# their status), those cancelled by either side and rescheduled, and the moved ones (the three
# statuses) by who moved them: the supervisor, someone else, or no one recorded.
SESSION_COUNT_COLUMNS = (
    "scheduled",
    "cancelled_by_supervisor",
    "cancelled_by_supervisee",
    "rescheduled",
    "moved_by_supervisor",
    "moved_by_others",
    "moved_unrecorded",
)


class MonthSessions(models.Model):
    """One supervisor's sessions of one calendar month and format, counted by status and by who
    moved them (SESSION_COUNT_COLUMNS): kept, as `MonthMinutes` is, by `sessions_app.kept` in
    the same transaction as every write of a session (booked, recorded, corrected, cancelled,
    rescheduled, removed, imported), so that the organisation's cancellation rates read a row
    per supervisor and month instead of every session of the window (a national body's year:
    600,000). Always equal to the live count (tests/sessions_app/test_kept.py)."""

    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The first day of the month.")
    format = models.CharField(max_length=20, choices=Format.choices)
    scheduled = models.IntegerField(default=0)
    cancelled_by_supervisor = models.IntegerField(default=0)
    cancelled_by_supervisee = models.IntegerField(default=0)
    rescheduled = models.IntegerField(default=0)
    moved_by_supervisor = models.IntegerField(default=0)
    moved_by_others = models.IntegerField(default=0)
    moved_unrecorded = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "month sessions"
        constraints = [
            models.UniqueConstraint(
                fields=["supervisor", "month", "format"], name="month_sessions_once"
            ),
        ]
        indexes = [models.Index(fields=["month", "supervisor"], name="month_sessions_by_month")]

    def __str__(self):
        return f"{self.supervisor_id}'s sessions in {self.month:%B %Y} ({self.format})"


class DayChecks(models.Model):
    """The organisation's held sessions of one day, format, length and day shared (none:
    not shared), counted, with how many had actions to review and how many left some
    unreviewed (`BroughtForward`): what its audit checks count (`audit.selectors.compliance`),
    whatever the policy's shortest session and deadline. Kept by `sessions_app.brought_forward`
    in the same transaction as every write that changes it (a session held, moved, changed,
    shared, withdrawn or removed; what it inherited worked out again), so that the
    organisation's checks read a few rows a day instead of every held session of the window
    (a national body's year: 570,000). Always equal to the live count
    (tests/sessions_app/test_brought_forward.py)."""

    day = models.DateField()
    format = models.CharField(max_length=20, choices=Format.choices)
    duration_minutes = models.PositiveIntegerField()
    shared_on = models.DateField(null=True, blank=True)
    held = models.IntegerField(default=0)
    to_review = models.IntegerField(default=0)
    unreviewed = models.IntegerField(default=0)

    class Meta:
        verbose_name_plural = "day checks"
        indexes = [models.Index(fields=["day"], name="day_checks_by_day")]

    def __str__(self):
        return f"{self.held} held on {self.day:%d %B %Y} ({self.format})"


class BroughtForward(models.Model):
    """What a held session inherited from the one before it, kept: its previous session (the
    supervisor's last held session before its date that shares an attendee with it, DOMAIN.md),
    whether that session's actions needed review in it, and whether it left some unreviewed.

    A figure, not a record: written by `sessions_app.brought_forward` in the same transaction
    as every write that can change it (sessions, their attendees and dates, actions, reviews),
    so that compliance over a whole organisation's year counts rows instead of working out
    every session's previous session per request. It always equals the live computation
    (tests/sessions_app/test_brought_forward.py); `manage.py keep_minutes` rebuilds it too.
    """

    session = models.OneToOneField(
        Session, on_delete=models.CASCADE, primary_key=True, related_name="brought_forward"
    )
    previous = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_review = models.BooleanField(default=False)
    unreviewed = models.BooleanField(default=False)
    # The session's date, beside its row: a window's rows are found by it (the index), not by
    # joining every row of the history to the window's sessions.
    date = models.DateField(db_index=True)

    class Meta:
        verbose_name_plural = "brought forward"

    def __str__(self):
        return f"{self.session_id} after {self.previous_id}"
