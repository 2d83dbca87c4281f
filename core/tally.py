"""The tally of discussion items, exactly as DOMAIN.md's balance rule counts them.

An item of `m` minutes and `k` functions gives `m / k` minutes to each function; a
short-circuited item (plans & actions without reflection or analysis) counts all its minutes
as short-circuit minutes. Stages and stakeholders are coverage, not a split (INTERFACES.md):
an item counts in full for each stage and each stakeholder it is tagged with, so they may add
up to more than the tagged minutes; an item with no stage ticked counts as "no stage
recorded" (it can never be a short-circuit, so it is shown rather than left to escape the
flag). `Minutes` is the one value type for such a bundle, whether it sums a session's items, a
person's window, a supervisor's part or a team: they add up with `+`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from math import lcm

from .numbers import ratio
from .vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS, is_short_circuit

# SQL sums `minutes * (12 / k)` as whole numbers ("twelfths of a minute"): 12 is divisible by
# every possible number of functions, so no division ever happens in the database.
TWELFTHS_BY_FUNCTION_COUNT = {1: 12, 2: 6, 3: 4, 4: 3}


# Fractions never change, so a whole number of minutes (or of twelfths of a minute) is made a
# Fraction once and that one shared by every bundle that holds it: a team's page of 60 people
# by 13 months builds 13,000 figures, most of them 0 or a common sum, at about 0.8 microseconds
# each when made anew. At most this many of each are kept (a few megabytes): beyond, they are
# made as before.
_KEPT_AT_MOST = 20_000
_WHOLES: dict[int, Fraction] = {}
_TWELFTHS: dict[int, Fraction] = {}


def _whole(n: int) -> Fraction:
    """Fraction(n) for a whole number n, shared."""
    made = _WHOLES.get(n)
    if made is None:
        made = Fraction(n)
        if len(_WHOLES) < _KEPT_AT_MOST:
            _WHOLES[n] = made
    return made


def _twelfth_parts(n: int) -> Fraction:
    """Fraction(n, 12) for a whole number n, shared."""
    made = _TWELFTHS.get(n)
    if made is None:
        made = Fraction(n, 12)
        if len(_TWELFTHS) < _KEPT_AT_MOST:
            _TWELFTHS[n] = made
    return made


def _zero_functions():
    return dict.fromkeys(FUNCTIONS, Fraction(0))


def _zero_stages():
    return dict.fromkeys(STAGES, Fraction(0))


def _zero_stakeholders():
    return dict.fromkeys(STAKEHOLDERS, Fraction(0))


@dataclass(frozen=True)
class ItemTags:
    """One discussion item as plain values: its minutes, functions, stages and stakeholders."""

    minutes: int
    functions: frozenset[str]
    stages: frozenset[str] = frozenset()
    stakeholders: frozenset[str] = frozenset()

    def __post_init__(self):
        if not 1 <= len(self.functions) <= 4 or not set(self.functions) <= set(FUNCTIONS):
            raise ValueError(f"an item has one to four of {FUNCTIONS}, not {self.functions}")


@dataclass(frozen=True)
class Minutes:
    """Exact minutes of some held sessions' items: per function, tagged, short-circuit, and
    the minutes covering each stage and each stakeholder.

    `by_function`, `by_stage` and `by_stakeholder` always have their four keys. `no_stage` is
    the minutes of items with no stage ticked. `sessions_held` counts the sessions behind the
    minutes (a group session attended by three people counts three times in a sum over those
    people, as its minutes do).
    """

    by_function: Mapping[str, Fraction] = field(default_factory=_zero_functions)
    tagged: Fraction = Fraction(0)
    short_circuit: Fraction = Fraction(0)
    sessions_held: int = 0
    by_stage: Mapping[str, Fraction] = field(default_factory=_zero_stages)
    by_stakeholder: Mapping[str, Fraction] = field(default_factory=_zero_stakeholders)
    no_stage: Fraction = Fraction(0)

    @cached_property
    def shares(self) -> dict[str, Fraction] | None:
        """Each function's minutes over the tagged minutes; None when nothing was tagged.
        Worked out once per `Minutes` (they never change): a page reads each share several
        times, in its bar, its table and its flags, and each is four divisions of Fractions."""
        return shares_of(self.by_function, self.tagged)

    @property
    def short_circuit_share(self) -> Fraction | None:
        return ratio(self.short_circuit, self.tagged)

    @property
    def stages_covered(self) -> tuple[str, ...]:
        """The stages of the reflective cycle with any minutes, in the cycle's order."""
        return tuple(key for key in STAGES if self.by_stage[key])

    def share_of(self, functions) -> Fraction | None:
        """The share of `functions` together; None when nothing was tagged."""
        if not self.tagged:
            return None
        return sum((self.by_function[key] for key in functions), Fraction(0)) / self.tagged

    def __add__(self, other: "Minutes") -> "Minutes":
        return Minutes(
            by_function={k: self.by_function[k] + other.by_function[k] for k in FUNCTIONS},
            tagged=self.tagged + other.tagged,
            short_circuit=self.short_circuit + other.short_circuit,
            sessions_held=self.sessions_held + other.sessions_held,
            by_stage={k: self.by_stage[k] + other.by_stage[k] for k in STAGES},
            by_stakeholder={
                k: self.by_stakeholder[k] + other.by_stakeholder[k] for k in STAKEHOLDERS
            },
            no_stage=self.no_stage + other.no_stage,
        )

    @classmethod
    def total(cls, bundles: Iterable["Minutes"]) -> "Minutes":
        """The sum of `bundles`, exactly as adding them one by one: each figure added up over a
        common denominator (minutes are whole or twelfths), one Fraction made per figure
        rather than one per bundle (an organisation adds up 1,750 people twice)."""
        bundles = list(bundles)
        if not bundles:
            return cls()

        def added(values) -> Fraction:
            values = list(values)  # Fractions or ints: both have a numerator and a denominator
            common = lcm(*(value.denominator for value in values))
            return Fraction(sum(v.numerator * (common // v.denominator) for v in values), common)

        def each(name, keys):
            return {key: added(getattr(b, name)[key] for b in bundles) for key in keys}

        return cls(
            by_function=each("by_function", FUNCTIONS),
            tagged=added(b.tagged for b in bundles),
            short_circuit=added(b.short_circuit for b in bundles),
            sessions_held=sum(b.sessions_held for b in bundles),
            by_stage=each("by_stage", STAGES),
            by_stakeholder=each("by_stakeholder", STAKEHOLDERS),
            no_stage=added(b.no_stage for b in bundles),
        )

    @classmethod
    def from_twelfths(
        cls,
        twelfths: Mapping[str, int],
        *,
        tagged,
        short_circuit,
        sessions_held=0,
        stages: Mapping[str, int] | None = None,
        stakeholders: Mapping[str, int] | None = None,
        no_stage=0,
    ) -> "Minutes":
        """From SQL's whole-number sums of twelfths of a minute per function, and of whole
        minutes per stage and stakeholder (missing keys are 0)."""
        stages = stages or {}
        stakeholders = stakeholders or {}
        return cls(
            by_function={key: _twelfth_parts(twelfths.get(key) or 0) for key in FUNCTIONS},
            tagged=_whole(tagged or 0),
            short_circuit=_whole(short_circuit or 0),
            sessions_held=sessions_held or 0,
            by_stage={key: _whole(stages.get(key) or 0) for key in STAGES},
            by_stakeholder={key: _whole(stakeholders.get(key) or 0) for key in STAKEHOLDERS},
            no_stage=_whole(no_stage or 0),
        )


def shares_of(minutes: Mapping[str, Fraction], tagged) -> dict[str, Fraction] | None:
    """Each function's minutes over the tagged minutes; None when nothing was tagged."""
    if not tagged:
        return None
    return {key: Fraction(minutes[key]) / tagged for key in FUNCTIONS}


def tally_items(items: Iterable[ItemTags]) -> Minutes:
    """The rule applied item by item (`m / k` to each function); the reference for the SQL."""
    by_function = _zero_functions()
    by_stage = _zero_stages()
    by_stakeholder = _zero_stakeholders()
    tagged = Fraction(0)
    short = Fraction(0)
    no_stage = Fraction(0)
    for item in items:
        share = Fraction(item.minutes, len(item.functions))
        for key in item.functions:
            by_function[key] += share
        tagged += item.minutes
        if is_short_circuit(item.stages):
            # A short-circuited item counts all its minutes, whatever its number of functions.
            short += item.minutes
        # Coverage, not a split: the item's minutes in full for each stage and stakeholder.
        for key in item.stages:
            by_stage[key] += item.minutes
        for key in item.stakeholders:
            by_stakeholder[key] += item.minutes
        if not item.stages:
            no_stage += item.minutes
    return Minutes(
        by_function=by_function,
        tagged=tagged,
        short_circuit=short,
        by_stage=by_stage,
        by_stakeholder=by_stakeholder,
        no_stage=no_stage,
    )
