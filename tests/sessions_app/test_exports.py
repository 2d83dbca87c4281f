"""Take it with you: a supervisee's own log (CSV, printable page) and planned sessions (.ics)."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from core import clock
from core.dates import one_year_before
from sessions_app.exports import ics_escape, ics_fold
from sessions_app.models import Acknowledgement, RecordState, Status
from tests.factories import (
    ActionFactory,
    GroupSessionFactory,
    ItemFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def days(n):
    return datetime.timedelta(days=n)


def shared(supervisor, supervisee, on, **extra):
    return SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=on,
        record_state=extra.pop("record_state", RecordState.SHARED),
        **extra,
    )


def csv_rows(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def log_csv(client, **params):
    return client.get(reverse("sessions:my_log_csv"), params)


def log_page(client, **params):
    return client.get(reverse("sessions:my_log_print"), params)


@pytest.fixture
def world(supervisor, supervisee, other_supervisee, other_supervisor):
    """Sam's records, and around them everything that must stay out of Sam's log."""
    today = clock.today()
    mine = shared(supervisor, supervisee, today - days(20))
    ItemFactory(session=mine, title="Caseload review", minutes=40, functions=["management"])
    ItemFactory(
        session=mine,
        title="Bereavement",
        minutes=20,
        functions=["support", "development"],
        confidential=True,
    )
    ActionFactory(
        session=mine, owner=supervisee, description="Read the policy", due_date=today + days(5)
    )
    Acknowledgement.objects.create(
        session=mine, person=supervisee, response="agree_with_comments", comments="Fair record"
    )
    signed = shared(supervisor, supervisee, today - days(50), record_state=RecordState.SIGNED_OFF)
    group = GroupSessionFactory(
        supervisor=supervisor,
        date=today - days(30),
        record_state=RecordState.SHARED,
        attendees=[(supervisee, False), (other_supervisee, True)],
    )
    ItemFactory(session=group, title="Nia's private worry", confidential=True)
    ItemFactory(session=group, title="Team caseloads")
    return {
        "mine": mine,
        "signed": signed,
        "group": group,
        "draft": shared(supervisor, supervisee, today - days(10), record_state=RecordState.DRAFT),
        "planned": SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            status=Status.PLANNED,
            date=today + days(3),
        ),
        "old": shared(supervisor, supervisee, today - days(400)),
        "others": shared(supervisor, other_supervisee, today - days(20)),
        "other_supervisors": shared(
            other_supervisor, UserFactory(email="kit@example.org"), today - days(20)
        ),
    }


# -- the CSV ---------------------------------------------------------------------------------


def test_csv_holds_exactly_the_supervisees_own_shared_records(login, supervisee, world):
    response = log_csv(login(supervisee))
    today = clock.today()
    start = one_year_before(today)  # 29 February 2028 looks back to 28 February 2027
    assert response["Content-Disposition"] == (
        f'attachment; filename="fourfold-supervision-log-{start}-{today}.csv"'
    )
    rows = csv_rows(response)
    expected = [world[k].date.isoformat() for k in ("signed", "group", "mine")]
    assert [r["Date"] for r in rows] == expected


def test_csv_row_content(login, supervisee, world):
    rows = {r["Date"]: r for r in csv_rows(log_csv(login(supervisee)))}
    mine = rows[world["mine"].date.isoformat()]
    assert mine["Supervisor"] == "Sue Supervisor"
    assert mine["Format"] == "One-to-one"
    assert mine["Duration (minutes)"] == "90"
    assert mine["Status"] == "Held"
    assert mine["Record state"] == "Shared"
    assert mine["Your acknowledgement"] == "I agree, with comments"
    assert mine["Your acknowledgement comments"] == "Fair record"
    # A one-to-one's confidential item is the supervisee's own: its title is there.
    assert mine["Items"].splitlines() == [
        "Caseload review (40 min: Management)",
        "Bereavement (20 min: Development, Support)",
    ]
    assert mine["Actions"].startswith("Read the policy (Sam Social, due ")
    group = rows[world["group"].date.isoformat()]
    assert group["Group type"] == "Team"
    assert group["Your attendance"] == "Absent"
    assert group["Items"].splitlines()[0] == "Confidential item (30 min: Management)"
    assert "Nia" not in group["Items"]
    assert rows[world["signed"].date.isoformat()]["Record state"] == "Signed off"
    assert rows[world["signed"].date.isoformat()]["Your acknowledgement"] == "Not yet"


def test_csv_neutralises_spreadsheet_formulas(login, supervisor, supervisee):
    session = shared(supervisor, supervisee, clock.today() - days(1))
    ItemFactory(session=session, title='=HYPERLINK("http://evil.example","click")')
    ActionFactory(session=session, owner=None, owner_name="x", description="+1+cmd|' /C calc'!A0")
    Acknowledgement.objects.create(
        session=session, person=supervisee, response="disagree", comments="@SUM(1+1)"
    )
    (row,) = csv_rows(log_csv(login(supervisee)))
    assert row["Items"].startswith("'=HYPERLINK")
    assert row["Actions"].startswith("'+1+cmd")
    assert row["Your acknowledgement comments"] == "'@SUM(1+1)"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@"))


def test_date_range_is_inclusive(login, supervisor, supervisee):
    for day in (1, 2, 3, 4, 5):
        shared(supervisor, supervisee, datetime.date(2025, 6, day))
    client = login(supervisee)
    rows = csv_rows(log_csv(client, **{"from": "2025-06-02", "to": "2025-06-04"}))
    assert [r["Date"] for r in rows] == ["2025-06-02", "2025-06-03", "2025-06-04"]
    body = log_page(client, **{"from": "2025-06-02", "to": "2025-06-04"}).content.decode()
    assert body.count('class="ff-print-session') == 3
    assert "Monday 2 June 2025" in body and "Sunday 1 June 2025" not in body


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2025-02-30"}, "“2025-02-30” is not a date"),
        ({"to": "yesterday"}, "“yesterday” is not a date"),
        ({"from": "2025-1-1"}, "is not a date. Use YYYY-MM-DD"),
        ({"from": "0000-01-01"}, "is not a date"),
        ({"from": "2025-06-05", "to": "2025-06-01"}, "The “from” date is after the “to” date"),
    ],
)
@pytest.mark.parametrize("view", [log_csv, log_page])
def test_bad_dates_give_a_clear_400_page(login, supervisee, world, view, params, message):
    response = view(login(supervisee), **params)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    body = response.content.decode()
    assert message in body
    assert 'class="ff-print-session' not in body


def test_other_roles_see_only_their_own_records(login, supervisor, administrator, manager, world):
    # The supervisor leads these sessions but attended none of them as a supervisee.
    assert csv_rows(log_csv(login(supervisor))) == []
    for person in (administrator, manager):
        assert csv_rows(log_csv(login(person))) == []


def test_csv_and_page_query_counts_do_not_grow_with_sessions(
    login, supervisor, supervisee, django_assert_max_num_queries
):
    client = login(supervisee)

    def add(n):
        for i in range(n):
            session = shared(supervisor, supervisee, clock.today() - days(i + 1))
            ItemFactory(session=session)
            ItemFactory(session=session, confidential=True)
            ActionFactory(session=session, owner=supervisee)
            Acknowledgement.objects.create(session=session, person=supervisee, response="agree")

    def count(view):
        with django_assert_max_num_queries(20) as captured:
            assert view(client).status_code == 200
        return len(captured)

    add(2)
    few = count(log_csv), count(log_page)
    add(15)
    assert (count(log_csv), count(log_page)) == few


# -- the printable page ------------------------------------------------------------------------


def test_print_page_shows_the_same_records_and_hides_group_confidential_titles(
    login, supervisee, world
):
    response = log_page(login(supervisee))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('<article class="ff-print-session') == 3
    assert "Caseload review" in body and "Bereavement" in body
    assert "Team caseloads" in body
    assert "private worry" not in body
    assert "Confidential item" in body
    for other in ("draft", "planned", "old", "others", "other_supervisors"):
        assert f'id="log-session-{world[other].pk}"' not in body


def test_print_page_has_labelled_range_form_csv_link_and_ordered_headings(login, supervisee, world):
    body = log_page(login(supervisee), **{"from": "2025-01-01", "to": "2025-12-31"}).content
    body = body.decode()
    assert '<label class="form-label" for="log-from">From</label>' in body
    assert 'id="log-from" name="from" value="2025-01-01"' in body
    assert '<label class="form-label" for="log-to">To</label>' in body
    csv_url = reverse("sessions:my_log_csv") + "?from=2025-01-01&amp;to=2025-12-31"
    assert f'href="{csv_url}">Download CSV</a>' in body
    assert "Print" in body and "PDF" in body
    body = log_page(login(supervisee)).content.decode()
    levels = [int(n) for n in re.findall(r"<h([1-6])", body)]
    assert levels[0] == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False))


# -- the calendar ------------------------------------------------------------------------------


def unfold(text):
    return text.replace("\r\n ", "")


def events(text):
    return re.findall(r"BEGIN:VEVENT\r\n(.*?)END:VEVENT\r\n", unfold(text), re.S)


def test_ics_holds_only_the_users_own_planned_sessions(
    login, supervisor, supervisee, other_supervisee, other_supervisor
):
    today = clock.today()
    timed = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.PLANNED,
        date=today + days(7),
        start_time=datetime.time(14, 30),
        duration_minutes=75,
    )
    all_day = GroupSessionFactory(
        supervisor=supervisor,
        status=Status.PLANNED,
        date=today,
        attendees=[(supervisee, True), (other_supervisee, True)],
    )
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED, date=today - days(1)
    )
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=today + days(1))
    SessionFactory(
        supervisor=supervisor,
        supervisee=other_supervisee,
        status=Status.PLANNED,
        date=today + days(2),
    )
    SessionFactory(
        supervisor=other_supervisor,
        supervisee=UserFactory(),
        status=Status.PLANNED,
        date=today + days(2),
    )

    response = login(supervisee).get(reverse("sessions:planned_ics"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    text = response.content.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    found = events(text)
    assert len(found) == 2
    uids = sorted(re.search(r"UID:(.*)\r\n", e).group(1) for e in found)
    assert uids == sorted([f"session-{timed.pk}@fourfold", f"session-{all_day.pk}@fourfold"])
    timed_event = next(e for e in found if f"session-{timed.pk}@" in e)
    assert f"DTSTART;TZID=Europe/London:{timed.date:%Y%m%d}T143000\r\n" in timed_event
    assert "DURATION:PT75M\r\n" in timed_event
    assert "SUMMARY:Supervision with Sue Supervisor\r\n" in timed_event
    assert re.search(r"DTSTAMP:\d{8}T\d{6}Z\r\n", timed_event)
    assert "BEGIN:VTIMEZONE\r\nTZID:Europe/London\r\n" in text
    group_event = next(e for e in found if f"session-{all_day.pk}@" in e)
    assert f"DTSTART;VALUE=DATE:{today:%Y%m%d}\r\n" in group_event
    assert "DURATION" not in group_event
    assert "SUMMARY:Team group supervision\r\n" in group_event


def test_ics_for_the_supervisor_names_the_supervisee(login, supervisor, supervisee):
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.PLANNED,
        date=clock.today() + days(1),
    )
    text = login(supervisor).get(reverse("sessions:planned_ics")).content.decode()
    (event,) = events(text)
    assert "SUMMARY:Supervision with Sam Social\r\n" in event


def test_ics_with_nothing_planned_is_an_empty_calendar(login, outsider):
    text = login(outsider).get(reverse("sessions:planned_ics")).content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "VEVENT" not in text and "VTIMEZONE" not in text


def test_ics_escapes_text_and_folds_long_lines():
    assert ics_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "DESCRIPTION:" + "é" * 80
    folded = ics_fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert unfold(folded) == line
    assert ics_fold("SHORT:line") == "SHORT:line"


def test_ics_names_with_commas_are_escaped_and_long_lines_folded(login, supervisor):
    person = UserFactory(name="O'Brien, Siobhán; Senior Practitioner in the Adults North team")
    SessionFactory(
        supervisor=supervisor,
        supervisee=person,
        status=Status.PLANNED,
        date=clock.today() + days(1),
    )
    text = login(person).get(reverse("sessions:planned_ics")).content.decode()
    assert any(line.startswith(" ") for line in text.split("\r\n"))
    (event,) = events(text)
    assert "Supervisor: Sue Supervisor." in event
    text = login(supervisor).get(reverse("sessions:planned_ics")).content.decode()
    (event,) = events(text)
    assert "SUMMARY:Supervision with O'Brien\\, Siobhán\\; Senior Practitioner" in event


def test_ics_query_count_does_not_grow_with_sessions(
    login, supervisor, supervisee, django_assert_max_num_queries
):
    client = login(supervisee)

    def add(n):
        for i in range(n):
            SessionFactory(
                supervisor=supervisor,
                supervisee=supervisee,
                status=Status.PLANNED,
                date=clock.today() + days(i),
            )

    def count():
        with django_assert_max_num_queries(10) as captured:
            assert client.get(reverse("sessions:planned_ics")).status_code == 200
        return len(captured)

    add(2)
    few = count()
    add(15)
    assert count() == few
