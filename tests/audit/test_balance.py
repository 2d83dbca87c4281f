"""The pure balance module: every rule, threshold edge and rounding case, without a database."""

import datetime
from decimal import Decimal
from fractions import Fraction
from types import SimpleNamespace

import pytest

from audit.balance import (
    DEFAULT_THRESHOLDS,
    FUNCTION_NEGLECTED,
    MANAGEMENT_DOMINANT,
    REFLECTIVE_SHORT_CIRCUIT,
    SUPERVISEE_REPORTED_DOMINANCE,
    SUPERVISION_OVERDUE,
    Compliance,
    Flag,
    Reliability,
    Thresholds,
    cancellation_rate,
    compute_balance,
    flag_reason,
    flags_by_rule,
    month_windows,
    sort_flags,
    totals_of,
)
from core.tally import Minutes
from core.vocabulary import FUNCTIONS, STAGES, STAKEHOLDERS
from people.models import SupervisionGap

START = datetime.date(2026, 1, 1)
END = datetime.date(2026, 3, 31)


def balance(
    minutes=None,
    *,
    sessions_held=3,
    short=0,
    gaps=(),
    reported=(),
    thresholds=DEFAULT_THRESHOLDS,
    **kwargs,
):
    """A balance with even minutes unless told otherwise (no share flag by default)."""
    if minutes is None:
        minutes = dict.fromkeys(FUNCTIONS, 25)
    return compute_balance(
        supervisee="sam@example.org",
        start=START,
        end=END,
        minutes=bundle(minutes, sessions_held=sessions_held, short=short),
        gaps=gaps,
        reported_dominance=reported,
        thresholds=thresholds,
        **kwargs,
    )


def bundle(minutes, *, sessions_held=3, short=0):
    """`Minutes` of these function minutes (missing keys are 0), tagged being their total."""
    by_function = {key: Fraction(minutes.get(key, 0)) for key in FUNCTIONS}
    return Minutes(
        by_function=by_function,
        tagged=sum(by_function.values()),
        short_circuit=Fraction(short),
        sessions_held=sessions_held,
    )


def codes(result):
    return [flag.as_text() for flag in result.flags]


def split(management, total=1000):
    """Minutes with `management` of `total`, the rest spread evenly over the other three."""
    rest = Fraction(total - management, 3)
    return {
        "management": Fraction(management),
        "development": rest,
        "support": rest,
        "mediation": rest,
    }


def gap(gap_days, interval_days, supervisor="sue@example.org"):
    return SupervisionGap(
        supervisor=supervisor,
        supervisor_name="Sue Supervisor",
        relationship_start=datetime.date(2020, 1, 1),
        measuring_end=END,
        last_held=END - datetime.timedelta(days=gap_days),
        interval_days=interval_days,
    )


# Thresholds.


def test_thresholds_from_decimals_are_exact():
    thresholds = Thresholds.from_values(
        dominance=Decimal("0.50"),
        neglect=Decimal("0.10"),
        short_circuit=Decimal("0.5000"),
        min_sessions=2,
    )
    assert thresholds == DEFAULT_THRESHOLDS
    assert thresholds.neglect == Fraction(1, 10)


def test_thresholds_refuse_floats():
    with pytest.raises(TypeError):
        Thresholds.from_values(dominance=0.5, neglect="0.1", short_circuit="0.5", min_sessions=2)


def test_thresholds_from_a_policy_like_object():
    policy = SimpleNamespace(
        dominance_threshold=Decimal("0.6"),
        neglect_threshold=Decimal("0.05"),
        short_circuit_threshold=Decimal("0.4"),
        min_sessions=3,
        stakeholder_threshold=Decimal("0.1"),
    )
    assert Thresholds.from_policy(policy) == Thresholds(
        Fraction(3, 5), Fraction(1, 20), Fraction(2, 5), 3, Fraction(1, 10)
    )


# The balance.


