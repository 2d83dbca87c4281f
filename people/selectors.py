"""Reads about people and relationships that several views share."""

from django.db.models import DateField, OuterRef, Q, Subquery

from sessions_app.models import Attendance, Format, Status

from .models import Relationship, Team, User


def _one_to_one_attendance_of_pair():
    """Attendances of the outer relationship's supervisee at its supervisor's one-to-ones."""
    return Attendance.objects.filter(
        person=OuterRef("supervisee"),
        session__supervisor=OuterRef("supervisor"),
        session__format=Format.ONE_TO_ONE,
    )


def with_last_held(relationships, on_or_before):
    """Annotate `last_held`: the date of the last held one-to-one between the pair.

    Only sessions led by the relationship's supervisor count toward its gap (a cover or
    external supervisor's session counts toward balance, not toward the gap).
    """
    last = (
        _one_to_one_attendance_of_pair()
        .filter(session__status=Status.HELD, session__date__lte=on_or_before)
        .order_by("-session__date")
        .values("session__date")
    )
    return relationships.annotate(last_held=Subquery(last[:1], output_field=DateField()))


def with_next_planned(relationships, on_or_after):
    """Annotate `next_planned`: the next planned one-to-one between the pair, if any."""
    nxt = (
        _one_to_one_attendance_of_pair()
        .filter(session__status=Status.PLANNED, session__date__gte=on_or_after)
        .order_by("session__date")
        .values("session__date")
    )
    return relationships.annotate(next_planned=Subquery(nxt[:1], output_field=DateField()))


def supervisee_relationships(supervisor, day):
    """The supervisor's active relationships, each with its last and next session and focus."""
    qs = (
        Relationship.objects.filter(supervisor=supervisor)
        .active_on(day)
        .select_related("supervisee")
        .prefetch_related("focus_agreements")
        .order_by("supervisee__name", "kind")
    )
    return with_next_planned(with_last_held(qs, day), day)


def supervisor_relationships(supervisee, day):
    """A supervisee's active relationships: who supervises them, how often, when next."""
    qs = (
        Relationship.objects.filter(supervisee=supervisee)
        .active_on(day)
        .select_related("supervisor", "supervisee")
        .prefetch_related("focus_agreements")
        .order_by("kind", "supervisor__name")
    )
    return with_next_planned(with_last_held(qs, day), day)


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
