"""The four-function balance and the audit figures, as pure arithmetic (DOMAIN.md).

Plain values in, frozen dataclasses out: nothing here touches the database, so every rule can be
tested exhaustively without one. `audit.selectors` gathers the numbers with SQL aggregates and
hands them to these functions.

Arithmetic is exact: minutes are `Fraction`s in `core.tally.Minutes` (an item of `m` minutes and
`k` functions gives each function `m / k`, a third of a minute included), thresholds are compared
unrounded, and a number is rounded only when it is printed, once, half away from zero.

Whether supervision is overdue is `people.models.supervision_gap`'s rule; a balance only holds
each relationship's gap (anything with that shape) and raises the flag when one is overdue.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction
from math import lcm
from typing import TYPE_CHECKING

from core.dates import day_text
from core.names import display_name
from core.numbers import minutes_text, percent_text, ratio, round_minutes, round_share
from core.tally import Minutes
from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS

if TYPE_CHECKING:
    from people.models import SupervisionGap

MANAGEMENT_DOMINANT = "management_dominant"
FUNCTION_NEGLECTED = "function_neglected"
REFLECTIVE_SHORT_CIRCUIT = "reflective_short_circuit"
SUPERVISION_OVERDUE = "supervision_overdue"
SUPERVISEE_REPORTED_DOMINANCE = "supervisee_reported_dominance"
STAKEHOLDER_ABSENT = "stakeholder_absent"

FLAG_CODES = (
    FUNCTION_NEGLECTED,
    MANAGEMENT_DOMINANT,
    REFLECTIVE_SHORT_CIRCUIT,
    STAKEHOLDER_ABSENT,
    SUPERVISEE_REPORTED_DOMINANCE,
    SUPERVISION_OVERDUE,
)

# The stakeholder whose absence is flagged (INTERFACES.md): people who draw on care and support.
ABSENT_STAKEHOLDER = "people"

# Inputs.


@dataclass(frozen=True)
class Thresholds:
    """The audit policy's numbers, exact. Build with `from_policy` or `from_values`."""

    dominance: Fraction = Fraction(1, 2)
    neglect: Fraction = Fraction(1, 10)
    short_circuit: Fraction = Fraction(1, 2)
    min_sessions: int = 2
    # 0 is off: no minutes can be fewer than none (INTERFACES.md's default).
    stakeholder: Fraction = Fraction(0)

    @classmethod
    def from_values(
        cls, *, dominance, neglect, short_circuit, min_sessions, stakeholder=0
    ) -> Thresholds:
        # Fraction(Decimal("0.1")) is exactly 1/10; a float would not be, so refuse floats.
        for value in (dominance, neglect, short_circuit, stakeholder):
            if isinstance(value, float):
                raise TypeError("thresholds must be Decimal, Fraction, int or str, not float")
        return cls(
            dominance=Fraction(dominance),
            neglect=Fraction(neglect),
            short_circuit=Fraction(short_circuit),
            min_sessions=int(min_sessions),
            stakeholder=Fraction(stakeholder),
        )

    @classmethod
    def from_policy(cls, policy) -> Thresholds:
        """From anything with the `AuditPolicy` attributes (duck-typed: no model import)."""
        return cls.from_values(
            dominance=policy.dominance_threshold,
            neglect=policy.neglect_threshold,
            short_circuit=policy.short_circuit_threshold,
            min_sessions=policy.min_sessions,
            stakeholder=policy.stakeholder_threshold,
        )


DEFAULT_THRESHOLDS = Thresholds()


# The balance of one supervisee.


@dataclass(frozen=True)
class Flag:
    """A flag, with the function it is about, or (`stakeholder_absent`) the stakeholder."""

    code: str
    function: str | None = None
    stakeholder: str | None = None

    @property
    def detail(self) -> str | None:
        return self.function or self.stakeholder

    @property
    def sort_key(self) -> tuple[str, str]:
        return (self.code, self.detail or "")

    def as_dict(self) -> dict:
        result = {"code": self.code}
        if self.function is not None:
            result["function"] = self.function
        if self.stakeholder is not None:
            result["stakeholder"] = self.stakeholder
        return result

    def as_text(self) -> str:
        """`code`, or `code:function` (`code:stakeholder`), as the CSV `flags` column has it."""
        return self.code if self.detail is None else f"{self.code}:{self.detail}"


