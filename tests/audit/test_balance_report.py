"""`balance_report`: the public contract of INTERFACES.md, and the worked example."""

import csv
import datetime
import io
import json
from zoneinfo import ZoneInfo

import django
import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from core import collector
from tests.factories import ItemFactory, SessionFactory, UserFactory
from tests.worked_example import contract_part, expected_balance, import_example

EXAMPLE_WINDOW = ["--from", "2026-01-01", "--to", "2026-03-31"]


def report(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("balance_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def report_json(*args):
    out, _ = report(*args)
    return json.loads(out)


def report_csv(*args):
    out, _ = report(*args, "--format", "csv")
    return list(csv.DictReader(io.StringIO(out)))


@pytest.fixture
def example(db):
    import_example()


@pytest.fixture
def today_is_31_march(time_machine):
    # 23:30 on 31 March is already 1 April in UTC (British Summer Time): today is the local date.
    time_machine.move_to(
        datetime.datetime(2026, 3, 31, 23, 30, tzinfo=ZoneInfo("Europe/London")), tick=False
    )


# The worked example.


def test_worked_example_gives_exactly_the_expected_json(example):
    assert contract_part(report_json("--all", *EXAMPLE_WINDOW, "--format", "json")) == (
        expected_balance()
    )


def test_one_supervisee_a_line(example):
    out, _ = report("--all", *EXAMPLE_WINDOW)
    lines = out.splitlines()
    assert lines[0] == "[" and lines[-1] == "]"
    people = [json.loads(line.rstrip(","))["supervisee"] for line in lines[1:-1]]
    assert people == [balance["supervisee"] for balance in json.loads(out)]
    assert len(people) > 1


def test_no_supervisee_is_an_empty_list(db):
    out, _ = report("--all", *EXAMPLE_WINDOW)
    assert json.loads(out) == []


def test_worked_example_prints_numbers_as_json_numbers(example):
    out, _ = report("--all", *EXAMPLE_WINDOW)
    assert '"tagged_minutes": 160.0' in out
    assert '"mediation": 0.0313' in out
    assert '"management": 63.33' in out


def test_default_window_is_the_90_days_ending_today(example, today_is_31_march):
    assert contract_part(report_json("--all")) == expected_balance()


def test_from_defaults_to_89_days_before_to(example):
    rows = report_json("--all", "--to", "2026-02-28")
    assert {(row["from"], row["to"]) for row in rows} == {("2025-12-01", "2026-02-28")}


def test_to_defaults_to_today(example, today_is_31_march):
    rows = report_json("--all", "--from", "2026-03-01")
    assert {(row["from"], row["to"]) for row in rows} == {("2026-03-01", "2026-03-31")}


def test_one_supervisee_by_email_in_any_case(example):
    expected = [row for row in expected_balance() if row["supervisee"] == "sam@example.org"]
    assert contract_part(report_json("--supervisee", "SAM@Example.org", *EXAMPLE_WINDOW)) == (
        expected
    )


def test_one_team_by_name_in_any_case(example):
    assert contract_part(report_json("--team", "adults north", *EXAMPLE_WINDOW)) == (
        expected_balance()
    )
    assert report_json("--team", "External", *EXAMPLE_WINDOW) == []


def test_a_person_who_is_not_a_supervisee_in_the_window_gives_an_empty_list(example):
    out, err = report("--supervisee", "eve@example.org", *EXAMPLE_WINDOW)
    assert json.loads(out) == []
    assert "not a supervisee" in err


def test_a_from_equal_to_to_is_a_one_day_window(example):
    rows = report_json("--all", "--from", "2026-03-10", "--to", "2026-03-10")
    nia = next(row for row in rows if row["supervisee"] == "nia@example.org")
    assert nia["sessions_held"] == 1
    assert nia["minutes"]["management"] == 30.0


def test_shares_are_null_and_function_keys_present_without_tagged_minutes(example):
    rows = report_json("--all", "--from", "2026-04-01", "--to", "2026-04-02")
    assert [row["supervisee"] for row in rows] == [
        "lee@example.org",
        "nia@example.org",
        "pat@example.org",
        "sam@example.org",
    ]
    sam = rows[-1]
    assert sam["shares"] is None
    assert sam["minutes"] == {
        "management": 0.0,
        "development": 0.0,
        "support": 0.0,
        "mediation": 0.0,
    }
    assert sam["sessions_held"] == 0


# CSV.


def test_csv_has_one_row_per_supervisee_with_the_same_fields_flattened(example):
    rows = report_csv("--all", *EXAMPLE_WINDOW)
    assert list(rows[0]) == [
        "supervisee",
        "from",
        "to",
        "sessions_held",
        "tagged_minutes",
        "minutes_management",
        "minutes_development",
        "minutes_support",
        "minutes_mediation",
        "share_management",
        "share_development",
        "share_support",
        "share_mediation",
        "short_circuit_minutes",
        "flags",
        "stage_minutes_experience",
        "stage_minutes_reflection",
        "stage_minutes_analysis",
        "stage_minutes_plans_actions",
        "stakeholder_minutes_supervisee",
        "stakeholder_minutes_people",
        "stakeholder_minutes_organisation",
        "stakeholder_minutes_partners",
    ]
    assert {key: rows[0][key] for key in list(rows[0])[:15]} == {
        "supervisee": "lee@example.org",
        "from": "2026-01-01",
        "to": "2026-03-31",
        "sessions_held": "2",
        "tagged_minutes": "160.0",
        "minutes_management": "110.0",
        "minutes_development": "0.0",
        "minutes_support": "45.0",
        "minutes_mediation": "5.0",
        "share_management": "0.6875",
        "share_development": "0.0",
        "share_support": "0.2813",
        "share_mediation": "0.0313",
        "short_circuit_minutes": "110.0",
        "flags": "function_neglected:development;function_neglected:mediation;"
        "management_dominant;reflective_short_circuit;supervision_overdue",
    }


def test_csv_matches_the_json_for_every_supervisee(example):
    for row, expected in zip(report_csv("--all", *EXAMPLE_WINDOW), expected_balance(), strict=True):
        assert row["supervisee"] == expected["supervisee"]
        assert int(row["sessions_held"]) == expected["sessions_held"]
        assert float(row["tagged_minutes"]) == expected["tagged_minutes"]
        for key, minutes in expected["minutes"].items():
            assert float(row[f"minutes_{key}"]) == minutes
            assert float(row[f"share_{key}"]) == expected["shares"][key]
        flags = [
            f"{flag['code']}:{flag['function']}" if "function" in flag else flag["code"]
            for flag in expected["flags"]
        ]
        assert row["flags"] == ";".join(flags)


def test_csv_shares_are_empty_when_nothing_is_tagged(example):
    rows = report_csv("--all", "--from", "2026-04-01", "--to", "2026-04-02")
    assert rows[-1]["share_management"] == ""
    assert rows[-1]["minutes_management"] == "0.0"
    assert rows[-1]["flags"] == "supervision_overdue"


def test_csv_of_nobody_is_just_the_header(db):
    out, _ = report("--all", "--format", "csv")
    assert out.strip().startswith("supervisee,from,to")
    assert len(out.strip().splitlines()) == 1


def test_rounding_in_the_report_is_once_and_half_away_from_zero(supervisor, supervisee):
    for day in (datetime.date(2026, 3, 1), datetime.date(2026, 3, 31)):
        session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=day)
        ItemFactory(session=session, minutes=1, functions=["management", "support", "mediation"])
        ItemFactory(session=session, minutes=15, functions=["development"])

    (sam,) = report_json("--all", "--from", "2026-03-01", "--to", "2026-03-31")

    # 2/3 of a minute each, not 0.67 * 2 = 1.34 from summing rounded parts.
    assert sam["minutes"]["management"] == 0.67
    assert sam["tagged_minutes"] == 32.0
    assert sam["shares"]["management"] == 0.0208  # 1/48 = 0.0208333...
    assert sam["shares"]["development"] == 0.9375


# Bad input: a clear error, nothing printed.


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--supervisee", "nobody@example.org"], "No person with the email"),
        (["--team", "Nowhere"], "No team called 'Nowhere'"),
        (["--all", "--from", "2026-04-01", "--to", "2026-03-31"], "is after --to"),
        (["--all", "--from", "2026-02-30"], "not a real date"),
        (["--all", "--to", "31/03/2026"], "YYYY-MM-DD"),
        (["--all", "--to", "20260331"], "YYYY-MM-DD"),
        (["--all", "--from", ""], "YYYY-MM-DD"),
    ],
)
def test_bad_input_is_a_clear_command_error(db, args, message):
    UserFactory(email="sue@example.org")
    with pytest.raises(CommandError, match=message):
        report(*args)


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--all", "--team", "Adults North"],
        ["--all", "--format", "xml"],
    ],
)
def test_scope_is_required_and_single_and_format_is_json_or_csv(db, args):
    with pytest.raises(CommandError):
        report(*args)


