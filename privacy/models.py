"""The data-rights log: who exported, erased or deleted whose data, and when.

It holds ids and counts, never names, emails or record text, so that an erasure or a
retention run never has to rewrite it, and so that it can be kept as the organisation's
evidence of what it did with a request (UK GDPR Article 5(2), accountability).
"""

from django.conf import settings
from django.db import models


class EventKind(models.TextChoices):
    OWN_EXPORT = "own_export", "Downloaded their own data"
    SUBJECT_ACCESS_EXPORT = "subject_access_export", "Subject access export by an administrator"
    ERASURE = "erasure", "Erasure of a person who has left"
    RETENTION = "retention", "Records past the retention period deleted"


class PrivacyEvent(models.Model):
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    # Null: a management command run on the server (its name is in `details["by"]`).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="privacy_actions",
    )
    # Whose data it was; null for a retention run, which is about records, not one person.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="privacy_events",
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Counts by kind of row, the retention cut-off, the files in an export: never personal data.
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "data-rights event"

    def __str__(self):
        return f"{self.get_kind_display()} ({self.at:%d %b %Y %H:%M})"