@dataclass(frozen=True)
class Balance:
    """One supervisee's balance in a window. Every number is exact; round when printing."""

    supervisee: str
    start: date
    end: date
    minutes: Minutes
    flags: tuple[Flag, ...]
    thresholds: Thresholds = DEFAULT_THRESHOLDS
    gaps: tuple[SupervisionGap, ...] = ()
    reported_dominance: Mapping[str, int] = field(default_factory=dict)
    name: str = ""

    @property
    def share_flags_apply(self) -> bool:
        return (
            self.minutes.sessions_held >= self.thresholds.min_sessions and self.minutes.tagged > 0
        )

    @property
    def overdue_gaps(self) -> tuple[SupervisionGap, ...]:
        return tuple(gap for gap in self.gaps if gap.overdue)

    @property
    def flag_codes(self) -> tuple[str, ...]:
        return tuple(flag.as_text() for flag in self.flags)

    def reasons(self, *, you: bool = False) -> list[tuple[Flag, str]]:
        """Each flag and why, in words; `you`: written for the supervisee themself."""
        return [(flag, flag_reason(flag, self, you=you)) for flag in self.flags]

    def as_report(self) -> dict:
        """The `balance_report` JSON object (INTERFACES.md), numbers rounded once, here."""
        minutes = self.minutes
        shares = minutes.shares
        return {
            "supervisee": self.supervisee,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "sessions_held": minutes.sessions_held,
            "tagged_minutes": float(round_minutes(minutes.tagged)),
            "minutes": {key: float(round_minutes(minutes.by_function[key])) for key in FUNCTIONS},
            "shares": None
            if shares is None
            else {key: float(round_share(shares[key])) for key in FUNCTIONS},
            "short_circuit_minutes": float(round_minutes(minutes.short_circuit)),
            "flags": [flag.as_dict() for flag in self.flags],
            # Additions to the contract (INTERFACES.md): coverage, each item in full per key.
            "stage_minutes": {key: float(round_minutes(minutes.by_stage[key])) for key in STAGES},
            "stakeholder_minutes": {
                key: float(round_minutes(minutes.by_stakeholder[key])) for key in STAKEHOLDERS
            },
        }


def sort_flags(flags: Iterable[Flag]) -> tuple[Flag, ...]:
    """By code, then function, in plain string order (a flag without a function first)."""
    return tuple(sorted(set(flags), key=lambda flag: flag.sort_key))


def _already_exact(minutes: Minutes) -> bool:
    """Every figure a Fraction and every key there: what the selectors give (`Minutes` from
    SQL's sums), used as it is rather than copied figure by figure (an organisation's page
    computes 1,750 balances)."""
    figures = (
        *(minutes.by_function.get(key) for key in FUNCTIONS),
        *(minutes.by_stage.get(key) for key in STAGES),
        *(minutes.by_stakeholder.get(key) for key in STAKEHOLDERS),
        minutes.tagged,
        minutes.short_circuit,
        minutes.no_stage,
    )
    return all(type(figure) is Fraction for figure in figures)


def _made_exact(minutes: Minutes) -> Minutes:
    """`minutes` with each figure as a Fraction and each missing key as 0."""
    return Minutes(
        by_function={key: Fraction(minutes.by_function.get(key) or 0) for key in FUNCTIONS},
        tagged=Fraction(minutes.tagged),
        short_circuit=Fraction(minutes.short_circuit),
        sessions_held=minutes.sessions_held,
        by_stage={key: Fraction(minutes.by_stage.get(key) or 0) for key in STAGES},
        by_stakeholder={
            key: Fraction(minutes.by_stakeholder.get(key) or 0) for key in STAKEHOLDERS
        },
        no_stage=Fraction(minutes.no_stage),
    )


# Each flag made once: `flags_by_rule` runs for each of an organisation's 1,700 people.
_DOMINANT = Flag(MANAGEMENT_DOMINANT)
_NEGLECTED = {key: Flag(FUNCTION_NEGLECTED, key) for key in FUNCTIONS}
_SHORT_CIRCUIT = Flag(REFLECTIVE_SHORT_CIRCUIT)
_ABSENT = Flag(STAKEHOLDER_ABSENT, stakeholder=ABSENT_STAKEHOLDER)
_OVERDUE = Flag(SUPERVISION_OVERDUE)
_REPORTED = {key: Flag(SUPERVISEE_REPORTED_DOMINANCE, key) for key in FUNCTIONS}


