"""What an API token may read: the organisation, or one team (docs/api.md).

A team token reads that team's members, the relationships in which they are supervised, the
sessions a member attended or led (as the team dashboard counts them: audit.selectors), and
the balances of the team's supervisees. Another team's people, sessions and balances are
absent from its lists and a 404 by id. The supervisor of a member's relationship or session
is named even when in another team, as the team's manager sees on the dashboard.

Only metadata leaves: never an item's title, notes or case reference, an action, a
cancellation reason, an agreement, a focus note, feedback or acknowledgement comments, or
an addendum. The querysets below select no such column.
"""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from audit import selectors
from people.models import Relationship, Team, User
from sessions_app.access import feedback_private
from sessions_app.models import Attendance, Item, Session

from .models import ApiToken


def _per_session(model, aggregate):
    """One number per session from its items or attendances, as a subquery (no join fan-out)."""
    rows = (
        model.objects.filter(session=OuterRef("pk"))
        .order_by()
        .values("session")
        .annotate(value=aggregate)
        .values("value")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class Scope:
    team: Team | None

    @classmethod
    def of(cls, token: ApiToken) -> "Scope":
        return cls(team=token.team)

    @property
    def team_ids(self) -> list[int] | None:
        """The teams in scope, or None for every team."""
        return None if self.team is None else [self.team.pk]

    def teams(self):
        teams = Team.objects.order_by("name", "pk")
        return teams if self.team is None else teams.filter(pk=self.team.pk)

    def people(self):
        people = User.objects.select_related("team").order_by("email")
        if self.team is not None:
            people = people.filter(team=self.team)
        managed = Team.objects.order_by("pk").only("pk")
        if self.team is not None:
            managed = managed.filter(pk=self.team.pk)
        return people.prefetch_related(Prefetch("managed_teams", queryset=managed))

    def relationships(self):
        relationships = Relationship.objects.select_related("supervisor", "supervisee").order_by(
            "pk"
        )
        if self.team is not None:
            relationships = relationships.filter(supervisee__team=self.team)
        return relationships.only(
            "pk",
            "kind",
            "frequency",
            "start_date",
            "end_date",
            "supervisor__id",
            "supervisor__email",
            "supervisor__name",
            "supervisee__id",
            "supervisee__email",
            "supervisee__name",
        )

    def sessions(self):
        sessions = Session.objects.all()
        if self.team is not None:
            sessions = sessions.filter(pk__in=selectors.team_sessions(self.team).values("pk"))
        attendances = Attendance.objects.select_related("person").order_by("person__email")
        if self.team is not None:
            attendances = attendances.filter(person__team=self.team)
        return (
            sessions.select_related("supervisor")
            .only(
                "pk",
                "date",
                "start_time",
                "format",
                "group_type",
                "mode",
                "status",
                "duration_minutes",
                "record_state",
                "shared_at",
                "signed_off_at",
                "supervisor__id",
                "supervisor__email",
                "supervisor__name",
            )
            .annotate(
                item_count=_per_session(Item, Count("pk")),
                tagged_minutes=_per_session(Item, Sum("minutes")),
                attendee_count=_per_session(Attendance, Count("pk")),
                attendees_present=_per_session(Attendance, Count("pk", filter=Q(present=True))),
            )
            .prefetch_related(Prefetch("attendances", queryset=attendances, to_attr="in_scope"))
            .order_by("-date", "-pk")
        )

    def balances(self, start, end):
        """balance_report's balances (`--all`, or `--team` for a team token), with what a
        supervisee said dominated left out as balance_report leaves it out when the audit
        policy keeps feedback between supervisee and supervisor."""
        return selectors.balances(
            start, end, team=self.team, reported_feedback=not feedback_private()
        )
