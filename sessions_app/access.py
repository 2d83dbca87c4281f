"""The one place a session is fetched for a user: read scope, then write rights."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from .models import Session


def get_session_for_read(user, pk, queryset=None):
    """A session the user may read, or 404 (indistinguishable from one that does not exist)."""
    base = queryset if queryset is not None else Session.objects.all()
    return get_object_or_404(base.visible_to(user), pk=pk)


def get_session_for_write(user, pk, queryset=None):
    """A session the user may change; 403 for someone who may only read it."""
    session = get_session_for_read(user, pk, queryset)
    if session.supervisor_id != user.pk:
        raise PermissionDenied("Only the session's supervisor can change this record.")
    return session
