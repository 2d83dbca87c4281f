"""Every dashboard table as CSV: the same numbers as the page, rounded once, the same way.

Shares are decimals from 0 to 1, at most 4 places, and minutes at most 2 places, written as
`balance_report` writes them (its balance columns are reused as they are); the page shows the
same shares as percentages with at most 2 places, so 0.6989 in a file is 69.89% on the page.
Columns named `share_*` or `*_share`/`*_rate` hold such decimals. A cell is empty where the
page says "no data" (nothing to divide by).
"""

from audit.management.commands.balance_report import CSV_COLUMNS, csv_row
from core.numbers import number_text, round_half_away, round_minutes, round_share
from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS

from .balance import FLAG_CODES


def share_cell(value) -> str:
    return "" if value is None else number_text(round_share(value))


def score_cell(value) -> str:
    """A mean score (usefulness), 2 decimals at most; empty when there is none."""
    return "" if value is None else number_text(round_half_away(value, 2))


def minutes_cell(value) -> str:
    return number_text(round_minutes(value))


def day_cell(value) -> str:
    return "" if value is None else value.isoformat()


def _minutes_and_shares(minutes):
    """Each function's minutes, then each function's share, of a `core.tally.Minutes`."""
    shares = minutes.shares
    return [
        *(minutes_cell(minutes.by_function[key]) for key in FUNCTIONS),
        *(share_cell(None if shares is None else shares[key]) for key in FUNCTIONS),
    ]


MINUTES_AND_SHARES = [
    *(f"minutes_{key}" for key in FUNCTIONS),
    *(f"share_{key}" for key in FUNCTIONS),
]

# The reflective cycle and the stakeholders: coverage minutes (balance_report's names), and the
# minutes of items with no stage recorded.
COVERAGE = [
    *(f"stage_minutes_{key}" for key in STAGES),
    "no_stage_minutes",
    *(f"stakeholder_minutes_{key}" for key in STAKEHOLDERS),
]


def _coverage_cells(minutes):
    return [
        *(minutes_cell(minutes.by_stage[key]) for key in STAGES),
        minutes_cell(minutes.no_stage),
        *(minutes_cell(minutes.by_stakeholder[key]) for key in STAKEHOLDERS),
    ]


def coverage_table(rows):
    """`rows` are (scope label, Minutes): each scope's cycle and stakeholders."""
    header = ["scope", "tagged_minutes", "short_circuit_minutes", *COVERAGE]
    body = [
        [
            label,
            minutes_cell(m.tagged),
            minutes_cell(m.short_circuit),
            *_coverage_cells(m),
        ]
        for label, m in rows
    ]
    return header, body


# Balances, one row a person: balance_report's columns, with a name and the reasons in words.

BALANCE_HEADER = ["name", *CSV_COLUMNS, "no_stage_minutes", "flag_reasons"]


def balance_row(balance) -> list:
    reasons = " | ".join(f"{flag.as_text()}: {reason}" for flag, reason in balance.reasons())
    return [balance.name, *csv_row(balance), minutes_cell(balance.minutes.no_stage), reasons]


def balance_table(balances, extra_header=(), extra=None):
    """`extra(balance)` adds cells after the balance columns (e.g. last and next session)."""
    header = [*BALANCE_HEADER, *extra_header]
    rows = [[*balance_row(b), *(extra(b) if extra else ())] for b in balances]
    return header, rows


def flags_table(balances):
    header = ["supervisee", "name", "flag", "function", "reason"]
    rows = [
        [b.supervisee, b.name, flag.code, flag.function or "", reason]
        for b in balances
        for flag, reason in b.reasons()
    ]
    return header, rows


# Sums over several people or months.

TOTALS_HEADER = [
    "scope",
    "from",
    "to",
    "people",
    "sessions_held",
    "tagged_minutes",
    *MINUTES_AND_SHARES,
    "short_circuit_minutes",
    *(f"people_flagged_{code}" for code in FLAG_CODES),
    *COVERAGE,
]


def totals_row(label, totals) -> list:
    minutes = totals.minutes
    return [
        label,
        day_cell(totals.start),
        day_cell(totals.end),
        totals.people,
        minutes.sessions_held,
        minutes_cell(minutes.tagged),
        *_minutes_and_shares(minutes),
        minutes_cell(minutes.short_circuit),
        *(totals.flag_counts.get(code, 0) for code in FLAG_CODES),
        *_coverage_cells(minutes),
    ]


def trend_table(months):
    header = [
        "from",
        "to",
        "sessions_held",
        "tagged_minutes",
        *MINUTES_AND_SHARES,
        "short_circuit_minutes",
        *COVERAGE,
    ]
    rows = [
        [
            day_cell(m.start),
            day_cell(m.end),
            m.minutes.sessions_held,
            minutes_cell(m.minutes.tagged),
            *_minutes_and_shares(m.minutes),
            minutes_cell(m.minutes.short_circuit),
            *_coverage_cells(m.minutes),
        ]
        for m in months
    ]
    return header, rows


def supervisors_table(breakdown):
    header = [
        "supervisor",
        "name",
        "sessions_held",
        "tagged_minutes",
        *MINUTES_AND_SHARES,
        *COVERAGE,
    ]
    rows = [
        [
            part.supervisor,
            part.name,
            part.minutes.sessions_held,
            minutes_cell(part.minutes.tagged),
            *_minutes_and_shares(part.minutes),
            *_coverage_cells(part.minutes),
        ]
        for part in breakdown
    ]
    return header, rows


