"""Records past the retention period go, with their history; a dry run touches nothing."""

import datetime
import io

import pytest
from django.apps import apps
from django.core.management import call_command

from core import clock
from privacy import retention
from privacy.models import EventKind, PrivacyEvent
from privacy.retention import retention_cutoff
from sessions_app import brought_forward
from sessions_app import kept as kept_minutes
from sessions_app.models import (
    AccessLog,
    Acknowledgement,
    Action,
    ActionReview,
    Addendum,
    Attendance,
    Feedback,
    Item,
    MonthMinutes,
    RecordState,
    ReminderSent,
    Response,
    ReviewOutcome,
    Session,
)
from sessions_app.records import record_read_log
from tests.factories import ActionFactory, ItemFactory, SessionFactory
from tests.privacy.conftest import RATINGS

pytestmark = pytest.mark.django_db


def seven_years_before(day):
    try:
        return day.replace(year=day.year - 7)
    except ValueError:  # 29 February: .ci/run reruns this module on one (tests/conftest.py)
        return day.replace(year=day.year - 7, day=28)


# On 2026-11-25 (the default frozen day), 2019-11-25 is exactly 7 years ago.
EXACTLY_SEVEN_YEARS = seven_years_before(clock.today())
ONE_DAY_MORE = EXACTLY_SEVEN_YEARS - datetime.timedelta(days=1)

HISTORY_MODELS = [Session, Attendance, Item, Action, ActionReview, Acknowledgement, Feedback]


def a_full_record(supervisor, supervisee, manager, day, title):
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=day, record_state=RecordState.SHARED
    )
    item = ItemFactory(session=session, title=title)
    item.notes = f"{title} edited"
    item.save()  # a second history row
    action = ActionFactory(session=session, owner=supervisee)
    Acknowledgement.objects.create(session=session, person=supervisee, response=Response.AGREE)
    Feedback.objects.create(session=session, person=supervisee, **RATINGS)
    Addendum.objects.create(session=session, author=supervisor, text=f"{title} addendum")
    record_read_log(session=session, by=manager)
    return session, action


@pytest.fixture
def old_and_kept(supervisor, supervisee, manager):
    old, old_action = a_full_record(supervisor, supervisee, manager, ONE_DAY_MORE, "OLD")
    kept, _ = a_full_record(supervisor, supervisee, manager, EXACTLY_SEVEN_YEARS, "KEPT")
    return old, kept, old_action


def history_rows(session_id):
    total = 0
    for model in HISTORY_MODELS:
        history = model.history.model.objects
        if model is Session:
            total += history.filter(id=session_id).count()
        else:
            total += history.filter(session_id=session_id).count()
    return total


def table_counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models(include_auto_created=True)
    }


def test_the_cutoff_is_the_same_date_the_period_before():
    assert retention_cutoff(datetime.date(2026, 11, 25), 7) == datetime.date(2019, 11, 25)
    assert retention_cutoff(datetime.date(2028, 2, 29), 7) == datetime.date(2021, 2, 28)
    assert retention_cutoff(datetime.date(2028, 2, 29), 4) == datetime.date(2024, 2, 29)


def test_a_record_one_day_past_seven_years_goes_and_one_exactly_seven_years_old_stays(
    old_and_kept,
):
    old, kept, _ = old_and_kept
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert list(Session.objects.all()) == [kept]
    assert not Item.objects.filter(session_id=old.pk).exists()
    assert Item.objects.filter(session=kept).count() == 1
    for model in [Attendance, Action, Acknowledgement, Feedback, Addendum]:
        assert not model.objects.filter(session_id=old.pk).exists(), model
        assert model.objects.filter(session=kept).count() == 1, model
    # The access log outlives a session removed in admin, but not one past its retention.
    assert list(AccessLog.objects.values_list("session_id", flat=True)) == [kept.pk]


def test_reads_of_sessions_removed_in_admin_go_when_they_are_as_old(manager, old_and_kept):
    old_read, recent_read = (
        AccessLog.objects.create(user=manager, session=None, session_label=label)
        for label in ("Supervision with Sam Social, removed", "Supervision with Nia, removed")
    )
    AccessLog.objects.filter(pk=old_read.pk).update(
        viewed_at=datetime.datetime.combine(ONE_DAY_MORE, datetime.time(12), tzinfo=datetime.UTC)
    )
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert not AccessLog.objects.filter(pk=old_read.pk).exists()
    assert AccessLog.objects.filter(pk=recent_read.pk).exists()