def test_empty_window_has_zero_minutes_no_shares_and_no_flags():
    result = balance(dict.fromkeys(FUNCTIONS, 0), sessions_held=0)
    assert result.minutes.tagged == 0
    assert result.minutes.shares is None
    assert result.minutes.short_circuit_share is None
    assert not result.share_flags_apply
    assert result.flags == ()
    assert result.as_report() == {
        "supervisee": "sam@example.org",
        "from": "2026-01-01",
        "to": "2026-03-31",
        "sessions_held": 0,
        "tagged_minutes": 0.0,
        "minutes": dict.fromkeys(FUNCTIONS, 0.0),
        "shares": None,
        "short_circuit_minutes": 0.0,
        "flags": [],
        "stage_minutes": dict.fromkeys(STAGES, 0.0),
        "stakeholder_minutes": dict.fromkeys(STAKEHOLDERS, 0.0),
    }


def test_missing_function_keys_count_as_zero_and_all_four_are_reported():
    result = compute_balance(
        supervisee="sam@example.org",
        start=START,
        end=END,
        minutes=Minutes(by_function={"management": 30}, tagged=30, sessions_held=1),
    )
    assert set(result.minutes.by_function) == set(FUNCTIONS)
    assert result.as_report()["minutes"] == {
        "management": 30.0,
        "development": 0.0,
        "support": 0.0,
        "mediation": 0.0,
    }


def test_unknown_function_key_is_refused():
    with pytest.raises(ValueError):
        compute_balance(
            supervisee="sam@example.org",
            start=START,
            end=END,
            minutes=Minutes(by_function={"leadership": 10}, tagged=10),
        )


def test_sessions_without_tagged_minutes_give_no_shares_and_no_share_flags():
    result = balance(dict.fromkeys(FUNCTIONS, 0), sessions_held=5, gaps=[gap(40, 31)])
    assert result.minutes.shares is None
    assert codes(result) == [SUPERVISION_OVERDUE]


def test_tagged_minutes_are_the_sum_of_function_minutes():
    result = balance(split(500, total=1000))
    assert result.minutes.tagged == 1000
    assert sum(result.minutes.shares.values()) == 1


def test_tagged_minutes_from_sql_must_agree_with_the_function_minutes():
    minutes = bundle(split(500))
    result = compute_balance(supervisee="sam@example.org", start=START, end=END, minutes=minutes)
    assert result.minutes == minutes
    with pytest.raises(ValueError):
        compute_balance(
            supervisee="sam@example.org",
            start=START,
            end=END,
            minutes=Minutes(by_function=minutes.by_function, tagged=999),
        )


def test_shares_are_exact_fractions_rounded_only_in_the_report():
    result = balance({"management": 110, "development": 0, "support": 45, "mediation": 5})
    assert result.minutes.shares["mediation"] == Fraction(1, 32)
    report = result.as_report()
    assert report["shares"] == {
        "management": 0.6875,
        "development": 0.0,
        "support": 0.2813,
        "mediation": 0.0313,
    }
    assert report["tagged_minutes"] == 160.0


def test_report_minutes_with_thirds():
    result = balance(
        {
            "management": Fraction(190, 3),
            "development": Fraction(245, 3),
            "support": Fraction(185, 3),
            "mediation": Fraction(55, 3),
        }
    )
    report = result.as_report()
    assert report["minutes"] == {
        "management": 63.33,
        "development": 81.67,
        "support": 61.67,
        "mediation": 18.33,
    }
    assert report["tagged_minutes"] == 225.0
    assert report["shares"]["management"] == 0.2815


def test_email_is_written_in_lower_case():
    result = compute_balance(supervisee="Sam@Example.ORG", start=START, end=END, minutes=Minutes())
    assert result.supervisee == "sam@example.org"


# Management dominance: strictly above the threshold.


@pytest.mark.parametrize(
    ("management", "flagged"),
    [(499, False), (500, False), (501, True), (1000, True)],
)
def test_management_dominant_only_strictly_above_the_threshold(management, flagged):
    assert (MANAGEMENT_DOMINANT in codes(balance(split(management)))) is flagged


def test_dominance_compares_the_unrounded_share():
    # 10001/20000 prints as 0.5001 but 100001/200000 prints as 0.5000: both are above 1/2.
    result = balance(split(100_001, total=200_000))
    assert result.as_report()["shares"]["management"] == 0.5
    assert MANAGEMENT_DOMINANT in codes(result)


def test_dominance_threshold_comes_from_the_policy():
    thresholds = Thresholds(dominance=Fraction(3, 5))
    assert MANAGEMENT_DOMINANT not in codes(balance(split(600), thresholds=thresholds))
    assert MANAGEMENT_DOMINANT in codes(balance(split(601), thresholds=thresholds))


