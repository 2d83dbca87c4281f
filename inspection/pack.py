"""The inspection pack's figures for a team or the organisation and a window.

Gathered with the audit selectors (the same numbers as the dashboards) and written by the
audit table writers (`audit.tables`) for the CSV bundle, so a figure in the pack is the figure
on the page. Only counts, minutes, shares, dates, names and flag reasons: never an item's
title or notes, an action, a comment, an addendum or anything marked confidential.
"""

from dataclasses import dataclass
from datetime import date
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Q, Sum

from audit import selectors
from audit.balance import Balance, Compliance, Reliability, Totals, totals_of
from audit.models import AuditPolicy
from core.numbers import ratio
from core.vocabulary import FUNCTION_LABELS, FUNCTIONS
from people.access import people_visible_to, teams_visible_to
from people.models import Team
from sessions_app.access import feedback_led_by_for_flags, feedback_private
from sessions_app.models import Rating


@dataclass(frozen=True)
class FeedbackCounts:
    """What the supervisees in scope said about held sessions in the window, as counts."""

    feedbacks: int
    usefulness: Fraction | None
    ratings: dict
    dominated: dict
    wants_more: dict


@dataclass(frozen=True)
class TeamTotals:
    name: str
    totals: Totals


@dataclass(frozen=True)
class Pack:
    organisation: str
    scope: str
    team: Team | None
    start: date
    end: date
    produced_on: date
    produced_by: str
    policy: AuditPolicy
    balances: list[Balance]
    totals: Totals
    team_totals: list[TeamTotals]
    trend: list
    compliance: Compliance
    checks: list[dict]
    overdue: list[dict]
    rates: list[Reliability]
    feedback: FeedbackCounts
    perceived: list[dict]
    # False when the audit policy keeps feedback between supervisee and supervisor: the pack
    # then says only how many feedbacks were given (sessions_app.access.feedback_private).
    feedback_detail: bool = True

    @property
    def flagged(self) -> list[Balance]:
        return [balance for balance in self.balances if balance.flags]

    @property
    def flag_reasons(self) -> list[dict]:
        return [
            {"balance": balance, "flag": flag, "reason": reason}
            for balance in self.balances
            for flag, reason in balance.reasons()
        ]

    @property
    def slug(self) -> str:
        scope = f"team-{self.team.pk}" if self.team else "organisation"
        return f"fourfold-inspection-{scope}-{self.start.isoformat()}-{self.end.isoformat()}"


def feedback_counts(people, start: date, end: date) -> FeedbackCounts:
    """Feedback on held sessions in [start, end] by `people` (ids), counted, by the audit's
    rule (`audit.selectors.feedback_in_window`: from those present at the session). One query.

    Only the answers' counts: a feedback's comments never leave here.
    """
    counts = {
        f"{key}__{rating}": Count("pk", filter=Q(**{key: rating}))
        for key in FUNCTIONS
        for rating in Rating.values
    }
    counts.update({f"dominated__{key}": Count("pk", filter=Q(dominated=key)) for key in FUNCTIONS})
    counts.update({f"wants__{key}": Count("pk", filter=Q(wants_more=key)) for key in FUNCTIONS})
    row = selectors.feedback_in_window(start, end, people=people).aggregate(
        feedbacks=Count("pk"), usefulness_total=Sum("usefulness"), **counts
    )
    return FeedbackCounts(
        feedbacks=row["feedbacks"],
        # The mean usefulness (1-5), exact: rounded once, when it is printed.
        usefulness=ratio(row["usefulness_total"] or 0, row["feedbacks"]),
        ratings={
            key: {rating: row[f"{key}__{rating}"] for rating in Rating.values} for key in FUNCTIONS
        },
        dominated={key: row[f"dominated__{key}"] for key in FUNCTIONS},
        wants_more={key: row[f"wants__{key}"] for key in FUNCTIONS},
    )


