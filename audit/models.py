"""The audit policy: the thresholds every balance figure and flag is measured against."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

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
    updated_at = models.DateTimeField(auto_now=True)

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
                & Q(short_circuit_threshold__lte=1),
                name="audit_policy_thresholds_are_shares",
            ),
            models.CheckConstraint(
                condition=Q(min_sessions__gte=1), name="audit_policy_min_sessions"
            ),
        ]

    def __str__(self):
        return "Audit policy"

    @classmethod
    def current(cls):
        policy = cls.objects.order_by("pk").first()
        if policy is None:
            policy = cls.objects.create()
        return policy


def group_counts_for_regularity() -> bool:
    """The policy in force on group sessions and regularity; off when no policy is saved yet.

    Read without creating the policy row, so that a dry run of the reminders writes nothing.
    """
    value = (
        AuditPolicy.objects.order_by("pk")
        .values_list("group_counts_for_regularity", flat=True)
        .first()
    )
    return bool(value)
