"""Stakeholders and the reflective cycle beside the four functions (INTERFACES.md additions).

Stages and stakeholders are coverage, not a split: an item counts in full for each one it is
tagged with. `stakeholder_absent` compares people-minutes with threshold x tagged minutes, under
the min_sessions rule, and is off (threshold 0) until an organisation sets it.
"""

import csv
import datetime
import io
import json
from fractions import Fraction

import pytest
from django.core.management import call_command

from audit import selectors
from audit.balance import STAKEHOLDER_ABSENT, Flag, Thresholds, compute_balance, flag_reason
from audit.models import AuditPolicy
from core.tally import ItemTags, Minutes, tally_items
from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS
from tests.factories import GroupSessionFactory, ItemFactory, SessionFactory
from tests.worked_example import import_example

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 3, 31)


# The tally, item by item.


def test_an_item_counts_in_full_for_each_stage_and_stakeholder_it_is_tagged_with():
    minutes = tally_items(
        [
            ItemTags(
                30,
                frozenset({"management", "support"}),
                frozenset({"experience", "reflection"}),
                frozenset({"supervisee", "people", "partners"}),
            ),
            ItemTags(10, frozenset({"development"}), frozenset({"plans_actions"})),
        ]
    )
    assert minutes.by_stage == {
        "experience": 30,
        "reflection": 30,
        "analysis": 0,
        "plans_actions": 10,
    }
    assert minutes.by_stakeholder == {
        "supervisee": 30,
        "people": 30,
        "organisation": 0,
        "partners": 30,
    }
    # Coverage may add up to more than the tagged minutes.
    assert sum(minutes.by_stakeholder.values()) == 90 > minutes.tagged == 40
    assert minutes.no_stage == 0
    assert minutes.stages_covered == ("experience", "reflection", "plans_actions")


def test_an_item_with_no_stage_ticked_is_counted_as_no_stage_recorded():
    minutes = tally_items(
        [
            ItemTags(25, frozenset({"management"})),
            ItemTags(5, frozenset({"management"}), frozenset({"plans_actions"})),
        ]
    )
    # The unstaged item escapes the short-circuit rule, so it is shown on its own.
    assert minutes.no_stage == 25
    assert minutes.short_circuit == 5
    assert minutes.stages_covered == ("plans_actions",)


def test_minutes_add_up_stages_stakeholders_and_no_stage():
    a = tally_items([ItemTags(10, frozenset({"support"}), stakeholders=frozenset({"people"}))])
    b = tally_items([ItemTags(7, frozenset({"support"}), frozenset({"analysis"}))])
    total = a + b
    assert total.by_stage["analysis"] == 7
    assert total.by_stakeholder["people"] == 10
    assert total.no_stage == 10
    assert Minutes.total([a, b]) == total


def test_all_four_keys_are_always_present_from_sql_sums():
    minutes = Minutes.from_twelfths({}, tagged=0, short_circuit=0, stages={"analysis": None})
    assert set(minutes.by_stage) == set(STAGES)
    assert set(minutes.by_stakeholder) == set(STAKEHOLDERS)
    assert minutes.by_stage["analysis"] == 0


# The flag, at its boundaries.


def _balance(people_minutes, *, tagged=100, sessions_held=2, threshold=Fraction(1, 10)):
    minutes = Minutes(
        by_function={"management": Fraction(tagged), **dict.fromkeys(FUNCTIONS[1:], 0)},
        tagged=Fraction(tagged),
        sessions_held=sessions_held,
        by_stakeholder={**dict.fromkeys(STAKEHOLDERS, 0), "people": Fraction(people_minutes)},
    )
    return compute_balance(
        supervisee="sam@example.org",
        start=START,
        end=END,
        minutes=minutes,
        thresholds=Thresholds(dominance=Fraction(1), neglect=Fraction(0), stakeholder=threshold),
    )


def test_stakeholder_absent_when_people_minutes_are_below_threshold_times_tagged():
    result = _balance(Fraction(99, 10))
    assert result.flags == (Flag(STAKEHOLDER_ABSENT, stakeholder="people"),)
    assert result.as_report()["flags"] == [{"code": "stakeholder_absent", "stakeholder": "people"}]
    assert result.flag_codes == ("stakeholder_absent:people",)


def test_no_stakeholder_flag_when_people_minutes_equal_threshold_times_tagged():
    assert _balance(10).flags == ()


def test_the_stakeholder_threshold_is_compared_unrounded():
    # 1/3 of a minute short of 10% of 100 still raises it, though it would print as 9.67.
    assert _balance(Fraction(29, 3)).flags
    assert _balance(Fraction(30, 3)).flags == ()


def test_stakeholder_flag_needs_min_sessions():
    assert _balance(0, sessions_held=1).flags == ()
    assert _balance(0, sessions_held=2).flags


