"""Reads about sessions that several views share."""

from django.db.models import Exists, OuterRef, Prefetch, Q

from .models import Action, ActionStatus, Attendance, Session, Status


def actions_for_review(*, supervisor, people_ids, session_date, session=None):
    """Open actions from this supervisor's earlier held sessions with any of these people.

    Carried-forward actions stay open, so they keep coming forward until done or dropped.
    Actions already reviewed in `session` stay listed so the review can be changed.
    """
    if not people_ids:
        return Action.objects.none()
    # A new session comes after every saved one on the same day.
    earlier = Q(session__date__lte=session_date)
    still_listed = Q(status=ActionStatus.OPEN)
    if session is not None and session.pk:
        earlier = Q(session__date__lt=session_date)
        earlier |= Q(session__date=session_date, session__pk__lt=session.pk)
        still_listed |= Q(reviews__session=session)
        earlier &= ~Q(session=session)
    shared_attendee = Exists(
        Attendance.objects.filter(session=OuterRef("session"), person_id__in=people_ids)
    )
    return (
        Action.objects.filter(earlier, still_listed, shared_attendee)
        .filter(session__supervisor=supervisor, session__status=Status.HELD)
        .select_related("session", "owner")
        .distinct()
        .order_by("session__date", "pk")
    )


def with_people(sessions):
    """Sessions with their attendees loaded in one more query."""
    return sessions.select_related("supervisor").prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("person"))
    )


def upcoming_led_by(user, day, limit=10):
    return with_people(
        Session.objects.led_by(user).planned().filter(date__gte=day).order_by("date", "start_time")
    )[:limit]


def recent_led_by(user, day, limit=10):
    return with_people(
        Session.objects.led_by(user).exclude(status=Status.PLANNED).filter(date__lte=day)
    ).order_by("-date", "-start_time", "-pk")[:limit]


def upcoming_for(user, day, limit=10):
    """Planned sessions the user is invited to (not ones they lead)."""
    return with_people(
        Session.objects.planned()
        .with_member(user)
        .exclude(supervisor=user)
        .filter(date__gte=day)
        .order_by("date", "start_time")
    )[:limit]
