"""What the worker does by itself: every minute, send what is due in the outbox; once a day,
in the morning, queue the reminders.

django.tasks has no scheduler (and django-tasks-db no cron), so the minute tick keeps itself
going: each run enqueues the next one, a minute later, unless a tick is already waiting.
That check makes the chain self-merging: a second worker, or `run_worker` starting while a
tick waits, never doubles it. `manage.py run_worker` makes sure a tick is waiting before the
worker starts, which also revives a chain broken by a worker killed in the middle of a tick.

Once a day is guarded twice: a DailyRun row for the day, written in the same transaction as
the reminders it queues (a second tick, or a second worker, finds it and does nothing), and
ReminderSent under the reminders themselves (so even `send_reminders` run by hand on the same
day queues nothing new).
"""

import logging
from datetime import time, timedelta

from django.core.management import call_command
from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core import clock
from outbox import sending
from outbox.models import DailyRun

from .reminders import queue_reminders

logger = logging.getLogger(__name__)

TICK = timedelta(minutes=1)
# Reminders go out in the morning, organisation time, not at midnight.
REMINDERS_FROM = time(7, 0)
# Finished task results are kept this long in django-tasks-db's table (a tick a minute adds
# 1,440 a day); failed ones longer, to look into.
KEEP_TASK_RESULTS_DAYS = 1
KEEP_FAILED_TASK_RESULTS_DAYS = 14


@task()
def tick() -> dict:
    """Send the outbox's due emails (retries, and any whose nudge was lost); the daily jobs."""
    try:
        sent = sending.send_due()
        daily = run_daily_jobs()
    finally:
        schedule_tick()
    return {"sent": sent, "daily_jobs": daily}


def _database_backend():
    """The tasks backend if it is django-tasks-db's: the one whose queue outlives a process."""
    backend = tick.get_backend()
    return backend if isinstance(backend, DatabaseBackend) else None


def schedule_tick(*, now=None):
    """Enqueue the next tick a minute from now, unless one is already waiting.

    Only with the database backend: the immediate backend (tests) would run it at once and
    so forever. Returns the task result, or None when nothing was enqueued.
    """
    backend = _database_backend()
    if backend is None:
        return None
    waiting = DBTaskResult.objects.filter(
        backend_name=backend.alias, task_path=tick.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return None
    return tick.using(run_after=(now or clock.now()) + TICK).enqueue()


def run_daily_jobs(*, now=None) -> bool:
    """Once a day, from REMINDERS_FROM: queue the reminders, then tidy up. True if it ran."""
    now = now or clock.now()
    if timezone.localtime(now).time() < REMINDERS_FROM:
        return False
    day = clock.local_date(now)
    with transaction.atomic():
        _run, created = DailyRun.objects.get_or_create(job="reminders", day=day)
        if not created:
            return False
        outcome = queue_reminders(day)
    logger.info(
        "Queued %s reminders for %s people for %s",
        outcome.reminder_count,
        outcome.people_count,
        day.isoformat(),
    )
    sending.prune(now=now)
    if _database_backend() is not None:
        call_command(
            "prune_db_task_results",
            "--queue-name=*",
            f"--min-age-days={KEEP_TASK_RESULTS_DAYS}",
            f"--failed-min-age-days={KEEP_FAILED_TASK_RESULTS_DAYS}",
            verbosity=0,
        )
    return True