# Neglect: strictly below the threshold, once per function.


@pytest.mark.parametrize(
    ("mediation", "flagged"),
    [(Fraction(99), True), (Fraction(100), False), (Fraction(101), False), (Fraction(0), True)],
)
def test_function_neglected_only_strictly_below_the_threshold(mediation, flagged):
    rest = (1000 - mediation) / 3
    result = balance(
        {"management": rest, "development": rest, "support": rest, "mediation": mediation}
    )
    assert ("function_neglected:mediation" in codes(result)) is flagged


def test_neglect_compares_the_unrounded_share():
    # 0.099995 prints as 0.1000 yet is below 0.10.
    mediation = Fraction(19999, 200)
    rest = (1000 - mediation) / 3
    result = balance(
        {"management": rest, "development": rest, "support": rest, "mediation": mediation}
    )
    assert result.as_report()["shares"]["mediation"] == 0.1
    assert "function_neglected:mediation" in codes(result)


def test_every_neglected_function_is_flagged_with_its_name():
    result = balance({"management": 100})
    assert codes(result) == [
        "function_neglected:development",
        "function_neglected:mediation",
        "function_neglected:support",
        MANAGEMENT_DOMINANT,
    ]


# Short-circuit: strictly above the threshold.


@pytest.mark.parametrize(("short", "flagged"), [(499, False), (500, False), (501, True)])
def test_short_circuit_only_strictly_above_the_threshold(short, flagged):
    result = balance(split(250), short=short)
    assert (REFLECTIVE_SHORT_CIRCUIT in codes(result)) is flagged


def test_short_circuit_threshold_comes_from_the_policy():
    thresholds = Thresholds(short_circuit=Fraction(1, 4))
    assert REFLECTIVE_SHORT_CIRCUIT in codes(balance(split(250), short=251, thresholds=thresholds))


# min_sessions gates the share-based flags only.


@pytest.mark.parametrize(
    ("sessions_held", "flagged"), [(0, False), (1, False), (2, True), (3, True)]
)
def test_share_flags_need_min_sessions(sessions_held, flagged):
    result = balance({"management": 100}, sessions_held=sessions_held, short=100)
    share_flags = {MANAGEMENT_DOMINANT, REFLECTIVE_SHORT_CIRCUIT, FUNCTION_NEGLECTED}
    assert bool(share_flags & {flag.code for flag in result.flags}) is flagged
    assert result.minutes.shares is not None  # shares are shown whatever the number of sessions


def test_min_sessions_comes_from_the_policy():
    thresholds = Thresholds(min_sessions=4)
    assert balance({"management": 100}, sessions_held=3, thresholds=thresholds).flags == ()
    assert balance({"management": 100}, sessions_held=4, thresholds=thresholds).flags != ()


def test_other_flags_ignore_min_sessions():
    result = balance(
        dict.fromkeys(FUNCTIONS, 0), sessions_held=0, gaps=[gap(32, 31)], reported=["support"]
    )
    assert codes(result) == ["supervisee_reported_dominance:support", SUPERVISION_OVERDUE]


# Overdue: the gap strictly greater than the interval, once per supervisee.


@pytest.mark.parametrize(
    ("gap_days", "interval", "flagged"),
    [
        (30, 31, False),
        (31, 31, False),
        (32, 31, True),
        (7, 7, False),
        (8, 7, True),
        (14, 14, False),
        (15, 14, True),
        (42, 42, False),
        (43, 42, True),
    ],
)
def test_overdue_when_gap_is_greater_than_interval(gap_days, interval, flagged):
    assert (SUPERVISION_OVERDUE in codes(balance(gaps=[gap(gap_days, interval)]))) is flagged


def test_overdue_is_flagged_once_however_many_relationships_are_overdue():
    gaps = [gap(50, 31), gap(60, 42, "eve@example.org"), gap(3, 7, "pat@example.org")]
    result = balance(gaps=gaps)
    assert codes(result) == [SUPERVISION_OVERDUE]
    assert [g.supervisor for g in result.overdue_gaps] == ["sue@example.org", "eve@example.org"]


def test_no_relationships_means_not_overdue():
    assert balance(gaps=()).flags == ()


# Supervisee-reported dominance.


