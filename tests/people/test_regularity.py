"""The one overdue rule (DOMAIN.md, "Flags"): measuring end, gap, interval, without a database."""

import datetime

import pytest

from people.models import (
    Frequency,
    Relationship,
    User,
    interval_days,
    measuring_end,
    supervision_gap,
)

DAY = datetime.timedelta(days=1)
# DOMAIN.md's worked examples use this window.
WINDOW_START = datetime.date(2026, 3, 1)
WINDOW_END = datetime.date(2026, 5, 29)


def gap(
    *,
    window_end=WINDOW_END,
    start=datetime.date(2025, 1, 1),
    end=None,
    last_held=None,
    frequency=Frequency.MONTHLY,
    start_in_post=None,
):
    return supervision_gap(
        window_end=window_end,
        relationship_start=start,
        relationship_end=end,
        frequency=frequency,
        start_in_post=start_in_post,
        last_held=last_held,
        supervisor="sue@example.org",
        supervisor_name="Sue Supervisor",
    )


# DOMAIN.md's worked examples (window 2026-03-01..2026-05-29, monthly, interval 31).


def test_worked_example_an_ended_relationship_is_measured_to_its_end():
    ended = gap(
        start=datetime.date(2025, 6, 1),
        end=datetime.date(2026, 3, 15),
        last_held=datetime.date(2026, 1, 10),
    )
    assert ended.measuring_end == datetime.date(2026, 3, 15)
    assert (ended.gap_days, ended.interval_days) == (64, 31)
    assert ended.overdue


def test_worked_example_a_one_to_one_before_the_relationship_began_does_not_count():
    # The selector leaves out the one-to-one of 2026-04-01 (before the start): none counts.
    late_start = gap(start=datetime.date(2026, 4, 28), last_held=None)
    assert (late_start.gap_days, late_start.interval_days) == (31, 31)
    assert not late_start.overdue
    with pytest.raises(ValueError):
        gap(start=datetime.date(2026, 4, 28), last_held=datetime.date(2026, 4, 1))


# The measuring end and the gap.


@pytest.mark.parametrize(
    ("relationship_end", "expected"),
    [
        (None, WINDOW_END),
        (WINDOW_END + DAY, WINDOW_END),
        (WINDOW_END, WINDOW_END),
        (WINDOW_END - DAY, WINDOW_END - DAY),
        (WINDOW_START, WINDOW_START),
    ],
)
def test_measuring_end_is_the_window_end_or_the_relationships_earlier_end(
    relationship_end, expected
):
    assert measuring_end(WINDOW_END, relationship_end) == expected


def test_gap_counts_from_the_last_held_session_else_the_start():
    held = gap(last_held=datetime.date(2026, 4, 5))
    assert (held.counted_from, held.gap_days) == (datetime.date(2026, 4, 5), 54)
    never = gap(start=datetime.date(2026, 4, 29))
    assert (never.counted_from, never.gap_days) == (datetime.date(2026, 4, 29), 30)


@pytest.mark.parametrize(("gap_days", "overdue"), [(30, False), (31, False), (32, True)])
def test_overdue_only_when_the_gap_is_strictly_greater_than_the_interval(gap_days, overdue):
    result = gap(last_held=WINDOW_END - gap_days * DAY)
    assert result.overdue is overdue
    assert result.days_over == max(0, gap_days - 31)


def test_next_due_is_the_last_day_before_the_gap_exceeds_the_interval():
    result = gap(last_held=datetime.date(2026, 5, 1))
    assert result.next_due == datetime.date(2026, 6, 1)
    on_the_day = gap(window_end=result.next_due, last_held=datetime.date(2026, 5, 1))
    assert not on_the_day.overdue
    next_day = gap(window_end=result.next_due + DAY, last_held=datetime.date(2026, 5, 1))
    assert next_day.overdue and next_day.days_over == 1


@pytest.mark.parametrize(
    "last_held",
    [datetime.date(2024, 12, 31), WINDOW_END + DAY, datetime.date(2026, 3, 16)],
)
def test_a_last_held_date_outside_the_relationship_is_refused(last_held):
    with pytest.raises(ValueError):
        gap(end=datetime.date(2026, 3, 15), last_held=last_held)


