"""Writes about people and relationships."""

from datetime import date

from django.db import transaction

from .models import FocusAgreement, Relationship


@transaction.atomic
def focus_agree(
    *, relationship: Relationship, functions: list[str], agreed_on: date, notes: str, by
) -> FocusAgreement:
    """Record a new focus; earlier ones stay, so what changed afterwards can be shown."""
    return FocusAgreement.objects.create(
        relationship=relationship,
        agreed_on=agreed_on,
        notes=notes,
        created_by=by,
        **{key: key in functions for key in ("management", "development", "support", "mediation")},
    )