def _over(minutes: int, limit: Fraction, tagged: int) -> bool:
    """`minutes / tagged > limit`, in integers: `minutes x den > num x tagged` (tagged > 0)."""
    return minutes * limit.denominator > limit.numerator * tagged


def _under(minutes: int, limit: Fraction, tagged: int) -> bool:
    """`minutes / tagged < limit`, in integers (tagged > 0)."""
    return minutes * limit.denominator < limit.numerator * tagged


def flags_by_rule(
    *,
    by_function: Mapping[str, int],
    tagged: int,
    short_circuit: int,
    absent_stakeholder: int,
    sessions_held: int,
    overdue: bool,
    reported: Iterable[str],
    thresholds: Thresholds,
) -> tuple[Flag, ...]:
    """DOMAIN.md's flags of one supervisee, sorted: the one rule `compute_balance` and
    `audit.selectors.flagged_of` apply.

    The minutes are whole numbers of any one unit (a minute's twelfths, or their common
    denominator's parts), the function minutes adding up to `tagged` (each caller checks it
    in its own terms): only their ratios to `tagged` count, compared exactly as integers (a
    Fraction's product costs 4 µs, an organisation's page thousands of them). `reported`
    names the functions some feedback said dominated.
    """
    flags = []
    if tagged and sessions_held >= thresholds.min_sessions:
        if _over(by_function["management"], thresholds.dominance, tagged):
            flags.append(_DOMINANT)
        for key in FUNCTIONS:
            if _under(by_function[key], thresholds.neglect, tagged):
                flags.append(_NEGLECTED[key])
        if _over(short_circuit, thresholds.short_circuit, tagged):
            flags.append(_SHORT_CIRCUIT)
        # Compared as minutes, not as a share: "people-minutes < threshold x tagged minutes".
        if _under(absent_stakeholder, thresholds.stakeholder, tagged):
            flags.append(_ABSENT)
    if overdue:
        flags.append(_OVERDUE)
    for key in reported:
        if key not in FUNCTIONS:
            raise ValueError(f"unknown function in feedback: {key!r}")
        flags.append(_REPORTED[key])
    return sort_flags(flags) if len(flags) > 1 else tuple(flags)


