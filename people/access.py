"""Who holds the organisation's roles, and whose balance and which teams a user may see.

The one place these are decided (the session-level rules, built on these, are in
`sessions_app.access`). DOMAIN.md: a supervisee sees only their own balance; a supervisor the
balance of their own supervisees; a manager the dashboards of their teams; an administrator
everything. Another person's balance is a 404, indistinguishable from one that does not exist.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from core.clock import today
from core.db import among
from core.prepared import Prepared

from .models import FeedbackVisibility, FocusRequest, Relationship, Team, User, policy_in_force


def is_administrator(user) -> bool:
    """Administrators set up teams, people, relationships and the audit policy (DOMAIN.md)."""
    return bool(user.is_authenticated and user.is_staff)


def managed_team_ids(user) -> frozenset[int]:
    """The teams `user` manages (one query, then kept on the user for the request).

    Nearly every request asks (the roles in the navigation, the session lists' scope), so the
    query is written as SQL on the managers' table: through the ORM it took about 0.25 ms to
    build for a lookup the database answers from its index in a few microseconds. Only quoted
    table and column names go into the SQL; the user is a parameter.
    """
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_fourfold_managed_team_ids", None)
    if cached is None:
        managers = Team.managers.through._meta
        q = connection.ops.quote_name
        sql = (
            f"SELECT {q(managers.get_field('team').column)} FROM {q(managers.db_table)}"  # noqa: S608
            f" WHERE {q(managers.get_field('user').column)} = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [user.pk])
            cached = frozenset(team_id for (team_id,) in cursor.fetchall())
        user._fourfold_managed_team_ids = cached
    return cached


def is_manager(user) -> bool:
    """Manages at least one team."""
    return bool(managed_team_ids(user))


# A query built once and run for anyone (`core.prepared`) is built for a stand-in reader: the
# querysets below read of a user their id, whether they are an administrator and the teams they
# manage, nothing else; these three are its arguments, so that each reader's rows are the ones
# the same querysets find for them.


def reader_facts(user) -> tuple[int, bool, list[int] | None]:
    """What the access policy's querysets read of `user`: their id, whether they are an
    administrator, and the teams they manage (None for an administrator, whose querysets never
    read them, and for someone who manages none)."""
    administrator = is_administrator(user)
    teams = None if administrator else sorted(managed_team_ids(user)) or None
    return user.pk, administrator, teams


def reader(pk, administrator=False, teams=None) -> User:
    """A signed-in user as the access policy's querysets read them (`reader_facts`): for
    building a query only, never saved, never a request's user."""
    user = User(pk=pk, is_staff=administrator)
    user._fourfold_managed_team_ids = teams if teams is not None else frozenset()
    return user


class for_readers(Prepared):  # noqa: N801 - called as a function is, and named as one
    """`rows(user, *values)`, a queryset of what `user` may see (this module's or
    `sessions_app.access`'s), as a query built once per kind of reader (administrator, manager,
    anyone else) for a stand-in reader (`reader`), then run for each real one with their facts
    (`reader_facts`) and the values. Their id and teams may go unread: an administrator's
    querysets read neither, most others no teams; `unread`: the values (by position) which
    some reader's queryset does not read either (the day, for an administrator's)."""

    def __init__(self, rows, *, unread=(), **options):
        self.rows = rows
        name = getattr(rows, "__qualname__", repr(rows))
        optional = (0, 2, *(3 + position for position in unread))
        super().__init__(self._build, optional=optional, name=name, **options)

    def _build(self, pk, administrator, teams, *values):
        return self.rows(reader(pk, administrator, teams), *values)

    def __call__(self, user, *values):
        return super().__call__(*reader_facts(user), *values)


def teams_visible_to(user):
    """The teams whose dashboards `user` may see: the ones they manage; every team for staff."""
    if not user.is_authenticated:
        return Team.objects.none()
    if is_administrator(user):
        return Team.objects.all()
    return Team.objects.filter(managers=user)


def _sees_everyone(user) -> bool:
    """Staff may see everyone's balance (`people_visible_to`, `visible_among`)."""
    return is_administrator(user)


def people_visible_to(user, day=None):
    """Everyone whose balance `user` may see.

    Themselves; their current supervisees (relationships active today, or on `day`: a query
    built once takes the day as an argument); the members of the teams they manage; everyone
    for staff. Written with subqueries, not joins, so that nobody is listed twice.
    """
    if not user.is_authenticated:
        return User.objects.none()
    if _sees_everyone(user):
        return User.objects.all()
    supervisees = Relationship.objects.filter(supervisor=user).active_on(day or today())
    condition = Q(pk=user.pk) | Q(pk__in=supervisees.values("supervisee"))
    teams = managed_team_ids(user)
    if teams:
        condition |= among("team_id", teams)
    return User.objects.filter(condition)


def visible_among(people, user, day=None):
    """`people` (a queryset of users) limited to those `user` may see (`people_visible_to`).
    Staff see everyone, so theirs is `people` as it is: as a subquery of everyone, the
    organisation page joined all 61,000 people of a national body to the window's in each of
    its queries (15-20 ms each)."""
    if user.is_authenticated and _sees_everyone(user):
        return people
    return people.filter(pk__in=people_visible_to(user, day).values("pk"))


def get_person_for_balance(user, pk):
    """A person whose balance `user` may see, or 404."""
    return get_object_or_404(people_visible_to(user), pk=pk)


def get_team_for_user(user, pk):
    """A team whose dashboard `user` may see, or 404 (also for an id that is not a number)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such team") from None
    return get_object_or_404(teams_visible_to(user), pk=pk)


# Supervision relationships.


def get_relationship_for_read(user, pk):
    """A relationship the user is part of (supervisor or supervisee), or 404."""
    return get_object_or_404(
        Relationship.objects.filter(Q(supervisor=user) | Q(supervisee=user)).select_related(
            "supervisor", "supervisee"
        ),
        pk=pk,
    )


def require_focus_setter(user, relationship) -> None:
    """The supervisor records the focus both agreed; the supervisee reads it (403)."""
    if relationship.supervisor_id != user.pk:
        raise PermissionDenied("Your supervisor records the focus you agree together.")


# The supervisee's voice: a focus request, raised at any time, answered by the supervisor.


def get_relationship_for_request(user, pk):
    """A relationship active today in which `user` is the supervisee, or 404: they raise a
    request with a supervisor they have now."""
    return get_object_or_404(
        Relationship.objects.filter(supervisee=user)
        .active_on(today())
        .select_related("supervisor", "supervisee"),
        pk=pk,
    )


def get_focus_request_for_answer(user, pk):
    """A request raised with `user` (the relationship's supervisor), or 404; one already
    answered is refused with the reason (403)."""
    request = get_object_or_404(
        FocusRequest.objects.filter(relationship__supervisor=user).select_related(
            "relationship__supervisor", "relationship__supervisee", "answered_by"
        ),
        pk=pk,
    )
    if not request.is_open:
        raise PermissionDenied(
            f"You answered this on {request.answered_at:%-d %B %Y}; each request is answered once."
        )
    return request


def focus_request_audience(relationship) -> str:
    """Who reads a focus request, in words: the supervisor alone reads it; what their managers
    and administrators see follows the audit policy's `feedback_visibility`."""
    supervisor = relationship.supervisor
    if policy_in_force().feedback_visibility == FeedbackVisibility.PAIR_ONLY:
        others = "only how many requests were raised and answered"
    else:
        others = "how many requests were raised and answered, and which functions they were about"
    return (
        f"{supervisor} reads what you write here and answers it; you read the answer. "
        f"{supervisor}'s team managers and administrators see {others}, on "
        f"{supervisor}'s supervision audit page: never your words or your name."
    )
