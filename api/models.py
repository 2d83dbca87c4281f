"""Tokens for the read-only API (docs/api.md), and the log of every call made with one.

A token is shown once, when an administrator creates it; Fourfold keeps only its SHA-256
(the token is 32 random bytes, so a fast hash is enough: nothing to guess). It is scoped to
the organisation or to one team, and revoked rather than deleted, so that the call log keeps
naming it.
"""

import hashlib
import secrets

from django.db import models
from django.db.models import Q

from core import clock
from people.models import Team, User

TOKEN_PREFIX = "ff_"  # noqa: S105 - the public start of every token, not a secret


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    """(the token to show once, its public key id): `ff_<key id>_<secret>`."""
    key_id = secrets.token_hex(4)
    return f"{TOKEN_PREFIX}{key_id}_{secrets.token_urlsafe(32)}", key_id


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    name = models.CharField(
        max_length=100, help_text="Which system uses it, e.g. “HR data warehouse”."
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text="Empty: the whole organisation. A team: only that team's people, "
        "relationships, sessions and balances.",
    )
    key_id = models.CharField(
        "key id",
        max_length=16,
        unique=True,
        editable=False,
        help_text="The public part of the token (after ff_), to tell tokens apart in the log.",
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=models.F("created_at")),
                name="api_token_revoked_after_created",
            ),
        ]

    def __str__(self):
        return f"{self.name} (ff_{self.key_id}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def scope_text(self) -> str:
        return f"team {self.team.name}" if self.team_id else "the whole organisation"


class ApiCall(models.Model):
    """One call to the API: which token (none when it was missing or bad), what, the answer."""

    at = models.DateTimeField(default=clock.now, db_index=True)
    token = models.ForeignKey(
        ApiToken, null=True, blank=True, on_delete=models.PROTECT, related_name="calls"
    )
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    status = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "API call"
        indexes = [models.Index(fields=["token", "at"])]

    def __str__(self):
        return f"{self.method} {self.path} → {self.status}"
