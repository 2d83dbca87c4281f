"""A supervisee's records among other people's, with text that must never cross between them."""

import datetime
import io
import zipfile

import pytest

from core import clock
from sessions_app.models import (
    Acknowledgement,
    Addendum,
    Feedback,
    RecordState,
    ReminderSent,
    Response,
    Status,
)
from sessions_app.records import record_read_log
from tests.factories import GroupSessionFactory, ItemFactory, SessionFactory

RATINGS = {
    "management": "about_right",
    "development": "too_little",
    "support": "about_right",
    "mediation": "too_much",
    "usefulness": 4,
}


def unzip(content):
    """{file name: text} of a zip download."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def everything(files):
    return "\n".join(files.values())


@pytest.fixture
def records(supervisor, supervisee, other_supervisee, manager):
    """Sam's (supervisee's) records, and Nia's (other supervisee's), with marked text.

    Every string in CAPITALS names whose it is, so a test can look for it anywhere in a zip.
    """
    day = clock.today()
    sam_shared = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=day - datetime.timedelta(days=20),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=sam_shared, title="SAM-CASELOAD", notes="Sam Social has twelve cases.")
    ItemFactory(
        session=sam_shared,
        title="SAM-CONFIDENTIAL-TITLE",
        notes="SAM-CONFIDENTIAL-NOTES",
        confidential=True,
        functions=["support"],
    )
    ItemFactory(session=sam_shared, title='=HYPERLINK("http://evil")', notes="+1")
    sam_draft = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=day - datetime.timedelta(days=2)
    )
    ItemFactory(session=sam_draft, title="SAM-DRAFT-ITEM")
    sam_planned = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.PLANNED,
        date=day + datetime.timedelta(days=10),
    )
    nia_shared = SessionFactory(
        supervisor=supervisor,
        supervisee=other_supervisee,
        date=day - datetime.timedelta(days=21),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=nia_shared, title="NIA-ONE-TO-ONE-ITEM")
    ItemFactory(
        session=nia_shared, title="NIA-CONFIDENTIAL", notes="NIA-PRIVATE", confidential=True
    )
    group = GroupSessionFactory(
        supervisor=supervisor,
        attendees=[(supervisee, True), (other_supervisee, True)],
        date=day - datetime.timedelta(days=30),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=group, title="GROUP-ITEM", notes="Shared learning.")
    ItemFactory(session=group, title="GROUP-CONFIDENTIAL", notes="GROUP-PRIVATE", confidential=True)
    Feedback.objects.create(
        session=sam_shared, person=supervisee, comments="SAM-FEEDBACK", **RATINGS
    )
    Feedback.objects.create(session=group, person=supervisee, comments="SAM-GROUP-FB", **RATINGS)
    Feedback.objects.create(
        session=group, person=other_supervisee, comments="NIA-FEEDBACK", **RATINGS
    )
    Feedback.objects.create(
        session=nia_shared, person=other_supervisee, comments="NIA-1-FEEDBACK", **RATINGS
    )
    Acknowledgement.objects.create(
        session=sam_shared,
        person=supervisee,
        response=Response.AGREE_WITH_COMMENTS,
        comments="SAM-ACK",
    )
    Acknowledgement.objects.create(
        session=group, person=other_supervisee, response=Response.DISAGREE, comments="NIA-ACK"
    )
    Addendum.objects.create(session=sam_shared, author=supervisor, text="SUE-ADDENDUM on Sam")
    Addendum.objects.create(session=sam_shared, author=supervisee, text="SAM-ADDENDUM")
    focus = supervisee.supervisor_relationships.get()
    focus.focus_agreements.create(support=True, agreed_on=day, notes="SAM-FOCUS-NOTE")
    ReminderSent.objects.create(person=supervisee, kind="overdue", subject_key="SAM-REMINDER")
    record_read_log(session=sam_shared, by=manager)
    return {
        "sam_shared": sam_shared,
        "sam_draft": sam_draft,
        "sam_planned": sam_planned,
        "nia_shared": nia_shared,
        "group": group,
    }
