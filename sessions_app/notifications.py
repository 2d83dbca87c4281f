"""Emails that tell someone a record moved on: shared, acknowledged, feedback given.

These are notifications, not reminders: they go whatever `reminder_emails` says (a person
turned off reminders, not news of their own record). Inactive people get nothing.

Call them inside the transaction of the change they tell of (the record services do): each
email is written to the outbox there, so nobody is told of something rolled back, and the
worker sends it after the commit, retrying if the mail server is down. A request never waits
for the mail server, nor fails because of it. Each returns how many emails were queued.
"""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as format_date

from core.vocabulary import FUNCTION_LABELS
from outbox.services import one_line, queue_email

from .access import acknowledger_ids
from .models import Format, Response


def absolute_url(name, *args):
    return settings.SITE_URL + reverse(name, args=args)


def record_url(session):
    return absolute_url("sessions:detail", session.pk)


def long_date(day):
    """'Thursday 15 January 2026': how the record pages write a session's date."""
    return format_date(day, "l j F Y")


def short_date(day):
    return format_date(day, "j F Y")


def queue_each(people, subject, template, context, *, kind):
    """One email per person (so no one sees another's address), to active people only."""
    queued = 0
    for person in people:
        if not person.is_active or not person.email:
            continue
        body = render_to_string(template, {**context, "person": person})
        queue_email(to=person.email, subject=subject, body=body, kind=kind, person=person)
        queued += 1
    return queued


def _session_kind(session):
    if session.format == Format.GROUP:
        return f"{session.get_group_type_display().lower()} group supervision"
    return "one-to-one supervision"


def record_shared(session):
    """Tell each present attendee (a one-to-one's supervisee) that the record is ready to read.

    Only the date, the supervisor and a link: never an item's title or notes, which may be
    confidential and do not belong in an inbox.
    """
    attendances = list(session.attendances.select_related("person"))
    # The people who answer the record (sessions_app.access): present, never its supervisor.
    answering = acknowledger_ids(session, attendances)
    people = [a.person for a in attendances if a.person_id in answering]
    subject = f"Your supervision record of {short_date(session.date)} is ready to read"
    context = {
        "session": session,
        "supervisor": session.supervisor,
        "session_kind": _session_kind(session),
        "date": long_date(session.date),
        "url": record_url(session),
    }
    return queue_each(
        people, subject, "sessions_app/email/record_shared.txt", context, kind="record_shared"
    )


ACKNOWLEDGEMENT_VERBS = {
    Response.AGREE: "agreed with",
    Response.AGREE_WITH_COMMENTS: "agreed, with comments, with",
    Response.DISAGREE: "disagreed with",
}


def record_acknowledged(acknowledgement):
    """Tell the supervisor who answered the record, how, and in their own words."""
    session = acknowledgement.session
    who = acknowledgement.person
    verb = ACKNOWLEDGEMENT_VERBS[acknowledgement.response]
    # A name can hold a line break (pasted from a spreadsheet cell); a subject cannot.
    subject = f"{one_line(who)} {verb} the supervision record of {short_date(session.date)}"
    context = {
        "session": session,
        "who": who,
        "response": acknowledgement.get_response_display(),
        "comments": acknowledgement.comments,
        "disagrees": acknowledgement.response == Response.DISAGREE,
        "date": long_date(session.date),
        "url": record_url(session),
    }
    return queue_each(
        [session.supervisor],
        subject,
        "sessions_app/email/record_acknowledged.txt",
        context,
        kind="record_acknowledged",
    )


def feedback_given(feedback):
    """Tell the supervisor that feedback arrived: how useful, and what dominated, if anything."""
    session = feedback.session
    who = feedback.person
    subject = f"{one_line(who)} gave feedback on supervision of {short_date(session.date)}"
    context = {
        "session": session,
        "who": who,
        "usefulness": feedback.usefulness,
        "dominated": FUNCTION_LABELS.get(feedback.dominated, ""),
        "dominated_unanswered": feedback.dominated is None,
        "wants_more": FUNCTION_LABELS.get(feedback.wants_more, ""),
        "date": long_date(session.date),
        "url": record_url(session),
    }
    return queue_each(
        [session.supervisor],
        subject,
        "sessions_app/email/feedback_given.txt",
        context,
        kind="feedback_given",
    )


def dispute_replied(reply):
    """Tell the supervisee who disagreed that their supervisor answered, in their own words."""
    acknowledgement = reply.acknowledgement
    session = reply.session
    who = reply.author
    subject = (
        f"{one_line(who)} replied to your disagreement with the supervision record of "
        f"{short_date(session.date)}"
    )
    context = {
        "session": session,
        "who": who,
        "text": reply.text,
        "date": long_date(session.date),
        "url": record_url(session),
    }
    return queue_each(
        [acknowledgement.person],
        subject,
        "sessions_app/email/dispute_replied.txt",
        context,
        kind="dispute_replied",
    )