def test_stakeholder_flag_is_off_with_the_default_threshold_of_zero():
    assert _balance(0, threshold=Fraction(0)).flags == ()


def test_stakeholder_flag_needs_tagged_minutes():
    assert _balance(0, tagged=0).flags == ()


def test_stakeholder_flag_reason_gives_the_minutes_and_the_limit():
    result = _balance(5)
    (flag,) = result.flags
    assert flag_reason(flag, result) == (
        "5 minutes of 100 minutes across 2 sessions (5%) were about people who draw on care "
        "and support; the policy flags below 10%"
    )


def test_stakeholder_flag_sorts_by_code_with_the_others():
    result = _balance(0, threshold=Fraction(1, 10))
    codes = [flag.code for flag in result.flags]
    assert codes == sorted(codes)


# From the database: the SQL sums equal the item-by-item rule.


@pytest.mark.django_db
def test_sql_sums_of_stages_and_stakeholders_equal_the_tally(supervisor, supervisee):
    one = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 2, 1)
    )
    ItemFactory(
        session=one,
        minutes=20,
        functions=["management", "support", "mediation"],
        stages=["experience", "plans_actions"],
        stakeholders=["people", "organisation"],
    )
    ItemFactory(session=one, minutes=13, functions=["development"])
    group = GroupSessionFactory(
        supervisor=supervisor, date=datetime.date(2026, 2, 3), attendees=[(supervisee, True)]
    )
    ItemFactory(
        session=group, minutes=45, functions=["support"], stages=STAGES, stakeholders=["partners"]
    )

    (sam,) = selectors.balances(START, END)

    expected = tally_items(
        [
            ItemTags(
                20,
                frozenset({"management", "support", "mediation"}),
                frozenset({"experience", "plans_actions"}),
                frozenset({"people", "organisation"}),
            ),
            ItemTags(13, frozenset({"development"})),
            ItemTags(45, frozenset({"support"}), frozenset(STAGES), frozenset({"partners"})),
        ]
    )
    assert sam.minutes.by_stage == expected.by_stage
    assert sam.minutes.by_stakeholder == expected.by_stakeholder
    assert sam.minutes.no_stage == 13


@pytest.mark.django_db
def test_policy_stakeholder_threshold_raises_the_flag_in_the_report(supervisor, supervisee):
    for day in (datetime.date(2026, 2, 1), datetime.date(2026, 2, 15)):
        session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)
        ItemFactory(session=session, minutes=45, functions=FUNCTIONS, stakeholders=["supervisee"])
        ItemFactory(session=session, minutes=4, functions=FUNCTIONS, stakeholders=["people"])
    out = io.StringIO()
    call_command(
        "balance_report", "--all", "--from", "2026-01-01", "--to", "2026-02-28", stdout=out
    )
    (row,) = json.loads(out.getvalue())
    assert row["flags"] == []  # off by default
    assert row["stakeholder_minutes"] == {
        "supervisee": 90.0,
        "people": 8.0,
        "organisation": 0.0,
        "partners": 0.0,
    }
    assert row["stage_minutes"] == dict.fromkeys(STAGES, 0.0)

    AuditPolicy.objects.update_or_create(
        pk=AuditPolicy.current().pk, defaults={"stakeholder_threshold": "0.10"}
    )
    out = io.StringIO()
    call_command(
        "balance_report",
        "--all",
        "--from",
        "2026-01-01",
        "--to",
        "2026-02-28",
        "--format",
        "csv",
        stdout=out,
    )
    (row,) = csv.DictReader(io.StringIO(out.getvalue()))
    # 8 minutes of 98 is below 10%.
    assert row["flags"] == "stakeholder_absent:people"
    assert row["stakeholder_minutes_people"] == "8.0"
    assert row["stage_minutes_analysis"] == "0.0"


@pytest.mark.django_db
def test_worked_example_gives_stage_and_stakeholder_minutes_with_two_decimals():
    import_example()
    out = io.StringIO()
    call_command(
        "balance_report",
        "--supervisee",
        "sam@example.org",
        "--from",
        "2026-01-01",
        "--to",
        "2026-03-31",
        stdout=out,
    )
    (sam,) = json.loads(out.getvalue())
    # By hand from sessions.csv: S01, S02 and the group S05 (an item in full per key).
    assert sam["stage_minutes"] == {
        "experience": 110.0,
        "reflection": 60.0,
        "analysis": 20.0,
        "plans_actions": 105.0,
    }
    assert sam["stakeholder_minutes"] == {
        "supervisee": 80.0,
        "people": 60.0,
        "organisation": 55.0,
        "partners": 20.0,
    }
    for value in [*sam["stage_minutes"].values(), *sam["stakeholder_minutes"].values()]:
        assert round(value, 2) == value
