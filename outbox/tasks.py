"""The outbox's task for the worker (django.tasks)."""

from django.tasks import task

from . import sending


@task()
def deliver(email_id: int) -> str | None:
    """Send one queued email now; enqueued when the transaction that queued it commits."""
    return sending.send_one(email_id)