def test_a_relationship_starting_after_the_window_is_refused():
    with pytest.raises(ValueError):
        gap(start=WINDOW_END + DAY)


# The expected interval.


@pytest.mark.parametrize(
    ("frequency", "expected"),
    [
        (Frequency.WEEKLY, 7),
        (Frequency.FORTNIGHTLY, 14),
        (Frequency.MONTHLY, 31),
        (Frequency.SIX_WEEKLY, 42),
    ],
)
def test_fixed_intervals(frequency, expected):
    assert interval_days(frequency, WINDOW_START, WINDOW_END) == expected
    assert gap(frequency=frequency).interval_days == expected


@pytest.mark.parametrize(
    ("d", "expected"), [(0, 7), (41, 7), (42, 14), (182, 14), (183, 31), (400, 31)]
)
def test_newly_qualified_schedule_boundaries(d, expected):
    started = datetime.date(2025, 9, 1)
    assert interval_days(Frequency.NEWLY_QUALIFIED, started, started + d * DAY) == expected


@pytest.mark.parametrize(
    ("d", "gap_days", "overdue"),
    [
        (41, 7, False),
        (41, 8, True),  # weekly while d < 42
        (42, 14, False),
        (42, 15, True),  # fortnightly from d = 42
        (182, 14, False),
        (182, 15, True),
        (183, 31, False),
        (183, 32, True),  # monthly from d = 183
    ],
)
def test_newly_qualified_overdue_at_the_schedule_boundaries(d, gap_days, overdue):
    result = gap(
        frequency=Frequency.NEWLY_QUALIFIED,
        start_in_post=WINDOW_END - d * DAY,
        last_held=WINDOW_END - gap_days * DAY,
    )
    assert result.overdue is overdue


def test_newly_qualified_d_counts_to_the_measuring_end_not_the_window_end():
    # Started in post 30 days before the relationship ended: still weekly at its end, although
    # the window's end is months later.
    ended = datetime.date(2026, 3, 15)
    result = gap(
        frequency=Frequency.NEWLY_QUALIFIED,
        start=datetime.date(2026, 2, 13),
        end=ended,
        start_in_post=ended - 30 * DAY,
        last_held=ended - 8 * DAY,
    )
    assert (result.interval_days, result.gap_days, result.overdue) == (7, 8, True)


def test_newly_qualified_counts_from_the_start_in_post_not_the_relationship_start():
    # A practitioner who changes supervisor keeps their schedule.
    result = gap(
        frequency=Frequency.NEWLY_QUALIFIED,
        start=WINDOW_END - 10 * DAY,
        start_in_post=WINDOW_END - 100 * DAY,
    )
    assert result.interval_days == 14
    without_start_in_post = gap(frequency=Frequency.NEWLY_QUALIFIED, start=WINDOW_END - 10 * DAY)
    assert without_start_in_post.interval_days == 7


def test_the_relationship_method_applies_the_same_rule():
    relationship = Relationship(
        supervisor=User(email="sue@example.org", name="Sue Supervisor"),
        supervisee=User(email="sam@example.org", start_date_in_post=datetime.date(2026, 3, 1)),
        frequency=Frequency.NEWLY_QUALIFIED,
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 15),
    )
    result = relationship.gap_to(WINDOW_END, datetime.date(2026, 3, 10))
    assert result == supervision_gap(
        window_end=WINDOW_END,
        relationship_start=datetime.date(2026, 3, 1),
        relationship_end=datetime.date(2026, 3, 15),
        frequency=Frequency.NEWLY_QUALIFIED,
        start_in_post=datetime.date(2026, 3, 1),
        last_held=datetime.date(2026, 3, 10),
        supervisor="sue@example.org",
        supervisor_name="Sue Supervisor",
    )
    assert (result.measuring_end, result.gap_days, result.interval_days) == (
        datetime.date(2026, 3, 15),
        5,
        7,
    )
