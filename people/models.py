"""People, teams and supervision relationships, and how regular their supervision must be."""

from dataclasses import dataclass
from datetime import date, timedelta

from axes.models import AccessAttempt
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from core import clock
from core.names import display_name
from core.vocabulary import FUNCTION_LABELS, FUNCTIONS


def normalise_email(email):
    """Emails are compared case-insensitively and written in lower case (DOMAIN.md)."""
    return (email or "").strip().lower()


class UserQuerySet(models.QuerySet):
    def with_email(self, email):
        return self.filter(email=normalise_email(email))


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def get_by_natural_key(self, email):
        return self.get(email=normalise_email(email))

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("A person needs an email address")
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField("email address", unique=True)
    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        "Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    start_date_in_post = models.DateField(
        null=True,
        blank=True,
        help_text="When the practitioner started in post; "
        "the newly-qualified schedule counts from it.",
    )
    reminder_emails = models.BooleanField(
        default=True, help_text="Send reminder emails about due sessions and actions."
    )
    is_staff = models.BooleanField(
        "administrator",
        default=False,
        help_text="Administrators manage teams, people, relationships and the audit policy.",
    )
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="user_email_lower_case"),
        ]

    def __str__(self):
        return display_name(self.name, self.email)

    def clean(self):
        super().clean()
        self.email = normalise_email(self.email)

    def get_full_name(self):
        return self.name

    def get_short_name(self):
        return self.name.split(" ")[0] if self.name else self.email


class Team(models.Model):
    name = models.CharField(max_length=200, unique=True)
    managers = models.ManyToManyField(User, blank=True, related_name="managed_teams")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="team_name_case_insensitive_unique"),
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(models.QuerySet):
    def active_between(self, start, end):
        """Memberships covering at least one day of [start, end] (an open start: always was)."""
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=end)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )


class TeamMembership(models.Model):
    """A person's membership of a team, with dates, so that past windows show the teams of the
    time. `User.team` is the current team; `people.services.team_membership_move` keeps both.

    A person with no membership rows (set up before memberships were dated) belongs to
    `User.team` on every day (`people.selectors.team_members_between`).
    """

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    start_date = models.DateField(
        null=True, blank=True, help_text="The first day in the team; empty: since records began."
    )
    end_date = models.DateField(
        null=True, blank=True, help_text="The last day in the team; empty: still a member."
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["person", "start_date"]
        verbose_name = "team membership"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="membership_ends_after_start",
            ),
        ]

    def __str__(self):
        since = f" from {self.start_date}" if self.start_date else ""
        until = f" to {self.end_date}" if self.end_date else ""
        return f"{self.person} in {self.team}{since}{until}"


class Kind(models.TextChoices):
    LINE = "line", "Line"
    PRACTICE = "practice", "Practice / clinical"
    EXTERNAL = "external", "External"


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"
    SIX_WEEKLY = "six_weekly", "Six-weekly"
    NEWLY_QUALIFIED = "newly_qualified", "Newly-qualified schedule"


FIXED_INTERVAL_DAYS = {
    Frequency.WEEKLY: 7,
    Frequency.FORTNIGHTLY: 14,
    Frequency.MONTHLY: 31,
    Frequency.SIX_WEEKLY: 42,
}


# Regularity: the one overdue rule (DOMAIN.md, "Flags"). The audit flags, the home page's next
# due date and the reminders all ask `Relationship.gap_to` (or `supervision_gap`), nothing else.


def interval_days(frequency, practitioner_start, day):
    """Expected days between one-to-one sessions, measured on `day` (DOMAIN.md).

    The newly-qualified schedule is weekly while `day` is less than six weeks (42 days) after
    the practitioner's start date in post, at least fortnightly until six months (183 days),
    then monthly.
    """
    if frequency != Frequency.NEWLY_QUALIFIED:
        return FIXED_INTERVAL_DAYS[frequency]
    d = (day - practitioner_start).days
    if d < 42:
        return 7
    if d < 183:
        return 14
    return 31


