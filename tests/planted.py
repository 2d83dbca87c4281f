"""Marker text planted in every free-text field that a record can hold, so that a test can
search everything the API or the inspection pack gives out and prove none of it leaves."""

import datetime

from core import clock
from people.models import FocusAgreement
from sessions_app.models import (
    Acknowledgement,
    Action,
    Addendum,
    Feedback,
    RecordState,
    Response,
    Status,
)
from tests.factories import ItemFactory, SessionFactory

# Each marker names its field; none is a word that a page or a file would print otherwise.
MARKERS = {
    "item_title": "QZITEMTITLE",
    "item_notes": "QZITEMNOTES",
    "item_case_ref": "QZCASEREF",
    "confidential_title": "QZCONFTITLE",
    "confidential_notes": "QZCONFNOTES",
    "action_description": "QZACTIONDESC",
    "action_owner_name": "QZACTIONOWNER",
    "acknowledgement_comments": "QZACKCOMMENT",
    "feedback_comments": "QZFEEDBACKCOMMENT",
    "addendum_text": "QZADDENDUM",
    "cancellation_reason": "QZCANCELREASON",
    "session_ref": "QZSESSIONREF",
    "agreement": "QZAGREEMENT",
    "focus_notes": "QZFOCUSNOTES",
}


def plant(*, supervisor, supervisee):
    """Two held, shared one-to-ones in the last 90 days (management-heavy, so flags are
    raised), a cancelled one, and marker text in every free-text field. Returns the markers."""
    m = MARKERS
    today = clock.today()
    relationship = supervisee.supervisor_relationships.get(supervisor=supervisor)
    relationship.agreement = f"Agreement {m['agreement']}"
    relationship.save()
    FocusAgreement.objects.create(
        relationship=relationship,
        support=True,
        agreed_on=today - datetime.timedelta(days=40),
        notes=f"Focus {m['focus_notes']}",
    )
    sessions = []
    for days_ago, ref in ((30, m["session_ref"]), (10, None)):
        session = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=today - datetime.timedelta(days=days_ago),
            duration_minutes=60,
            record_state=RecordState.SHARED,
            shared_at=clock.now() - datetime.timedelta(days=days_ago),
            external_ref=ref,
        )
        sessions.append(session)
        ItemFactory(
            session=session,
            title=f"Caseload {m['item_title']}",
            notes=f"Notes {m['item_notes']}",
            case_ref=m["item_case_ref"],
            minutes=40,
            functions=("management",),
            stages=("experience", "plans_actions"),
        )
        ItemFactory(
            session=session,
            title=f"Private {m['confidential_title']}",
            notes=f"Private notes {m['confidential_notes']}",
            confidential=True,
            minutes=20,
            functions=("support", "management"),
            stages=("reflection",),
        )
    first = sessions[0]
    Action.objects.create(
        session=first,
        description=f"Do {m['action_description']}",
        owner=None,
        owner_name=f"Owner {m['action_owner_name']}",
    )
    Acknowledgement.objects.create(
        session=first,
        person=supervisee,
        response=Response.AGREE_WITH_COMMENTS,
        comments=f"Ack {m['acknowledgement_comments']}",
    )
    Feedback.objects.create(
        session=first,
        person=supervisee,
        management="too_much",
        development="too_little",
        support="about_right",
        mediation="too_little",
        dominated="management",
        usefulness=3,
        comments=f"Feedback {m['feedback_comments']}",
    )
    Addendum.objects.create(session=first, author=supervisor, text=f"Add {m['addendum_text']}")
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=today - datetime.timedelta(days=5),
        status=Status.CANCELLED_BY_SUPERVISOR,
        cancellation_reason=f"Cancelled {m['cancellation_reason']}",
    )
    return list(MARKERS.values())


def leaks(text: str) -> list[str]:
    """The markers found in `text` (case-insensitively); [] when nothing leaked."""
    upper = text.upper()
    return [marker for marker in MARKERS.values() if marker in upper]
