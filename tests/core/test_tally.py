"""The tally: m / k minutes to each function, exactly, and the short-circuit (core.tally)."""

import random
from fractions import Fraction

import pytest

from core.tally import TWELFTHS_BY_FUNCTION_COUNT, ItemTags, Minutes, tally_items
from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS, is_short_circuit

# Items: m / k to each function, and the short-circuit.


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_an_item_gives_m_over_k_to_each_of_its_functions(k):
    functions = FUNCTIONS[:k]
    tally = tally_items([ItemTags(10, frozenset(functions))])
    for key in FUNCTIONS:
        assert tally.by_function[key] == (Fraction(10, k) if key in functions else 0)
    assert tally.tagged == 10


def test_thirds_stay_exact_and_add_up_to_the_item_minutes():
    items = [ItemTags(10, frozenset({"management", "support", "mediation"}))] * 3
    tally = tally_items(items)
    assert tally.by_function["management"] == 10
    assert sum(tally.by_function.values()) == tally.tagged == 30


@pytest.mark.parametrize(
    ("stages", "short"),
    [
        ({"plans_actions"}, True),
        ({"experience", "plans_actions"}, True),
        ({"reflection", "plans_actions"}, False),
        ({"analysis", "plans_actions"}, False),
        ({"experience", "reflection", "analysis", "plans_actions"}, False),
        ({"experience"}, False),
        (set(), False),
    ],
)
def test_short_circuit_is_plans_without_reflection_or_analysis(stages, short):
    assert is_short_circuit(stages) is short


def test_a_short_circuited_item_counts_all_its_minutes_whatever_its_functions():
    items = [
        ItemTags(40, frozenset(FUNCTIONS), frozenset({"experience", "plans_actions"})),
        ItemTags(20, frozenset({"management"}), frozenset({"reflection", "plans_actions"})),
    ]
    assert tally_items(items).short_circuit == 40


@pytest.mark.parametrize("functions", [frozenset(), frozenset({"leadership"})])
def test_an_item_needs_one_to_four_known_functions(functions):
    with pytest.raises(ValueError):
        ItemTags(10, functions)


def test_twelfths_from_sql_equal_the_item_by_item_rule():
    rng = random.Random(12)
    items = [
        ItemTags(rng.randint(1, 120), frozenset(rng.sample(FUNCTIONS, rng.randint(1, 4))))
        for _ in range(200)
    ]
    twelfths = dict.fromkeys(FUNCTIONS, 0)
    for item in items:
        for key in item.functions:
            twelfths[key] += item.minutes * TWELFTHS_BY_FUNCTION_COUNT[len(item.functions)]
    total = sum(i.minutes for i in items)
    # None of these items has a stage ticked: all their minutes are "no stage recorded".
    from_sql = Minutes.from_twelfths(twelfths, tagged=total, short_circuit=0, no_stage=total)
    assert from_sql == tally_items(items)


def test_missing_twelfths_are_zero():
    minutes = Minutes.from_twelfths({"management": 24, "support": None}, tagged=2, short_circuit=0)
    assert minutes.by_function == {
        "management": 2,
        "development": 0,
        "support": 0,
        "mediation": 0,
    }


def test_bundles_of_minutes_add_up():
    a = tally_items([ItemTags(30, frozenset({"management", "support"}))])
    b = tally_items([ItemTags(10, frozenset({"support"}), frozenset({"plans_actions"}))])
    total = Minutes.total([a, b])
    assert total.by_function["support"] == 25
    assert total.tagged == 40
    assert total.short_circuit == 10
    assert total.shares["management"] == Fraction(15, 40)
    assert Minutes().shares is None


def test_a_total_is_the_bundles_added_one_by_one():
    rng = random.Random(8)
    functions = list(FUNCTIONS)
    bundles = []
    for _ in range(60):
        items = [
            ItemTags(
                rng.randint(1, 95),
                frozenset(rng.sample(functions, rng.randint(1, 4))),
                frozenset(rng.sample(STAGES, rng.randint(0, 2))),
                frozenset(rng.sample(STAKEHOLDERS, rng.randint(0, 2))),
            )
            for _ in range(rng.randint(0, 5))
        ]
        bundles.append(tally_items(items))
    bundles.append(Minutes(tagged=Fraction(1, 7), by_function={**dict.fromkeys(FUNCTIONS, 0)}))
    one_by_one = Minutes()
    for bundle in bundles:
        one_by_one = one_by_one + bundle
    assert Minutes.total(bundles) == one_by_one
    assert Minutes.total([]) == Minutes()