def measuring_end(window_end, relationship_end):
    """The day a relationship's gap is measured to: the window's end, or its own earlier end."""
    if relationship_end is not None and relationship_end < window_end:
        return relationship_end
    return window_end


@dataclass(frozen=True)
class SupervisionGap:
    """One relationship's gap to its measuring end, and the interval it expects.

    `last_held` is the last held session that counts (a one-to-one between the pair, or a group
    the supervisee attended when `group_counts`), on or after the relationship's start and on
    or before `measuring_end`; None when there is none, and the gap counts from the start.
    """

    supervisor: str
    supervisor_name: str
    relationship_start: date
    measuring_end: date
    last_held: date | None
    interval_days: int
    group_counts: bool = False

    @property
    def counted_from(self) -> date:
        return self.last_held or self.relationship_start

    @property
    def gap_days(self) -> int:
        return (self.measuring_end - self.counted_from).days

    @property
    def overdue(self) -> bool:
        # Strictly greater: a gap equal to the interval is on time.
        return self.gap_days > self.interval_days

    @property
    def days_over(self) -> int:
        """How many days past the interval the gap is; 0 when it is not overdue."""
        return max(0, self.gap_days - self.interval_days)

    @property
    def next_due(self) -> date:
        """The last day a session can be held without the gap exceeding the interval."""
        return self.counted_from + timedelta(days=self.interval_days)


def supervision_gap(
    *,
    window_end,
    relationship_start,
    relationship_end,
    frequency,
    start_in_post,
    last_held,
    supervisor="",
    supervisor_name="",
    group_counts=False,
) -> SupervisionGap:
    """DOMAIN.md's overdue rule for one relationship, as plain values.

    `last_held` must already be the last counted session on or after `relationship_start` and
    on or before the measuring end (`sessions_app.selectors.with_last_held` finds it in SQL);
    a date outside that range is refused rather than silently giving another answer.
    `start_in_post` is the practitioner's start date in post (the newly-qualified schedule
    counts from it, whoever supervises them); None falls back to the relationship's start.
    """
    end = measuring_end(window_end, relationship_end)
    if end < relationship_start:
        raise ValueError(f"the relationship starts ({relationship_start}) after {end}")
    if last_held is not None and not relationship_start <= last_held <= end:
        raise ValueError(
            f"the last held session ({last_held}) is outside the relationship's "
            f"{relationship_start}..{end}"
        )
    return SupervisionGap(
        supervisor=supervisor,
        supervisor_name=supervisor_name,
        relationship_start=relationship_start,
        measuring_end=end,
        last_held=last_held,
        interval_days=interval_days(frequency, start_in_post or relationship_start, end),
        group_counts=group_counts,
    )


# Whether a held group session the supervisee attended counts toward each of their
# relationships' gaps. The audit policy says so, one layer up: `audit` registers how to read it
# when the apps are ready (AuditConfig.ready), so that the home page and the reminders
# (sessions_app, which may not import audit) follow the same policy as the audit flags.
_group_counts_source = None


def set_group_counts_source(source):
    """Register a callable answering "do group sessions count for regularity?"."""
    global _group_counts_source
    _group_counts_source = source


def group_sessions_count() -> bool:
    """The answer of the registered source; False (one-to-ones only) when there is none."""
    return bool(_group_counts_source()) if _group_counts_source is not None else False


# The audit policy's settings that the record's access rules need (how long feedback stays
# open, who sees it). Like the group-sessions setting above, `audit` registers the reader.


class FeedbackVisibility(models.TextChoices):
    COUNTS = (
        "counts",
        "The supervisor reads it; line managers and administrators see answers as counts",
    )
    PAIR_ONLY = (
        "pair_only",
        "Between supervisee and supervisor only; others see how many were given",
    )


@dataclass(frozen=True)
class PolicyDefaults:
    """The policy's defaults, for when no source is registered (audit not installed)."""

    feedback_open_days: int = 14
    feedback_visibility: str = FeedbackVisibility.COUNTS
    group_counts_for_regularity: bool = False


