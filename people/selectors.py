"""Reads about people and relationships that several views share."""

from django.db.models import Q

from .models import Relationship, Team, User


def session_candidates(supervisor, day, *, including=()):
    """People a supervisor may put in a session: current supervisees and team colleagues.

    `including`: people already in the session, kept even if they have since moved on.
    """
    supervisee_ids = (
        Relationship.objects.filter(supervisor=supervisor).active_on(day).values("supervisee")
    )
    managed_team_ids = Team.objects.filter(managers=supervisor).values("pk")
    allowed = Q(pk__in=supervisee_ids) | Q(team__in=managed_team_ids)
    if supervisor.team_id:
        allowed |= Q(team_id=supervisor.team_id)
    return User.objects.filter((allowed & Q(is_active=True)) | Q(pk__in=list(including))).order_by(
        "name", "email"
    )