def test_reported_dominance_flags_each_function_named_once():
    result = balance(reported=["management", "management", "support", ""])
    assert codes(result) == [
        "supervisee_reported_dominance:management",
        "supervisee_reported_dominance:support",
    ]
    assert result.reported_dominance == {"management": 2, "support": 1}


def test_reported_dominance_accepts_counts():
    result = balance(reported={"mediation": 3, "support": 0})
    assert codes(result) == ["supervisee_reported_dominance:mediation"]


def test_reported_dominance_of_an_unknown_function_is_refused():
    with pytest.raises(ValueError):
        balance(reported=["leadership"])


# Flag order: by code, then function, in plain string order.


def test_flags_are_sorted_by_code_then_function_in_plain_string_order():
    result = balance(
        {"management": 990, "support": 10},
        short=600,
        gaps=[gap(100, 31)],
        reported=["support", "development", "management"],
    )
    assert codes(result) == [
        "function_neglected:development",
        "function_neglected:mediation",
        "function_neglected:support",
        "management_dominant",
        "reflective_short_circuit",
        "supervisee_reported_dominance:development",
        "supervisee_reported_dominance:management",
        "supervisee_reported_dominance:support",
        "supervision_overdue",
    ]
    assert [flag.as_dict() for flag in result.flags][:1] == [
        {"code": "function_neglected", "function": "development"}
    ]
    assert result.flags[3].as_dict() == {"code": "management_dominant"}


def test_sort_flags_puts_a_flag_without_function_before_one_with_and_drops_duplicates():
    flags = [Flag("b", "x"), Flag("b"), Flag("a", "z"), Flag("b")]
    assert sort_flags(flags) == (Flag("a", "z"), Flag("b"), Flag("b", "x"))


# Plain-words reasons.


def test_reason_for_management_dominant():
    result = balance(split(149, total=240))
    flag = Flag(MANAGEMENT_DOMINANT)
    assert flag in result.flags
    assert flag_reason(flag, result) == (
        "management took 62.08% of 240 minutes across 3 sessions; the policy flags above 50%"
    )


def test_reason_never_shows_a_flagged_share_equal_to_the_limit():
    result = balance(split(504))
    assert flag_reason(Flag(MANAGEMENT_DOMINANT), result) == (
        "management took 50.4% of 1000 minutes across 3 sessions; the policy flags above 50%"
    )
    # 50.004% is written 50%, as everywhere else: the reason says it is just over the limit.
    close = balance(split(12501, total=25000))
    assert flag_reason(Flag(MANAGEMENT_DOMINANT), close) == (
        "management took just over 50% of 25000 minutes across 3 sessions; "
        "the policy flags above 50%"
    )


def test_reason_for_function_neglected():
    result = balance({"management": 110, "support": 45, "mediation": 5}, sessions_held=2)
    assert flag_reason(Flag(FUNCTION_NEGLECTED, "mediation"), result) == (
        "mediation took 3.13% of 160 minutes across 2 sessions; the policy flags below 10%"
    )
    assert flag_reason(Flag(FUNCTION_NEGLECTED, "development"), result) == (
        "development took 0% of 160 minutes across 2 sessions; the policy flags below 10%"
    )


def test_reason_for_short_circuit():
    result = balance({"management": 110, "support": 45, "mediation": 5}, short=110)
    assert flag_reason(Flag(REFLECTIVE_SHORT_CIRCUIT), result) == (
        "110 minutes of 160 minutes across 3 sessions (68.75%) went from experience straight to "
        "plans & actions, without reflection or analysis; the policy flags above 50%"
    )


def test_reason_for_overdue_names_each_overdue_relationship():
    never = SupervisionGap(
        supervisor="eve@example.org",
        supervisor_name="",
        relationship_start=START,
        measuring_end=END,
        last_held=None,
        interval_days=42,
    )
    result = balance(gaps=[gap(54, 31), never, gap(3, 7, "pat@example.org")])
    assert flag_reason(Flag(SUPERVISION_OVERDUE), result) == (
        "54 days since the last one-to-one with Sue Supervisor, by 31 Mar 2026; "
        "the agreement expects one every 31 days; "
        "no one-to-one with eve@example.org in the 89 days since the supervision started on "
        "1 Jan 2026, by 31 Mar 2026; the agreement expects one every 42 days"
    )
    # Written for the supervisee on their own page.
    assert flag_reason(Flag(SUPERVISION_OVERDUE), result, you=True).startswith(
        "54 days since your last one-to-one with Sue Supervisor, by 31 Mar 2026; "
        "your agreement expects one every 31 days"
    )


