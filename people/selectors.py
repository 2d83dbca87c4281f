"""Reads about people and relationships that several views share."""

from django.db.models import Exists, OuterRef, Q

from core.db import among

from .models import Relationship, Team, TeamMembership, User


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


def current_supervisees(supervisor, day, *, including=()):
    """The people `supervisor` supervises on `day` (a one-to-one's possible supervisees), and
    `including`: a session's supervisee already recorded, kept even if they have moved on.
    Never a colleague or a line manager: only the people in a relationship they lead."""
    supervisee_ids = (
        Relationship.objects.filter(supervisor=supervisor).active_on(day).values("supervisee")
    )
    return (
        User.objects.filter(Q(pk__in=supervisee_ids, is_active=True) | Q(pk__in=list(including)))
        .exclude(pk=supervisor.pk)
        .order_by("name", "email")
    )


# Dated team membership: past windows show the teams of the time.


def _no_membership_history():
    return ~Exists(TeamMembership.objects.filter(person=OuterRef("pk")))


def team_members_between(team, start, end):
    """People who were members of `team` (a team, or a list of teams' ids: of any of them) on
    at least one day of [start, end].

    By their dated memberships (`TeamMembership`); someone with none (set up before memberships
    were dated) belongs to their current team (`User.team`) on every day.
    """
    teams = {"team_id__in": team} if isinstance(team, list) else {"team": team}
    dated = TeamMembership.objects.active_between(start, end).filter(**teams).values("person")
    undated = User.objects.filter(_no_membership_history(), **teams).values("pk")
    # One list of ids, a UNION: with an OR of the two, PostgreSQL read every user in the
    # organisation to test each against both (76 ms for a team of 15 among 61,000 people).
    return User.objects.filter(pk__in=dated.union(undated))


def in_no_team_between(start, end):
    """People who were in no team on any day of [start, end], by the same rule: dated
    memberships, none of them in the window; or none dated and no current team. Those whose
    `teams_between` is empty."""
    in_window = TeamMembership.objects.active_between(start, end).filter(person=OuterRef("pk"))
    # No membership in the window (an anti-join), and then either some membership on other days
    # or no current team. As a UNION of the two kinds, PostgreSQL looked for one such supervisee
    # by building the union again for each person in the window (56 s at the national tier).
    return User.objects.filter(~Exists(in_window)).filter(
        Q(team__isnull=True) | ~_no_membership_history()
    )


def teams_between(people_ids, start, end, *, current=None) -> dict[int, set[int]]:
    """Each person's teams on the days of [start, end] (one or more if they moved; none if
    they were in no team), by the same rule. Two queries, whatever the number of people; one
    when the caller has read each one's current team already (`current`: {person id: team
    id or None}, for every one of them)."""
    people_ids = list(people_ids)
    teams = {pk: set() for pk in people_ids}
    with_history = set()
    for person_id, team_id, start_date, end_date in TeamMembership.objects.filter(
        among("person_id", people_ids)
    ).values_list("person_id", "team_id", "start_date", "end_date"):
        with_history.add(person_id)
        if (start_date is None or start_date <= end) and (end_date is None or end_date >= start):
            teams[person_id].add(team_id)
    if current is None:
        current = User.objects.filter(among("pk", people_ids)).values_list("pk", "team_id")
    else:
        current = [(pk, current[pk]) for pk in people_ids]
    for pk, team_id in current:
        if pk not in with_history and team_id is not None:
            teams[pk].add(team_id)
    return teams
