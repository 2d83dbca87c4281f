"""The clock: today is the organisation's date, not the machine's (core.clock)."""

import datetime
from zoneinfo import ZoneInfo

from core import clock
from tests.conftest import frozen_moment

LONDON = ZoneInfo("Europe/London")


def test_today_is_the_date_in_london_not_in_utc(time_machine):
    # 00:30 on 25 October 2026 in London is still 24 October in UTC (British Summer Time).
    time_machine.move_to(datetime.datetime(2026, 10, 25, 0, 30, tzinfo=LONDON), tick=False)
    assert clock.now().astimezone(datetime.UTC).date() == datetime.date(2026, 10, 24)
    assert clock.today() == datetime.date(2026, 10, 25)


def test_local_date_of_a_moment(time_machine):
    moment = datetime.datetime(2026, 3, 28, 23, 30, tzinfo=datetime.UTC)
    assert clock.local_date(moment) == datetime.date(2026, 3, 28)  # GMT until the 29th
    summer = datetime.datetime(2026, 6, 30, 23, 30, tzinfo=datetime.UTC)
    assert clock.local_date(summer) == datetime.date(2026, 7, 1)


def test_the_suite_runs_at_one_fixed_moment():
    # tests/conftest.py freezes the clock for the whole run: no test reads the real date.
    assert clock.today() == frozen_moment().date()