def test_reason_for_overdue_gives_the_day_each_gap_is_measured_to():
    ended = SupervisionGap(
        supervisor="sue@example.org",
        supervisor_name="Sue Supervisor",
        relationship_start=datetime.date(2025, 6, 1),
        measuring_end=datetime.date(2026, 3, 15),
        last_held=datetime.date(2026, 1, 10),
        interval_days=31,
        group_counts=True,
    )
    result = balance(gaps=[ended])
    assert flag_reason(Flag(SUPERVISION_OVERDUE), result) == (
        "64 days since the last one-to-one with Sue Supervisor or group "
        "session, by 15 Mar 2026; the agreement expects one every 31 days"
    )


def test_reason_for_reported_dominance():
    result = balance(reported=["management", "management", "support"])
    assert flag_reason(Flag(SUPERVISEE_REPORTED_DOMINANCE, "management"), result) == (
        "the supervisee said management dominated, in 2 feedbacks in this window"
    )
    assert flag_reason(Flag(SUPERVISEE_REPORTED_DOMINANCE, "management"), result, you=True) == (
        "you said management dominated, in 2 feedbacks in this window"
    )
    assert flag_reason(Flag(SUPERVISEE_REPORTED_DOMINANCE, "support"), result) == (
        "the supervisee said support dominated, in 1 feedback in this window"
    )


def test_every_raised_flag_has_a_reason():
    result = balance(
        {"management": 990, "support": 10},
        short=600,
        gaps=[gap(100, 31)],
        reported=["support"],
    )
    reasons = result.reasons()
    assert len(reasons) == len(result.flags)
    assert all(text for _, text in reasons)


def test_reason_for_an_unknown_code_is_refused():
    with pytest.raises(ValueError):
        flag_reason(Flag("made_up"), balance())


# Totals, months, supervisors and compliance.


def test_totals_sum_the_members_minutes_and_count_flags_per_person():
    first = balance({"management": 100}, sessions_held=2)
    second = balance(dict.fromkeys(FUNCTIONS, 25), sessions_held=3, gaps=[gap(40, 31)])
    empty = balance(dict.fromkeys(FUNCTIONS, 0), sessions_held=0)
    result = totals_of([first, second, empty], start=START, end=END)
    assert result.people == 3
    assert result.minutes.sessions_held == 5
    assert result.minutes.by_function == {
        "management": 125,
        "development": 25,
        "support": 25,
        "mediation": 25,
    }
    assert result.minutes.tagged == 200
    assert result.minutes.shares["management"] == Fraction(5, 8)
    assert result.flag_counts == {
        FUNCTION_NEGLECTED: 1,
        MANAGEMENT_DOMINANT: 1,
        SUPERVISION_OVERDUE: 1,
    }


def test_totals_of_nobody_have_no_shares():
    result = totals_of([], start=START, end=END)
    assert result.people == 0
    assert result.minutes.shares is None and result.minutes.short_circuit_share is None


def test_month_windows_are_calendar_months_clipped_to_the_window():
    assert month_windows(datetime.date(2025, 12, 15), datetime.date(2026, 3, 10)) == [
        (datetime.date(2025, 12, 15), datetime.date(2025, 12, 31)),
        (datetime.date(2026, 1, 1), datetime.date(2026, 1, 31)),
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
        (datetime.date(2026, 3, 1), datetime.date(2026, 3, 10)),
    ]
    assert month_windows(datetime.date(2024, 2, 29), datetime.date(2024, 2, 29)) == [
        (datetime.date(2024, 2, 29), datetime.date(2024, 2, 29))
    ]
    assert month_windows(END, START) == []


def test_cancellation_rate_is_cancelled_by_supervisor_over_all_scheduled():
    assert cancellation_rate(1, 4) == Fraction(1, 4)
    assert cancellation_rate(0, 0) is None
    rate = Reliability(
        supervisor="sue@example.org", name="Sue", scheduled=9, cancelled_by_supervisor=1
    )
    assert rate.rate == Fraction(1, 9)


