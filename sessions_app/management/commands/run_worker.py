"""Run the background worker: `manage.py run_worker [db_worker's options]`.

It is django-tasks-db's `db_worker` (same options; see `--help`), started after making sure
the minute tick is waiting (sessions_app.tasks): the tick sends retries from the outbox and
queues the daily reminders. Run one beside the web server, always (systemd, or `make run`).
"""

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from sessions_app.tasks import schedule_tick


class Command(DbWorkerCommand):
    help = (
        "Run the background worker (django-tasks-db's db_worker): it sends the emails in the "
        "outbox, retries failures, and queues the reminders every morning."
    )

    def handle(self, *args, **options):
        schedule_tick()
        return super().handle(*args, **options)