_policy_source = None


def set_policy_source(source):
    """Register a callable returning the policy in force (anything with its attributes)."""
    global _policy_source
    _policy_source = source


def policy_in_force():
    """The audit policy in force, or its defaults when no source is registered."""
    return _policy_source() if _policy_source is not None else PolicyDefaults()


class RelationshipQuerySet(models.QuerySet):
    def active_between(self, start, end):
        """Relationships active on at least one day of [start, end]."""
        return self.filter(start_date__lte=end).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=start)
        )

    def active_on(self, day):
        return self.active_between(day, day)


class Relationship(models.Model):
    """A supervision relationship: who supervises whom, how often, under what agreement."""

    supervisor = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="supervisee_relationships"
    )
    supervisee = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="supervisor_relationships"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LINE)
    frequency = models.CharField(
        max_length=20, choices=Frequency.choices, default=Frequency.MONTHLY
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    agreement = models.TextField(
        blank=True,
        help_text="The supervision agreement; supervisor and supervisee can both read it.",
    )

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["supervisee__name", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(supervisor=models.F("supervisee")),
                name="relationship_not_with_self",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="relationship_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["supervisor", "supervisee", "kind", "start_date"],
                name="relationship_unique_start",
            ),
        ]

    def __str__(self):
        return f"{self.supervisor} supervises {self.supervisee} ({self.get_kind_display().lower()})"

    def interval_on(self, day):
        start = self.supervisee.start_date_in_post or self.start_date
        return interval_days(self.frequency, start, day)

    def gap_to(self, window_end, last_held, *, group_counts=False) -> SupervisionGap:
        """This relationship's gap to `window_end` (or its own earlier end): DOMAIN.md's rule.

        `last_held` as `sessions_app.selectors.with_last_held` annotates it for `window_end`
        (with the same `group_counts`). Reads the supervisor and supervisee: select them.
        """
        values = (  # GAP_VALUES, read from the instance
            self.start_date,
            self.end_date,
            self.frequency,
            self.supervisee.start_date_in_post,
            self.supervisor.email,
            self.supervisor.name,
        )
        return gap_of(values, window_end, last_held, group_counts=group_counts)


# What a relationship's gap reads, as paths from the relationship: a page of many
# relationships reads them with `values_list(*GAP_VALUES)` rather than as model instances.
GAP_VALUES = (
    "start_date",
    "end_date",
    "frequency",
    "supervisee__start_date_in_post",
    "supervisor__email",
    "supervisor__name",
)


def gap_of(values, window_end, last_held, *, group_counts=False) -> SupervisionGap:
    """`supervision_gap` of a relationship given as its `GAP_VALUES`, in that order."""
    start, end, frequency, start_in_post, supervisor, supervisor_name = values
    return supervision_gap(
        window_end=window_end,
        relationship_start=start,
        relationship_end=end,
        frequency=frequency,
        start_in_post=start_in_post,
        last_held=last_held,
        supervisor=supervisor,
        supervisor_name=supervisor_name,
        group_counts=group_counts,
    )


class FocusAgreement(models.Model):
    """The function(s) a supervisor and supervisee agree to give more attention, from a date."""

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="focus_agreements"
    )
    management = models.BooleanField(default=False)
    development = models.BooleanField(default=False)
    support = models.BooleanField(default=False)
    mediation = models.BooleanField(default=False)
    agreed_on = models.DateField()
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-agreed_on", "-pk"]
        get_latest_by = ["agreed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(management=True)
                | Q(development=True)
                | Q(support=True)
                | Q(mediation=True),
                name="focus_has_a_function",
            ),
        ]

    def __str__(self):
        return f"Focus on {', '.join(self.functions)} from {self.agreed_on}"

    @property
    def functions(self):
        return [key for key in FUNCTIONS if getattr(self, key)]

    @property
    def function_labels(self):
        return [FUNCTION_LABELS[key] for key in self.functions]


