"""What the services are given for a session, in tests that call them directly."""

from sessions_app.models import Format, Status
from sessions_app.services import SessionDetails


def held(day, **options):
    """A held one-to-one of 90 minutes on `day` (or the `format` and options given)."""
    return SessionDetails(
        format=options.pop("format", Format.ONE_TO_ONE),
        date=day,
        duration_minutes=90,
        status=Status.HELD,
        **options,
    )
