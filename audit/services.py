"""Writes of the audit app."""

from datetime import date

from django.db import transaction

from sessions_app.access import Refused, may_write_self_assessment

from .models import SelfAssessment


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
