"""Which of the product's roles a person holds. One person can hold several."""

from dataclasses import dataclass

from core.clock import today
from people.access import is_administrator, is_manager
from people.models import Relationship


@dataclass(frozen=True)
class Roles:
    supervisor: bool
    supervisee: bool
    manager: bool
    administrator: bool

    @property
    def any(self):
        return self.supervisor or self.supervisee or self.manager or self.administrator


def is_supervisor(user):
    """Supervises someone now, or has led sessions (a facilitator, a past supervisor)."""
    return (
        Relationship.objects.filter(supervisor=user).active_on(today()).exists()
        or user.led_sessions.exists()
    )


def roles_of(user):
    cached = getattr(user, "_fourfold_roles", None)
    if cached is not None:
        return cached
    day = today()
    result = Roles(
        supervisor=is_supervisor(user),
        supervisee=Relationship.objects.filter(supervisee=user).active_on(day).exists()
        or user.attendances.exists(),
        manager=is_manager(user),
        administrator=is_administrator(user),
    )
    user._fourfold_roles = result
    return result
