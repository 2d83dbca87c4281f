"""People, teams and supervision relationships."""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

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
        return self.name or self.email

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


def interval_days(frequency, practitioner_start, day):
    """Expected days between one-to-one sessions on `day` (DOMAIN.md).

    The newly-qualified schedule is weekly for six weeks after the practitioner's start date,
    at least fortnightly until six months, then monthly.
    """
    if frequency != Frequency.NEWLY_QUALIFIED:
        return FIXED_INTERVAL_DAYS[frequency]
    d = (day - practitioner_start).days
    if d < 42:
        return 7
    if d < 183:
        return 14
    return 31


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

    def gap_on(self, day, last_held):
        """Days from the last held one-to-one (or the relationship's start) to `day`."""
        return (day - (last_held or self.start_date)).days

    def next_due(self, last_held, today):
        base = last_held or self.start_date
        return base + timedelta(days=self.interval_on(today))

    def is_overdue_on(self, day, last_held):
        return self.gap_on(day, last_held) > self.interval_on(day)


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
