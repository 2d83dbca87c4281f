"""The tally of discussion items, exactly as DOMAIN.md's balance rule counts them.

An item of `m` minutes and `k` functions gives `m / k` minutes to each function; a
short-circuited item (plans & actions without reflection or analysis) counts all its minutes
as short-circuit minutes. `Minutes` is the one value type for such a bundle, whether it sums a
session's items, a person's window, a supervisor's part or a team: they add up with `+`.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction

from .numbers import ratio
from .vocabulary import FUNCTIONS, is_short_circuit

# SQL sums `minutes * (12 / k)` as whole numbers ("twelfths of a minute"): 12 is divisible by
# every possible number of functions, so no division ever happens in the database.
TWELFTHS_BY_FUNCTION_COUNT = {1: 12, 2: 6, 3: 4, 4: 3}


def _zero_functions():
    return dict.fromkeys(FUNCTIONS, Fraction(0))


@dataclass(frozen=True)
class ItemTags:
    """One discussion item as plain values: its minutes, functions and stages."""

    minutes: int
    functions: frozenset[str]
    stages: frozenset[str] = frozenset()

    def __post_init__(self):
        if not 1 <= len(self.functions) <= 4 or not set(self.functions) <= set(FUNCTIONS):
            raise ValueError(f"an item has one to four of {FUNCTIONS}, not {self.functions}")


@dataclass(frozen=True)
class Minutes:
    """Exact minutes of some held sessions' items: per function, tagged, short-circuit.

    `by_function` always has the four function keys. `sessions_held` counts the sessions
    behind the minutes (a group session attended by three people counts three times in a sum
    over those people, as its minutes do).
    """

    by_function: Mapping[str, Fraction] = field(default_factory=_zero_functions)
    tagged: Fraction = Fraction(0)
    short_circuit: Fraction = Fraction(0)
    sessions_held: int = 0

    @property
    def shares(self) -> dict[str, Fraction] | None:
        """Each function's minutes over the tagged minutes; None when nothing was tagged."""
        return shares_of(self.by_function, self.tagged)

    @property
    def short_circuit_share(self) -> Fraction | None:
        return ratio(self.short_circuit, self.tagged)

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
        )

    @classmethod
    def total(cls, bundles: Iterable["Minutes"]) -> "Minutes":
        result = cls()
        for bundle in bundles:
            result = result + bundle
        return result

    @classmethod
    def from_twelfths(
        cls, twelfths: Mapping[str, int], *, tagged, short_circuit, sessions_held=0
    ) -> "Minutes":
        """From SQL's whole-number sums of twelfths of a minute per function."""
        return cls(
            by_function={key: Fraction(twelfths.get(key) or 0, 12) for key in FUNCTIONS},
            tagged=Fraction(tagged or 0),
            short_circuit=Fraction(short_circuit or 0),
            sessions_held=sessions_held or 0,
        )


def shares_of(minutes: Mapping[str, Fraction], tagged) -> dict[str, Fraction] | None:
    """Each function's minutes over the tagged minutes; None when nothing was tagged."""
    if not tagged:
        return None
    return {key: Fraction(minutes[key]) / tagged for key in FUNCTIONS}


def tally_items(items: Iterable[ItemTags]) -> Minutes:
    """The rule applied item by item (`m / k` to each function); the reference for the SQL."""
    by_function = _zero_functions()
    tagged = Fraction(0)
    short = Fraction(0)
    for item in items:
        share = Fraction(item.minutes, len(item.functions))
        for key in item.functions:
            by_function[key] += share
        tagged += item.minutes
        if is_short_circuit(item.stages):
            # A short-circuited item counts all its minutes, whatever its number of functions.
            short += item.minutes
    return Minutes(by_function=by_function, tagged=tagged, short_circuit=short)