def test_compliance_shares_and_empty_denominators():
    figures = Compliance(
        start=START,
        end=END,
        one_to_ones_held=8,
        short_one_to_ones=5,
        records_due=0,
        records_late=0,
        sessions_with_actions_to_review=3,
        sessions_with_unreviewed_actions=1,
    )
    assert figures.short_share == Fraction(5, 8)
    assert figures.late_share is None
    assert figures.unreviewed_share == Fraction(1, 3)


def test_minutes_as_whole_numbers_or_fractions_give_the_same_balance():
    """The selectors give Fractions (used as they are); callers may give ints, Decimals or
    missing keys (made exact): both ways give the same figures and flags."""
    as_ints = Minutes(
        by_function={"management": 70, "support": 10},
        tagged=80,
        short_circuit=60,
        sessions_held=4,
        by_stage={"experience": 80},
        by_stakeholder={"people": 5},
        no_stage=Decimal(0),
    )
    as_fractions = Minutes(
        by_function={key: Fraction(as_ints.by_function.get(key, 0)) for key in FUNCTIONS},
        tagged=Fraction(80),
        short_circuit=Fraction(60),
        sessions_held=4,
        by_stage={key: Fraction(as_ints.by_stage.get(key, 0)) for key in STAGES},
        by_stakeholder={key: Fraction(as_ints.by_stakeholder.get(key, 0)) for key in STAKEHOLDERS},
        no_stage=Fraction(0),
    )
    one, other = (
        compute_balance(supervisee="sam@example.org", start=START, end=END, minutes=m)
        for m in (as_ints, as_fractions)
    )
    assert one.minutes == other.minutes
    assert one.flags == other.flags
    assert {flag.code for flag in one.flags} >= {MANAGEMENT_DOMINANT, REFLECTIVE_SHORT_CIRCUIT}
    assert all(type(v) is Fraction for v in one.minutes.by_function.values())
    with pytest.raises(ValueError, match="add up to"):
        compute_balance(
            supervisee="sam@example.org",
            start=START,
            end=END,
            minutes=Minutes(
                by_function={key: Fraction(1) for key in FUNCTIONS}, tagged=Fraction(5)
            ),
        )


@pytest.mark.parametrize(
    ("minutes", "short", "people"),
    [
        ({"management": 500, "development": 300, "support": 100, "mediation": 100}, 500, 300),
        # a twelfth of a minute over (or under) each limit, as items of 1-4 functions give them
        (
            {
                "management": Fraction(6001, 12),
                "development": Fraction(1199, 12),
                "support": 300,
                "mediation": 100,
            },
            Fraction(6001, 12),
            Fraction(3599, 12),
        ),
        ({"management": 1000, "development": 0, "support": 0, "mediation": 0}, 0, 0),
        (
            {
                "management": Fraction(1, 3),
                "development": Fraction(2, 3),
                "support": Fraction(1, 4),
                "mediation": Fraction(3, 4),
            },
            1,
            1,
        ),
    ],
)
def test_flags_in_twelfths_of_a_minute_are_the_flags_in_minutes(minutes, short, people):
    """An organisation's flags are counted from integer sums in twelfths of a minute
    (`flags_by_rule`): the same flags as the exact minutes give, edges included."""
    thresholds = Thresholds.from_values(
        dominance="0.5", neglect="0.1", short_circuit="0.5", min_sessions=2, stakeholder="0.3"
    )
    minutes = {key: Fraction(value) for key, value in minutes.items()}
    by_stakeholder = {key: Fraction(0) for key in STAKEHOLDERS} | {"people": Fraction(people)}
    in_minutes = compute_balance(
        supervisee="sam@example.org",
        start=START,
        end=END,
        minutes=Minutes(
            by_function=minutes,
            tagged=sum(minutes.values()),
            short_circuit=Fraction(short),
            sessions_held=3,
            by_stakeholder=by_stakeholder,
        ),
        reported_dominance=["support"],
        thresholds=thresholds,
    )
    in_twelfths = flags_by_rule(
        by_function={key: int(12 * value) for key, value in minutes.items()},
        tagged=int(12 * sum(minutes.values())),
        short_circuit=int(12 * short),
        absent_stakeholder=int(12 * people),
        sessions_held=3,
        overdue=False,
        reported=["support"],
        thresholds=thresholds,
    )
    assert in_twelfths == in_minutes.flags
    assert Flag(SUPERVISEE_REPORTED_DOMINANCE, "support") in in_twelfths
