"""Outgoing emails, and the ledger of the worker's once-a-day jobs."""

from django.conf import settings
from django.db import models

from core import clock


class OutgoingEmail(models.Model):
    """One email to one address: waiting, sent, or given up after its last attempt.

    Written by `outbox.services.queue_email` inside the transaction of the change it tells
    of, so a rolled-back change leaves no email behind, and a committed one always has its
    email. The worker sends it (`outbox.sending`); a failure is recorded here and tried again
    later, with a growing delay, until `MAX_ATTEMPTS`.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENT = "sent", "Sent"
        GAVE_UP = "gave_up", "Gave up after the last attempt"
        SKIPPED = "skipped", "Not sent: the person is no longer active"

    kind = models.CharField(max_length=40, help_text="What the email is about.")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        # Erasing a person erases the mail addressed to them.
        on_delete=models.CASCADE,
        related_name="outgoing_emails",
    )
    to = models.EmailField("to")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("queued at", default=clock.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(
        "next try",
        null=True,
        blank=True,
        help_text="When the worker will try (again); empty once sent or given up.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "outgoing email"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
        ]

    def __str__(self):
        return f"{self.subject} (to {self.to})"


class DailyRun(models.Model):
    """One row per once-a-day job and day: the worker runs each job at most once a day."""

    job = models.CharField(max_length=40)
    day = models.DateField()
    ran_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["-day", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "day"], name="daily_run_once"),
        ]

    def __str__(self):
        return f"{self.job} on {self.day.isoformat()}"