def compliance_rows(figures: Compliance, policy) -> list[dict]:
    """The three checks in words (as the dashboards word them), with count, base and share."""
    return [
        {
            "code": "short_one_to_ones",
            "label": f"One-to-ones shorter than {policy.min_session_minutes} minutes",
            "count": figures.short_one_to_ones,
            "of": figures.one_to_ones_held,
            "of_words": "held one-to-ones",
            "share": figures.short_share,
        },
        {
            "code": "records_not_shared_in_time",
            "label": f"Records not shared within {policy.share_deadline_days} days of the session",
            "count": figures.records_late,
            "of": figures.records_due,
            "of_words": "records due",
            "share": figures.late_share,
        },
        {
            "code": "open_actions_not_reviewed",
            "label": "Sessions whose open actions from the previous session were not reviewed",
            "count": figures.sessions_with_unreviewed_actions,
            "of": figures.sessions_with_actions_to_review,
            "of_words": "sessions with actions to review",
            "share": figures.unreviewed_share,
        },
    ]


def _perceived(totals: Totals, feedback: FeedbackCounts) -> list[dict]:
    shares = totals.minutes.shares
    return [
        {
            "key": key,
            "label": FUNCTION_LABELS[key],
            "share": None if shares is None else shares[key],
            "too_little": feedback.ratings[key][Rating.TOO_LITTLE],
            "about_right": feedback.ratings[key][Rating.ABOUT_RIGHT],
            "too_much": feedback.ratings[key][Rating.TOO_MUCH],
            "dominated": feedback.dominated[key],
            "wants_more": feedback.wants_more[key],
        }
        for key in FUNCTIONS
    ]


def _overdue(balances):
    rows = [{"balance": b, "gap": gap} for b in balances for gap in b.overdue_gaps]
    return sorted(rows, key=lambda row: (-row["gap"].days_over, row["balance"].supervisee))


def build_pack(*, user, team: Team | None, start: date, end: date, today: date) -> Pack:
    """The pack of `team` (None: the organisation) for [start, end], as `user` may see it.

    The caller has already checked that `user` may have it (`inspection.views`).
    """
    policy = AuditPolicy.current()
    scope = selectors.supervisees_in_window(start, end, team=team).filter(
        pk__in=people_visible_to(user).values("pk")
    )
    index = list(scope.order_by().values_list("pk", "email", "team_id"))
    pks = [pk for pk, _email, _team in index]
    team_of = {email: team_id for _pk, email, team_id in index}
    detail = not feedback_private()
    sums = selectors.window_sums(pks, start, end)
    balances = selectors.balances_of(
        pks,
        start,
        end,
        policy=policy,
        feedback_led_by=feedback_led_by_for_flags(user),
        minutes=sums.by_person,
    )
    totals = totals_of(balances, start=start, end=end)
    trend = sums.months
    sessions = selectors.team_sessions(team) if team is not None else None
    figures = selectors.compliance(start, end, sessions=sessions, policy=policy, as_of=today)
    rates = selectors.cancellation_rates(start, end, sessions=sessions)
    feedback = feedback_counts(pks, start, end)

    team_totals = []
    if team is None:
        by_team = {}
        for balance in balances:
            by_team.setdefault(team_of[balance.supervisee], []).append(balance)
        for each in teams_visible_to(user).order_by("name"):
            team_totals.append(
                TeamTotals(each.name, totals_of(by_team.get(each.pk, []), start=start, end=end))
            )
        if None in by_team:
            team_totals.append(
                TeamTotals("No team", totals_of(by_team[None], start=start, end=end))
            )

    return Pack(
        organisation=settings.ORGANISATION_NAME,
        scope=team.name if team is not None else "Whole organisation",
        team=team,
        start=start,
        end=end,
        produced_on=today,
        produced_by=str(user),
        policy=policy,
        balances=balances,
        totals=totals,
        team_totals=team_totals,
        trend=trend,
        compliance=figures,
        checks=compliance_rows(figures, policy),
        overdue=_overdue(balances),
        rates=rates,
        feedback=feedback,
        perceived=_perceived(totals, feedback) if detail else [],
        feedback_detail=detail,
    )
