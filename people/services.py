"""Writes about people and relationships."""

from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from core import clock
from core.vocabulary import FUNCTIONS
from outbox.services import one_line, queue_email

from .models import (
    FocusAgreement,
    FocusRequest,
    Relationship,
    RequestAnswer,
    RequestKind,
    TeamMembership,
)


@transaction.atomic
def focus_agree(
    *, relationship: Relationship, functions: list[str], agreed_on: date, notes: str, by
) -> FocusAgreement:
    """Record a new focus; earlier ones stay, so what changed afterwards can be shown."""
    return FocusAgreement.objects.create(
        relationship=relationship,
        agreed_on=agreed_on,
        notes=notes,
        created_by=by,
        **{key: key in functions for key in ("management", "development", "support", "mediation")},
    )


def _tell(person, subject, template, context, kind):
    """One email, to an active person, in the caller's transaction (outbox)."""
    if not person.is_active or not person.email:
        return
    body = render_to_string(template, {**context, "person": person})
    queue_email(to=person.email, subject=subject, body=body, kind=kind, person=person)


@transaction.atomic
def focus_request_raise(
    *,
    relationship: Relationship,
    by,
    kind: str,
    function: str,
    proposed: list[str] = (),
    message: str = "",
    notify: bool = True,
) -> FocusRequest:
    """A supervisee tells their supervisor, at any time, that a function is starting to
    dominate or that they want more of one, and may propose a focus. The supervisor is told
    (unless `notify` is False: the demo, whose people were told at the time)."""
    if relationship.supervisee_id != by.pk:
        raise PermissionDenied("Only the supervisee raises a request with their supervisor.")
    if not relationship.start_date <= clock.today() <= (relationship.end_date or date.max):
        raise PermissionDenied("This supervision relationship is not active today.")
    if kind not in RequestKind.values or function not in FUNCTIONS:
        raise ValueError(f"unknown kind or function: {kind!r}, {function!r}")
    request = FocusRequest.objects.create(
        relationship=relationship,
        kind=kind,
        function=function,
        message=message.strip(),
        **{f"propose_{key}": key in proposed for key in FUNCTIONS},
    )
    supervisor = relationship.supervisor
    if not notify:
        return request
    _tell(
        supervisor,
        f"{one_line(by)} raised something about your supervision",
        "people/email/focus_request_raised.txt",
        {
            "request": request,
            "who": by,
            "url": settings.SITE_URL + reverse("people:answer_request", args=[request.pk]),
        },
        "focus_request_raised",
    )
    return request


@transaction.atomic
def focus_request_answer(
    *, request: FocusRequest, by, answer: str, text: str = "", notify: bool = True
) -> FocusRequest:
    """The supervisor answers; an accepted proposal becomes the relationship's focus from
    today (`focus_agree`), so the follow-up shows what changed. The supervisee is told
    (unless `notify` is False)."""
    request = (
        FocusRequest.objects.select_for_update()
        .select_related("relationship__supervisor", "relationship__supervisee")
        .get(pk=request.pk)
    )
    relationship = request.relationship
    if relationship.supervisor_id != by.pk:
        raise PermissionDenied("Only the supervisor answers a request raised with them.")
    if not request.is_open:
        raise PermissionDenied("This request has already been answered.")
    if answer not in RequestAnswer.values:
        raise ValueError(f"unknown answer: {answer!r}")
    if answer == RequestAnswer.ACCEPTED:
        if not request.proposed:
            raise PermissionDenied("There is no proposed focus to agree to.")
        request.focus_agreement = focus_agree(
            relationship=relationship,
            functions=request.proposed,
            agreed_on=clock.today(),
            notes=text.strip() or f"Proposed by {relationship.supervisee}.",
            by=by,
        )
    request.answer = answer
    request.answer_text = text.strip()
    request.answered_at = clock.now()
    request.answered_by = by
    request.save()
    if not notify:
        return request
    _tell(
        relationship.supervisee,
        f"{one_line(by)} answered what you raised about your supervision",
        "people/email/focus_request_answered.txt",
        {"request": request, "who": by, "url": settings.SITE_URL + reverse("home")},
        "focus_request_answered",
    )
    return request


@transaction.atomic
def team_memberships_move(moves) -> None:
    """Dated team membership: each (person, previous team id, team, day) joins `team` on `day`
    (None: since records began) and their open membership ends the day before.

    Someone set up before memberships were dated (no membership yet) keeps their previous team
    as a membership until the move. The import and the admin both move people through here;
    `User.team` (the current team) is theirs to save. A fixed number of queries.
    """
    moves = list(moves)
    if not moves:
        return
    pks = [person.pk for person, _previous, _team, _day in moves]
    open_ones = {
        m.person_id: m
        for m in TeamMembership.objects.filter(person_id__in=pks, end_date__isnull=True)
    }
    had_history = set(
        TeamMembership.objects.filter(person_id__in=pks).values_list("person_id", flat=True)
    )
    closed, created = [], []
    for person, previous, team, day in moves:
        current = open_ones.get(person.pk)
        if current is not None and day is not None:
            current.end_date = max(day - timedelta(days=1), current.start_date or date.min)
            closed.append(current)
        elif person.pk not in had_history and previous is not None and day is not None:
            created.append(
                TeamMembership(
                    person=person,
                    team_id=previous,
                    start_date=None,
                    end_date=day - timedelta(days=1),
                )
            )
        if team is not None:
            created.append(TeamMembership(person=person, team=team, start_date=day))
    TeamMembership.objects.bulk_update(closed, ["end_date"])
    TeamMembership.objects.bulk_create(created)
