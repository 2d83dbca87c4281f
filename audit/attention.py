"""People flagged or overdue in the teams a manager manages: their home page's "needs your
attention" (`sessions_app.attention`, a layer below, asks through the source registered in
`AuditConfig.ready`)."""

from datetime import timedelta

from django.db.models import OuterRef

from core.db import ExistsEach, among
from core.names import display_name
from core.prepared import Prepared
from people.access import is_administrator, managed_team_ids, people_visible_to, reader
from people.models import User
from sessions_app.access import feedback_led_by_for_flags
from sessions_app.attention import TeamAttention

from . import selectors
from .balance import SUPERVISION_OVERDUE
from .forms import DEFAULT_WINDOW, WINDOW_DAYS
from .models import AuditPolicy
from .templatetags.audit_tags import flag_label


def _in_teams(pk, administrator, teams, start, day):
    """The people supervised in [start, day] in `teams` whom their manager (`pk`) may see, but
    not the manager: (pk, email, name, team name)."""
    manager = reader(pk, administrator, teams)
    # `supervisees_in_window` among the people of the teams, each person asked whether they
    # are supervised and whether the manager may see them (by the index of each): as subqueries
    # of everyone, PostgreSQL read the whole people table and every relationship of the window
    # (3,370 and 1,764 at a council; ten times as many nationally) on every manager's home.
    supervised = selectors.supervised_between(start, day).filter(supervisee=OuterRef("pk"))
    visible = people_visible_to(manager, day).filter(pk=OuterRef("pk"))
    return (
        User.objects.filter(among("team_id", teams), ExistsEach(supervised), ExistsEach(visible))
        .exclude(pk=pk)
        .values_list("pk", "email", "name", "team__name")
    )


# Read on every manager's home: built once (`core.prepared`); the manager's teams are read
# for an administrator too (whose people the policy does not limit by them). Each person's
# e-mail and name (what their balance is listed by) and team's name come with them: a query
# each fewer.
_IN_TEAMS = Prepared(_in_teams)


def team_attention(user, day) -> list[TeamAttention]:
    """Everyone supervised in the default window who is in a team `user` manages now and has a
    flag: a fixed number of queries, whatever the number of teams or people."""
    teams = sorted(managed_team_ids(user))
    if not teams:
        return []
    start = day - timedelta(days=WINDOW_DAYS[DEFAULT_WINDOW] - 1)
    found = _IN_TEAMS(user.pk, is_administrator(user), teams, start, day)
    if not found:
        return []
    team_of = {pk: team for pk, _email, _name, team in found}
    by_email = {email.lower(): pk for pk, email, _name, _team in found}
    balances = selectors.balances_of(
        list(team_of),
        start,
        day,
        policy=AuditPolicy.current(),
        feedback_led_by=feedback_led_by_for_flags(user),
        persons=[(pk, email, name) for pk, email, name, _team in found],
    )
    rows = []
    for balance in balances:
        if not balance.flags:
            continue
        pk = by_email[balance.supervisee]
        rows.append(
            TeamAttention(
                pk=pk,
                name=display_name(balance.name, balance.supervisee),
                team=team_of[pk],
                flags=tuple(flag_label(flag) for flag in balance.flags),
                overdue=any(flag.code == SUPERVISION_OVERDUE for flag in balance.flags),
            )
        )
    # The overdue first (a person waiting for supervision), then by name.
    rows.sort(key=lambda row: (not row.overdue, row.name.lower()))
    return rows