def test_history_rows_of_deleted_records_are_removed_and_others_kept(old_and_kept):
    old, kept, _ = old_and_kept
    kept_history = history_rows(kept.pk)
    assert history_rows(old.pk) > 0
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert history_rows(old.pk) == 0
    assert history_rows(kept.pk) == kept_history
    assert not Item.history.filter(title="OLD").exists()


def test_a_kept_sessions_review_of_an_expired_action_goes_with_the_action(
    old_and_kept, supervisor, supervisee
):
    _, kept, old_action = old_and_kept
    ActionReview.objects.create(action=old_action, session=kept, outcome=ReviewOutcome.DONE)
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert not ActionReview.objects.exists()
    assert not ActionReview.history.exists()
    assert Session.objects.filter(pk=kept.pk).exists()


def test_reminders_sent_before_the_cutoff_go(supervisee, old_and_kept):
    old = ReminderSent.objects.create(person=supervisee, kind="overdue", subject_key="old")
    ReminderSent.objects.filter(pk=old.pk).update(
        sent_at=datetime.datetime.combine(ONE_DAY_MORE, datetime.time(12), tzinfo=datetime.UTC)
    )
    recent = ReminderSent.objects.create(person=supervisee, kind="overdue", subject_key="new")
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert list(ReminderSent.objects.all()) == [recent]


def test_the_dry_run_is_the_default_prints_what_it_would_do_and_writes_nothing(
    old_and_kept, capsys
):
    old, _, _ = old_and_kept
    before = table_counts()
    history_before = history_rows(old.pk)
    call_command("apply_retention")
    out = capsys.readouterr().out
    assert table_counts() == before
    assert history_rows(old.pk) == history_before
    assert f"sessions dated before {EXACTLY_SEVEN_YEARS.isoformat()} are past it" in out
    assert "Would delete:" in out
    assert "      1  sessions" in out
    assert "      1  discussion items" in out
    assert f"{history_before:>7}  history rows" in out
    assert "Dry run: nothing was deleted" in out


def test_apply_logs_what_was_deleted_when_and_by_the_command(old_and_kept, capsys):
    old, _, _ = old_and_kept
    history_before = history_rows(old.pk)
    call_command("apply_retention", "--apply")
    out = capsys.readouterr().out
    assert "Deleted:" in out
    event = PrivacyEvent.objects.get()
    assert event.kind == EventKind.RETENTION
    assert event.actor is None
    assert event.details["by"] == "manage.py apply_retention --apply"
    assert event.details["deleted_sessions_dated_before"] == EXACTLY_SEVEN_YEARS.isoformat()
    assert event.details["deleted"]["sessions"] == 1
    assert event.details["deleted"]["access log rows"] == 1
    assert event.details["deleted"]["history rows"] == history_before


def test_nothing_to_delete_says_so(supervisor, supervisee, capsys):
    SessionFactory(supervisor=supervisor, supervisee=supervisee, date=EXACTLY_SEVEN_YEARS)
    call_command("apply_retention", "--apply")
    assert "Nothing is past the retention period." in capsys.readouterr().out
    assert Session.objects.count() == 1


def test_the_period_comes_from_the_setting(old_and_kept, settings):
    settings.RETENTION_YEARS = 8
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert Session.objects.count() == 2


def test_a_failure_part_way_deletes_nothing(old_and_kept, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(retention.PrivacyEvent.objects, "create", broken)
    old, _, _ = old_and_kept
    with pytest.raises(RuntimeError):
        call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert Session.objects.filter(pk=old.pk).exists()
    assert history_rows(old.pk) > 0


def test_the_minutes_kept_for_removed_sessions_go_with_them(old_and_kept):
    old, _kept, _ = old_and_kept
    old_month = MonthMinutes.objects.filter(month=old.date.replace(day=1))
    held_there = sum(old_month.values_list("sessions_held", flat=True))
    removed = old.attendances.filter(present=True).count()
    assert removed
    call_command("apply_retention", "--apply", stdout=io.StringIO())
    assert sum(old_month.values_list("sessions_held", flat=True)) == held_there - removed
    assert kept_minutes.differences() == []
    # The kept session's previous session went, and the review of its action there with it.
    assert brought_forward.differences() == []