class RequestKind(models.TextChoices):
    DOMINATING = "dominating", "A function is starting to dominate"
    WANT_MORE = "want_more", "I would like more attention on a function"


class RequestAnswer(models.TextChoices):
    ACCEPTED = "accepted", "Agreed: the proposed focus is our focus from today"
    DISCUSS = "discuss", "Let us talk about it at our next session"
    NOTED = "noted", "Noted, without changing our focus"


class FocusRequest(models.Model):
    """The supervisee's voice, at any time (the seed's final reflections): "giving permission
    to share with you if they feel that any of the functions start to dominate", and asking for
    more of one. The supervisor answers; an accepted proposal becomes a `FocusAgreement`.
    """

    relationship = models.ForeignKey(
        Relationship, on_delete=models.CASCADE, related_name="focus_requests"
    )
    kind = models.CharField(max_length=20, choices=RequestKind.choices)
    function = models.CharField(max_length=20, choices=list(FUNCTION_LABELS.items()))
    propose_management = models.BooleanField("management", default=False)
    propose_development = models.BooleanField("development", default=False)
    propose_support = models.BooleanField("support", default=False)
    propose_mediation = models.BooleanField("mediation", default=False)
    message = models.TextField(blank=True)
    raised_at = models.DateTimeField(default=clock.now)
    answer = models.CharField(max_length=20, choices=RequestAnswer.choices, blank=True)
    answer_text = models.TextField(blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    focus_agreement = models.OneToOneField(
        FocusAgreement,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="request",
    )

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = "focus request from a supervisee"
        constraints = [
            models.CheckConstraint(
                condition=(Q(answer="") & Q(answered_at__isnull=True))
                | (~Q(answer="") & Q(answered_at__isnull=False)),
                name="focus_request_answered_with_a_date",
            ),
            models.CheckConstraint(
                condition=Q(focus_agreement__isnull=True) | Q(answer="accepted"),
                name="focus_request_agreement_only_when_accepted",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.function}"

    @property
    def proposed(self):
        """The functions proposed as the new focus (empty: no proposal)."""
        return [key for key in FUNCTIONS if getattr(self, f"propose_{key}")]

    @property
    def proposed_labels(self):
        return [FUNCTION_LABELS[key] for key in self.proposed]

    @property
    def function_label(self):
        return FUNCTION_LABELS.get(self.function, self.function)

    @property
    def is_open(self):
        return not self.answer


class SecurityEvent(models.Model):
    """One line of the security log: a sign-in, a failure, a lockout, an unlock, a change to
    two-step sign-in or to a password. Written by `people.security`, read-only in admin."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", "Signed in"
        SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
        LOCKED_OUT = "locked_out", "Locked out"
        UNLOCKED = "unlocked", "Unlocked"
        SIGN_OUT = "sign_out", "Signed out"
        MFA_ADDED = "mfa_added", "Two-step sign-in added"
        MFA_REMOVED = "mfa_removed", "Two-step sign-in removed"
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", "Recovery codes renewed"
        RECOVERY_CODE_USED = "recovery_code_used", "Recovery code used"
        MFA_FAILED = "mfa_failed", "Two-step code refused"
        PASSWORD_CHANGED = "password_changed", "Password changed"

    at = models.DateTimeField(default=clock.now, db_index=True)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="security_events"
    )
    email = models.CharField(
        max_length=254, blank=True, help_text="The email the sign-in was tried with, if any."
    )
    ip_address = models.GenericIPAddressField("address", null=True, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The administrator who did it, when it was not the person themselves.",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "security log entry"
        verbose_name_plural = "security log"

    def __str__(self):
        who = self.email or (self.user.email if self.user else "")
        return f"{self.get_kind_display()} {who}".strip()


class FailedSignIn(AccessAttempt):
    """django-axes's count of failed sign-ins, one row per account, address and browser, as
    administrators see it in admin (people.admin), where they unlock."""

    class Meta:
        proxy = True
        verbose_name = "failed sign-in"
        verbose_name_plural = "failed sign-ins and lockouts"
