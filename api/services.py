"""Creating and revoking API tokens: administrators do both, in admin."""

from django.db import transaction

from core import clock
from people.models import Team, User

from .models import ApiToken, new_token, token_digest


@transaction.atomic
def api_token_create(*, name: str, team: Team | None, by: User) -> tuple[ApiToken, str]:
    """A new token and its secret text, which is returned here once and never stored."""
    text, key_id = new_token()
    token = ApiToken.objects.create(
        name=name.strip(), team=team, key_id=key_id, digest=token_digest(text), created_by=by
    )
    return token, text


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> bool:
    """Revoke `token` now; False if it already was (its first revocation stands)."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=clock.now(), revoked_by=by
    )
    token.refresh_from_db()
    return bool(updated)
