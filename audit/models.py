"""The audit policy: the thresholds every balance figure and flag is measured against."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from core.history import recorded_history
from core.memo import forget, remembered
from core.prepared import Prepared
from core.vocabulary import FUNCTION_CHOICES, FUNCTION_LABELS
from people.models import FeedbackVisibility

SHARE_VALIDATORS = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))]


class AuditPolicy(models.Model):
    """One row: the policy in force. Changing it changes every figure at once."""

    dominance_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.50"),
        validators=SHARE_VALIDATORS,
        help_text="Flag management as dominant when its share is above this (0-1).",
    )
    neglect_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.10"),
        validators=SHARE_VALIDATORS,
        help_text="Flag a function as neglected when its share is below this (0-1).",
    )
    short_circuit_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.50"),
        validators=SHARE_VALIDATORS,
        help_text="Flag a short-circuited reflective cycle when short-circuit minutes / tagged "
        "minutes is above this (0-1).",
    )
    min_sessions = models.PositiveIntegerField(
        default=2,
        validators=[MinValueValidator(1)],
        help_text="Sessions held in the window before share-based flags are raised.",
    )
    min_session_minutes = models.PositiveIntegerField(
        "minimum one-to-one length (minutes)",
        default=90,
        validators=[MinValueValidator(1)],
    )
    share_deadline_days = models.PositiveIntegerField(
        "record-sharing deadline (days after the session)", default=7
    )
    group_counts_for_regularity = models.BooleanField(
        "group sessions count for regularity",
        default=False,
        help_text="Count a held group session a supervisee attended as a supervision session "
        "for each of their relationships when judging whether supervision is overdue (for teams "
        "that use group supervision on its own). Off: only one-to-ones with the supervisor count.",
    )
    stakeholder_threshold = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        default=Decimal("0"),
        validators=SHARE_VALIDATORS,
        help_text="Flag that people who draw on care and support are absent when the minutes "
        "tagged with them are fewer than this times the tagged minutes (0-1; 0 is off, 0.10 is "
        "a sensible value).",
    )
    feedback_open_days = models.PositiveIntegerField(
        "days feedback stays open after sign-off",
        default=14,
        help_text="A supervisee can give or change their feedback on a record until this many "
        "days after it was signed off (0: until the day it is signed off).",
    )
    feedback_visibility = models.CharField(
        "who sees supervisee feedback",
        max_length=20,
        choices=FeedbackVisibility.choices,
        default=FeedbackVisibility.COUNTS,
        help_text="Every feedback form tells the supervisee exactly what this setting means.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    # Who changed a threshold, and when: every figure follows the policy, so its changes are kept.
    history = recorded_history()

    class Meta:
        verbose_name = "audit policy"
        verbose_name_plural = "audit policy"
        constraints = [
            models.CheckConstraint(
                condition=Q(dominance_threshold__gte=0)
                & Q(dominance_threshold__lte=1)
                & Q(neglect_threshold__gte=0)
                & Q(neglect_threshold__lte=1)
                & Q(short_circuit_threshold__gte=0)
                & Q(short_circuit_threshold__lte=1)
                & Q(stakeholder_threshold__gte=0)
                & Q(stakeholder_threshold__lte=1),
                name="audit_policy_thresholds_are_shares",
            ),
            models.CheckConstraint(
                condition=Q(min_sessions__gte=1), name="audit_policy_min_sessions"
            ),
        ]

    def __str__(self):
        return "Audit policy"

    # A change is seen at once, in the same request too (`core.memo`).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        forget(POLICY_MEMO)

    def delete(self, *args, **kwargs):
        forget(POLICY_MEMO)
        return super().delete(*args, **kwargs)

    @classmethod
    def _saved(cls):
        """The saved policy as a new instance each time (a caller may change its copy), or
        None; the row is read once per request (`core.memo`)."""
        rows = remembered(POLICY_MEMO, _POLICY_ROW)
        return cls.from_db(cls.objects.db, _policy_fields(), rows[0]) if rows else None

    @classmethod
    def current(cls):
        policy = cls._saved()
        if policy is None:
            policy = cls.objects.create()
        return policy

    @classmethod
    def in_force(cls):
        """The policy in force, read without creating it (an unsaved default when none is)."""
        return cls._saved() or cls()


POLICY_MEMO = "audit.policy"


def _policy_fields():
    return [field.attname for field in AuditPolicy._meta.concrete_fields]


# Read on nearly every page: built once (`core.prepared`).
_POLICY_ROW = Prepared(
    lambda: AuditPolicy.objects.order_by("pk").values_list(*_policy_fields())[:1],
    name="AuditPolicy._saved",
)


def group_counts_for_regularity() -> bool:
    """The policy in force on group sessions and regularity; off when no policy is saved yet.

    Read without creating the policy row, so that a dry run of the reminders writes nothing.
    """
    policy = AuditPolicy._saved()
    return bool(policy and policy.group_counts_for_regularity)


class SelfAssessment(models.Model):
    """A supervisor's reflection on their own supervision, dated, so they see change over time.

    The questions are the seed's (Maglajlić 2020): which function they focus on most, which it
    would be useful to pay more attention to, the tensions between the functions and how they
    might manage them, and the support they might need.
    """

    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="self_assessments"
    )
    written_on = models.DateField()
    focus_most = models.CharField(
        "Which of the four functions do you focus on most in supervision?",
        max_length=20,
        choices=FUNCTION_CHOICES,
    )
    more_attention = models.CharField(
        "Which would it be useful to pay more attention to?",
        max_length=20,
        choices=FUNCTION_CHOICES,
    )
    tensions = models.TextField(
        "Are you aware of any tensions between the functions when you meet your supervisees? "
        "How might you manage them?",
        blank=True,
    )
    support_needed = models.TextField(
        "What support might you need to help you do this?", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-written_on", "-pk"]

    def __str__(self):
        return f"Self-assessment of {self.supervisor} on {self.written_on}"

    @property
    def focus_most_label(self):
        return FUNCTION_LABELS.get(self.focus_most, self.focus_most)

    @property
    def more_attention_label(self):
        return FUNCTION_LABELS.get(self.more_attention, self.more_attention)
