"""Writes of the audit app."""

from datetime import date

from django.db import transaction

from people.access import is_administrator
from sessions_app.access import Refused, may_write_self_assessment

from .models import AuditPolicy, SelfAssessment

POLICY_FIELDS = (
    "dominance_threshold",
    "neglect_threshold",
    "short_circuit_threshold",
    "stakeholder_threshold",
    "min_sessions",
    "min_session_minutes",
    "share_deadline_days",
    "group_counts_for_regularity",
    "feedback_open_days",
    "feedback_visibility",
)


@transaction.atomic
def policy_update(*, by, values: dict) -> AuditPolicy:
    """An administrator changes the audit policy; every figure follows at once, history keeps
    who changed it and when. Thresholds are shares, 0-1 (the form converts percentages)."""
    if not is_administrator(by):
        raise Refused("Only an administrator changes the audit policy.")
    policy = AuditPolicy.current()
    policy = AuditPolicy.objects.select_for_update().get(pk=policy.pk)
    for name in POLICY_FIELDS:
        if name in values:
            setattr(policy, name, values[name])
    policy.full_clean()
    policy._history_user = by
    policy.save()
    return policy


@transaction.atomic
def self_assessment_add(
    *,
    supervisor,
    by,
    written_on: date,
    focus_most: str,
    more_attention: str,
    tensions: str = "",
    support_needed: str = "",
) -> SelfAssessment:
    """A supervisor's new dated self-assessment; earlier ones stay, so change shows."""
    if not may_write_self_assessment(by, supervisor):
        raise Refused("Only the supervisor writes their own self-assessment.")
    return SelfAssessment.objects.create(
        supervisor=supervisor,
        written_on=written_on,
        focus_most=focus_most,
        more_attention=more_attention,
        tensions=tensions.strip(),
        support_needed=support_needed.strip(),
    )