def feedback_table(perceived):
    header = [
        "function",
        "recorded_share",
        "said_too_little",
        "said_about_right",
        "said_too_much",
        "said_it_dominated",
        "wanted_more_of_it",
    ]
    rows = [
        [
            row["key"],
            share_cell(row["share"]),
            row["too_little"],
            row["about_right"],
            row["too_much"],
            row["dominated"],
            row["wants_more"],
        ]
        for row in perceived
    ]
    return header, rows


def focus_table(follow_ups):
    header = [
        "supervisee",
        "supervisor",
        "agreed_on",
        "functions",
        "before_from",
        "before_to",
        "before_tagged_minutes",
        "before_share",
        "after_from",
        "after_to",
        "after_tagged_minutes",
        "after_share",
        "result",
    ]
    rows = []
    for f in follow_ups:
        relationship = f.agreement.relationship
        after = f.after
        rows.append(
            [
                relationship.supervisee.email,
                relationship.supervisor.email,
                day_cell(f.agreement.agreed_on),
                ";".join(f.functions),
                day_cell(f.before.start),
                day_cell(f.before.end),
                minutes_cell(f.before.minutes.tagged),
                share_cell(f.before_share),
                day_cell(after.start if after else f.agreement.agreed_on),
                day_cell(after.end if after else None),
                minutes_cell(after.minutes.tagged) if after else "",
                share_cell(f.after_share),
                focus_result(f),
            ]
        )
    return header, rows


def focus_result(follow_up) -> str:
    """The follow-up in words, as the page says it."""
    if follow_up.too_early:
        return "too early to tell"
    if follow_up.before_share is None:
        return "no tagged minutes before"
    change = follow_up.change
    if change > 0:
        return "up"
    if change < 0:
        return "down"
    return "no change"


def overdue_table(overdue):
    header = [
        "supervisee",
        "name",
        "supervisor",
        "supervisor_name",
        "last_one_to_one",
        "gap_days",
        "expected_interval_days",
        "days_over",
    ]
    rows = [
        [
            row["balance"].supervisee,
            row["balance"].name,
            row["gap"].supervisor,
            row["gap"].supervisor_name,
            day_cell(row["gap"].last_held),
            row["gap"].gap_days,
            row["gap"].interval_days,
            row["gap"].days_over,
        ]
        for row in overdue
    ]
    return header, rows


def cancellations_table(rates):
    header = [
        "supervisor",
        "name",
        "scheduled",
        "cancelled_by_supervisor",
        "cancellation_rate",
        "cancelled_by_supervisee",
        "rescheduled",
        "moved_by_the_supervisor",
        "moved_by_someone_else",
        "moved_by_not_recorded",
    ]
    rows = [
        [
            r.supervisor,
            r.name,
            r.scheduled,
            r.cancelled_by_supervisor,
            share_cell(r.rate),
            r.cancelled_by_supervisee,
            r.rescheduled,
            r.moved_by_supervisor,
            r.moved_by_others,
            r.moved_unrecorded,
        ]
        for r in rates
    ]
    return header, rows


def compliance_table(checks):
    header = ["check", "count", "of", "share"]
    rows = [[c["code"], c["count"], c["of"], share_cell(c["share"])] for c in checks]
    return header, rows


def cycle_table(grid):
    """Each person's months (`audit.views._cycle_grid`): the stages their discussions covered."""
    header = [
        "supervisee",
        "name",
        "from",
        "to",
        "tagged_minutes",
        "short_circuit_minutes",
        *(f"stage_minutes_{key}" for key in STAGES),
        "no_stage_minutes",
    ]
    rows = [
        [
            row["email"],
            row["name"],
            day_cell(month.start),
            day_cell(month.end),
            minutes_cell(month.minutes.tagged),
            minutes_cell(month.minutes.short_circuit),
            *(minutes_cell(month.minutes.by_stage[key]) for key in STAGES),
            minutes_cell(month.minutes.no_stage),
        ]
        for row in grid
        for month in row["months"]
    ]
    return header, rows


def feedback_months_table(months):
    """What was said month by month (`audit.selectors.feedback_months`)."""
    header = [
        "from",
        "to",
        "feedbacks",
        "usefulness_mean",
        *(f"said_{key}_dominated" for key in FUNCTIONS),
        *(f"wanted_more_{key}" for key in FUNCTIONS),
    ]
    rows = [
        [
            day_cell(first),
            day_cell(last),
            summary.feedbacks,
            score_cell(summary.usefulness_mean),
            *(summary.dominated[key] for key in FUNCTIONS),
            *(summary.wants_more[key] for key in FUNCTIONS),
        ]
        for first, last, summary in months
    ]
    return header, rows


def led_table(led):
    """A supervisor's sessions led, per format (`audit.views._led_rows`)."""
    header = ["sessions", "sessions_held", "tagged_minutes", *MINUTES_AND_SHARES, *COVERAGE]
    rows = [
        [
            row["key"],
            row["minutes"].sessions_held,
            minutes_cell(row["minutes"].tagged),
            *_minutes_and_shares(row["minutes"]),
            *_coverage_cells(row["minutes"]),
        ]
        for row in led
    ]
    return header, rows


def regularity_table(regularity):
    header = [
        "supervisee",
        "name",
        "kind",
        "frequency",
        "one_to_ones_in_window",
        "last_counted_session",
        "gap_days",
        "expected_interval_days",
        "days_over",
    ]
    rows = [
        [
            r.relationship.supervisee.email,
            r.relationship.supervisee.name,
            r.relationship.kind,
            r.relationship.frequency,
            r.one_to_ones,
            day_cell(r.gap.last_held),
            r.gap.gap_days,
            r.gap.interval_days,
            r.gap.days_over,
        ]
        for r in regularity
    ]
    return header, rows
