"""The background worker: the real db_worker sends what the outbox holds, and the minute tick
retries failures and queues each day's reminders once, with no cron."""

import datetime
import logging
import signal
import smtplib
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from outbox.models import DailyRun, OutgoingEmail
from outbox.services import queue_email
from outbox.tasks import deliver
from sessions_app import tasks
from sessions_app.models import ReminderSent
from tests.factories import SessionFactory

LONDON = ZoneInfo("Europe/London")
# A Wednesday morning, whatever FOURFOLD_TEST_NOW says: after the reminders' hour.
MORNING = datetime.datetime(2026, 11, 25, 10, 30, tzinfo=LONDON)


def at(moment):
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def database_tasks(settings):
    """Tasks kept in the database, as in production (tests otherwise run them at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def worker():
    """Run the real worker in this process until no task is ready (`--batch`).

    db_worker installs its own SIGINT/SIGTERM handlers and log levels: put them back after.
    """
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    loggers = [logging.getLogger(name) for name in ("django.tasks", "django_tasks_db")]
    levels = [lg.level for lg in loggers]

    def run():
        call_command(
            "run_worker",
            "--batch",
            "--no-reload",
            "--no-startup-delay",
            "--interval=0",
            stdout=StringIO(),
        )

    yield run
    for sig, handler in handlers.items():
        signal.signal(sig, handler)
    for lg, level in zip(loggers, levels, strict=True):
        lg.setLevel(level)


def waiting(task):
    return DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY)


@pytest.fixture
def due_soon(supervisor, supervisee):
    """Sue and Sam's monthly one-to-one is due within the week."""
    return SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=MORNING.date() - datetime.timedelta(27)
    )


@pytest.mark.django_db(transaction=True)
def test_the_real_worker_sends_a_queued_email_and_keeps_a_tick_waiting(
    database_tasks, worker, mailoutbox, caplog
):
    with at(MORNING):
        with transaction.atomic():
            email = queue_email(to="sue@example.org", subject="Hello", body="Body", kind="test")
        # Committed and queued for the worker; nothing sent by the request itself.
        assert mailoutbox == []
        assert waiting(deliver).count() == 1
        worker()
    assert "path=outbox.tasks.deliver state=SUCCESSFUL" in caplog.text
    assert [m.subject for m in mailoutbox] == ["Hello"]
    email.refresh_from_db()
    assert email.status == OutgoingEmail.Status.SENT
    tick = waiting(tasks.tick).get()
    assert tick.run_after == MORNING + tasks.TICK


@pytest.mark.django_db(transaction=True)
def test_the_tick_retries_failures_and_queues_the_days_reminders_once(
    database_tasks, worker, mailoutbox, monkeypatch, due_soon
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    with at(MORNING):
        with monkeypatch.context() as down:
            down.setattr("django.core.mail.EmailMessage.send", refuse)
            with transaction.atomic():
                failed = queue_email(to="sue@example.org", subject="Hi", body="B", kind="test")
            worker()  # tries it once, fails, and schedules the first tick
        failed.refresh_from_db()
        assert (failed.status, failed.attempts) == (OutgoingEmail.Status.PENDING, 1)
        assert mailoutbox == []

    # A minute on the tick runs: the retry goes, and the morning's reminders are queued
    # and sent, in the same worker run.
    with at(MORNING + datetime.timedelta(minutes=2)):
        worker()
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutgoingEmail.Status.SENT, 2)
    assert sorted(m.to[0] for m in mailoutbox) == [
        "sam@example.org",
        "sue@example.org",
        "sue@example.org",
    ]
    assert DailyRun.objects.filter(job="reminders", day=MORNING.date()).count() == 1
    assert ReminderSent.objects.count() == 2

    # Later ticks the same day queue nothing more; the chain stays one tick long.
    for minutes in (4, 6, 8):
        with at(MORNING + datetime.timedelta(minutes=minutes)):
            worker()
            assert waiting(tasks.tick).count() == 1
    assert len(mailoutbox) == 3
    assert ReminderSent.objects.count() == 2


@pytest.mark.django_db
def test_a_tick_waits_once_however_often_it_is_scheduled(database_tasks):
    with at(MORNING):
        assert tasks.schedule_tick() is not None
        assert tasks.schedule_tick() is None
        assert tasks.schedule_tick() is None
    assert waiting(tasks.tick).count() == 1


@pytest.mark.django_db
def test_a_failing_tick_still_schedules_the_next(database_tasks, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("outbox.sending.send_due", broken)
    with at(MORNING), pytest.raises(RuntimeError):
        tasks.tick.call()
    assert waiting(tasks.tick).count() == 1


@pytest.mark.django_db
def test_no_tick_is_scheduled_with_the_immediate_backend():
    # It would run at once, and schedule the next at once, forever.
    assert tasks.schedule_tick() is None


@pytest.mark.django_db
def test_reminders_are_queued_once_a_day_from_seven_in_the_morning(mailoutbox, due_soon):
    day = MORNING.date()
    early = datetime.datetime.combine(day, datetime.time(6, 59), tzinfo=LONDON)
    seven = datetime.datetime.combine(day, datetime.time(7, 0), tzinfo=LONDON)
    assert tasks.run_daily_jobs(now=early) is False
    assert not ReminderSent.objects.exists()
    assert tasks.run_daily_jobs(now=seven) is True
    assert ReminderSent.objects.count() == 2
    assert OutgoingEmail.objects.filter(kind="reminders").count() == 2
    assert tasks.run_daily_jobs(now=seven + datetime.timedelta(hours=5)) is False
    assert OutgoingEmail.objects.filter(kind="reminders").count() == 2
    # The next morning is a new day: the job runs (nothing new is due, so nothing is queued).
    assert tasks.run_daily_jobs(now=seven + datetime.timedelta(days=1)) is True
    assert OutgoingEmail.objects.filter(kind="reminders").count() == 2
    assert DailyRun.objects.count() == 2


@pytest.mark.django_db
def test_people_with_reminders_off_get_none_from_the_worker(supervisee, due_soon):
    supervisee.reminder_emails = False
    supervisee.save()
    assert tasks.run_daily_jobs(now=MORNING) is True
    assert list(OutgoingEmail.objects.values_list("to", flat=True)) == ["sue@example.org"]