def test_a_bad_date_on_the_command_line_exits_non_zero_without_a_traceback(db, capsys, monkeypatch):
    # As `manage.py` runs it (Django's ManagementUtility): an uncaught exception would fail
    # this test with its traceback, so reaching the asserts means none escaped. The apps are
    # set up already; setting them up again would configure logging again, binding the
    # console handler to this test's captured stderr, closed once the test ends: every later
    # log line in the process would then fail and print a stack ("--- Logging error ---").
    monkeypatch.setattr(django, "setup", lambda *args, **kwargs: None)
    monkeypatch.setattr(collector, "settle", lambda: None)  # this process's collector stays
    utility = ManagementUtility(["manage.py", "balance_report", "--all", "--from", "2026-02-30"])
    with pytest.raises(SystemExit) as exit_:
        utility.execute()
    assert exit_.value.code not in (0, None)
    out, err = capsys.readouterr()
    assert "not a real date" in err
    assert "Traceback" not in err
    assert out == ""


class Settled(Exception):
    pass


def settle_stops(monkeypatch):
    def settle():
        raise Settled

    monkeypatch.setattr(collector, "settle", settle)


def test_from_the_command_line_the_collector_is_set_as_the_web_workers_set_it(monkeypatch):
    # A national body's report makes millions of small objects (docs/performance.md).
    monkeypatch.setattr(django, "setup", lambda *args, **kwargs: None)
    settle_stops(monkeypatch)
    with pytest.raises(Settled):
        ManagementUtility(["manage.py", "balance_report", "--all"]).execute()


def test_through_call_command_the_collector_is_left_as_it_is(example, monkeypatch):
    settle_stops(monkeypatch)
    assert report_json("--all", *EXAMPLE_WINDOW)