def compute_balance(
    *,
    supervisee: str,
    start: date,
    end: date,
    minutes: Minutes,
    gaps: Iterable[SupervisionGap] = (),
    reported_dominance: Iterable[str] | Mapping[str, int] = (),
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    name: str = "",
) -> Balance:
    """Apply DOMAIN.md's exact rule and flags to one supervisee's minutes.

    `minutes` are the exact minutes of the sessions held (missing function keys are 0). Its
    tagged minutes (SQL's sum of item minutes) must be the total of the function minutes.
    `gaps` are the supervisee's relationships active in the window (`SupervisionGap`s);
    `reported_dominance` the function named in each feedback that said one dominated (a list,
    or a mapping of function to count).
    """
    unknown = set(minutes.by_function) - set(FUNCTIONS)
    if unknown:
        raise ValueError(f"unknown functions: {sorted(unknown)}")
    exact = minutes if _already_exact(minutes) else _made_exact(minutes)
    if isinstance(reported_dominance, Mapping):
        reported = {key: int(n) for key, n in reported_dominance.items() if n}
    else:
        reported = dict(Counter(key for key in reported_dominance if key))
    gaps = tuple(gaps)
    # The rule's minutes as whole numbers of one unit (their common denominator's parts).
    figures = [
        *(exact.by_function[key] for key in FUNCTIONS),
        exact.tagged,
        exact.short_circuit,
        exact.by_stakeholder[ABSENT_STAKEHOLDER],
    ]
    unit = lcm(*(figure.denominator for figure in figures))
    *by_function, tagged, short_circuit, absent = (
        figure.numerator * (unit // figure.denominator) for figure in figures
    )
    if sum(by_function) != tagged:  # said in minutes, not in the unit
        total = sum(exact.by_function.values())
        raise ValueError(f"function minutes add up to {total}, not {exact.tagged}")
    flags = flags_by_rule(
        by_function=dict(zip(FUNCTIONS, by_function, strict=True)),
        tagged=tagged,
        short_circuit=short_circuit,
        absent_stakeholder=absent,
        sessions_held=exact.sessions_held,
        overdue=any(gap.overdue for gap in gaps),
        reported=reported,
        thresholds=thresholds,
    )

    return Balance(
        supervisee=supervisee.lower(),
        start=start,
        end=end,
        minutes=exact,
        flags=flags,
        thresholds=thresholds,
        gaps=gaps,
        reported_dominance=reported,
        name=name,
    )


# Plain words for each flag.


def _share_against(share: Fraction, threshold: Fraction) -> tuple[str, str]:
    """Both percentages as every page writes them (core.numbers).

    A share flagged for being above (or below) the limit can round to the limit itself
    (0.50004 -> "50%"): it then reads "just over 50%", never a different number of decimals.
    """
    shown, limit = percent_text(share), percent_text(threshold)
    if shown == limit:
        shown = f"just {'over' if share > threshold else 'under'} {shown}"
    return shown, limit


def _minutes_words(value) -> str:
    text = minutes_text(value)
    return f"{text} minute" if text == "1" else f"{text} minutes"


def _sessions_words(count: int) -> str:
    return "1 session" if count == 1 else f"{count} sessions"


def _overdue_reason(gap: SupervisionGap, *, you: bool = False) -> str:
    # With the policy's group_counts_for_regularity, any group the supervisee attended counts.
    sessions = f"one-to-one with {display_name(gap.supervisor_name, gap.supervisor)}"
    if gap.group_counts:
        sessions += " or group session"
    your = "your " if you else "the "
    if gap.last_held is not None:
        since = f"{gap.gap_days} days since {your}last {sessions}"
    else:
        since = (
            f"no {sessions} in the {gap.gap_days} days since {your}supervision "
            f"started on {day_text(gap.relationship_start)}"
        )
    return (
        f"{since}, by {day_text(gap.measuring_end)}; "
        f"{your}agreement expects one every {gap.interval_days} days"
    )


def flag_reason(flag: Flag, balance: Balance, *, you: bool = False) -> str:
    """Why `balance` raised `flag`, in plain words with the numbers and the policy's limit.

    e.g. "management took 62.5% of 240 minutes across 3 sessions; the policy flags above 50%".
    People are named, never by their e-mail; `you` writes it for the supervisee themself
    ("you said ...", "your last one-to-one ...").
    """
    t = balance.thresholds
    minutes = balance.minutes
    across = f"{_minutes_words(minutes.tagged)} across {_sessions_words(minutes.sessions_held)}"
    if flag.code == MANAGEMENT_DOMINANT:
        shown, limit = _share_against(minutes.shares["management"], t.dominance)
        return f"management took {shown} of {across}; the policy flags above {limit}"
    if flag.code == FUNCTION_NEGLECTED:
        shown, limit = _share_against(minutes.shares[flag.function], t.neglect)
        return f"{flag.function} took {shown} of {across}; the policy flags below {limit}"
    if flag.code == REFLECTIVE_SHORT_CIRCUIT:
        shown, limit = _share_against(minutes.short_circuit_share, t.short_circuit)
        return (
            f"{_minutes_words(minutes.short_circuit)} of {across} ({shown}) went from "
            f"experience straight to plans & actions, without reflection or analysis; "
            f"the policy flags above {limit}"
        )
    if flag.code == STAKEHOLDER_ABSENT:
        people = minutes.by_stakeholder[flag.stakeholder]
        shown, limit = _share_against(people / minutes.tagged, t.stakeholder)
        return (
            f"{_minutes_words(people)} of {across} ({shown}) were about people who draw on "
            f"care and support; the policy flags below {limit}"
        )
    if flag.code == SUPERVISION_OVERDUE:
        return "; ".join(_overdue_reason(gap, you=you) for gap in balance.overdue_gaps)
    if flag.code == SUPERVISEE_REPORTED_DOMINANCE:
        count = balance.reported_dominance.get(flag.function, 0)
        times = "1 feedback" if count == 1 else f"{count} feedbacks"
        who = "you" if you else (balance.name or "the supervisee")
        return f"{who} said {flag.function} dominated, in {times} in this window"
    raise ValueError(f"unknown flag code: {flag.code!r}")


# Team and organisation totals, and months.


@dataclass(frozen=True)
class Totals:
    """The sum of several supervisees' balances (a team or the organisation).

    `minutes.sessions_held` sums each member's sessions held, so a group session attended by
    three members counts three times, just as its minutes count in full for each of them.
    `flag_counts` is how many supervisees have each flag code; None when they were not
    counted (a large organisation's total on its page of teams).
    """

    start: date
    end: date
    people: int
    minutes: Minutes
    flag_counts: Mapping[str, int] | None


def totals_of(
    balances: Iterable[Balance], *, start: date, end: date, minutes: Minutes | None = None
) -> Totals:
    """The balances' people, minutes and flags added up; `minutes`, when given, are their
    minutes already added up (`audit.selectors.WindowSums.minutes_of`)."""
    balances = list(balances)
    flag_counts = Counter()
    for b in balances:
        flag_counts.update({flag.code for flag in b.flags})
    return Totals(
        start=start,
        end=end,
        people=len(balances),
        minutes=Minutes.total(b.minutes for b in balances) if minutes is None else minutes,
        flag_counts=dict(sorted(flag_counts.items())),
    )


def month_windows(start: date, end: date) -> list[tuple[date, date]]:
    """Calendar months overlapping [start, end], each clipped to it: a month is just a window."""
    if start > end:
        return []
    windows = []
    first = start
    while first <= end:
        next_month = (first.replace(day=1) + timedelta(days=32)).replace(day=1)
        last = min(end, next_month - timedelta(days=1))
        windows.append((first, last))
        first = next_month
    return windows


# Supervisor-level and compliance figures.


def cancellation_rate(cancelled_by_supervisor: int, scheduled: int) -> Fraction | None:
    """Sessions cancelled by the supervisor / sessions scheduled, in the window.

    "Scheduled" means every session in the window whatever its status: planned, held,
    cancelled by either side or rescheduled. A rescheduled session and the new one it made
    both count, each on its own date. None when nothing was scheduled.
    """
    return ratio(cancelled_by_supervisor, scheduled)


@dataclass(frozen=True)
class Reliability:
    """A supervisor's cancellation rate in a window, and who moved their sessions.

    `cancelled_by_supervisor` and `cancelled_by_supervisee` are the session's status (whose
    side called it off); `moved_by_supervisor`, `moved_by_others` and `moved_unrecorded` count
    the cancelled and rescheduled sessions by the person who did it in Fourfold (the acting
    user: the supervisor, or a supervisee cancelling their own one-to-one), or by nobody
    recorded (sessions imported from a spreadsheet).
    """

    supervisor: str
    name: str
    scheduled: int
    cancelled_by_supervisor: int
    cancelled_by_supervisee: int = 0
    rescheduled: int = 0
    moved_by_supervisor: int = 0
    moved_by_others: int = 0
    moved_unrecorded: int = 0
    supervisor_id: int | None = None

    @property
    def rate(self) -> Fraction | None:
        return cancellation_rate(self.cancelled_by_supervisor, self.scheduled)

    @property
    def moved(self) -> int:
        """Sessions cancelled (by either side) or rescheduled."""
        return self.cancelled_by_supervisor + self.cancelled_by_supervisee + self.rescheduled


@dataclass(frozen=True)
class SupervisorMinutes:
    """What one supervisor (or group facilitator) contributed to a supervisee's balance."""

    supervisor: str
    name: str
    minutes: Minutes


@dataclass(frozen=True)
class Compliance:
    """The three audit checks for a set of held sessions in a window (DOMAIN.md).

    - short one-to-ones: held one-to-ones shorter than the policy's minimum length, out of
      all held one-to-ones;
    - late records: records shared more than `share_deadline_days` after the session (or not
      shared and past that deadline), out of the records whose deadline has passed or that
      were shared; a record still inside its deadline and not yet shared is not counted;
    - unreviewed actions: sessions where an action brought forward from the previous session
      (same supervisor, a shared attendee) got no review, out of the sessions that had any.
    Each share is None when its denominator is 0.
    """

    start: date
    end: date
    one_to_ones_held: int
    short_one_to_ones: int
    records_due: int
    records_late: int
    sessions_with_actions_to_review: int
    sessions_with_unreviewed_actions: int

    @property
    def short_share(self) -> Fraction | None:
        return ratio(self.short_one_to_ones, self.one_to_ones_held)

    @property
    def late_share(self) -> Fraction | None:
        return ratio(self.records_late, self.records_due)

    @property
    def unreviewed_share(self) -> Fraction | None:
        return ratio(self.sessions_with_unreviewed_actions, self.sessions_with_actions_to_review)
