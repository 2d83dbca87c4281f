"""Where confidential text, drafts and feedback can appear, for every role.

Marker words are planted in a confidential item, a draft, each supervisee's feedback and in
ordinary items; then every place a person can read is fetched as each role: the record page
(with its history), the log as CSV and as a printable page, the calendar file, the audit pages
and their CSV files, the admin's session, history and delete pages, a person's own data
download and an administrator's subject access export (zips). Each marker must turn
up exactly in the places the access policy allows, and nowhere else. E-mails carry none.
"""

import datetime
import io
import zipfile

import pytest
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from sessions_app import records
from sessions_app.models import Session, Status
from tests.cast import shared_rows, whole_cast
from tests.conftest import sign_in_as
from tests.factories import GroupSessionFactory, ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)

FEEDBACK = {
    "management": "about_right",
    "development": "about_right",
    "support": "about_right",
    "mediation": "about_right",
    "usefulness": 4,
}

ROLES = [
    "supervisor",
    "supervisee",
    "other_supervisee",
    "other_supervisor",
    "manager",
    "other_manager",
    "administrator",
    "outsider",
]

PAGE, LOG_CSV, LOG_PRINT = "page", "log_csv", "log_print"
# A person's own data download, and an administrator's subject access export about the supervisee.
MY_DATA, SUBJECT_ACCESS = "my_data", "subject_access"

# role -> marker -> the places it must appear in (anywhere else, or missing, fails).
EXPECTED = {
    "supervisor": {
        "mk-one-plain": {PAGE},
        "mk-one-confidential": {PAGE},
        "mk-draft": {PAGE},
        "mk-sam-feedback": {PAGE},
        "mk-group-plain": {PAGE},
        "mk-group-confidential": {PAGE},
        "mk-nia-feedback": {PAGE},
    },
    "supervisee": {
        "mk-one-plain": {PAGE, LOG_CSV, LOG_PRINT, MY_DATA},
        "mk-one-confidential": {PAGE, LOG_CSV, LOG_PRINT, MY_DATA},
        "mk-sam-feedback": {PAGE, MY_DATA},
        "mk-group-plain": {PAGE, LOG_CSV, LOG_PRINT, MY_DATA},
    },
    "other_supervisee": {
        "mk-group-plain": {PAGE, LOG_CSV, LOG_PRINT, MY_DATA},
        "mk-nia-feedback": {PAGE, MY_DATA},
    },
    "other_supervisor": {},
    "manager": {"mk-one-plain": {PAGE}, "mk-group-plain": {PAGE}},
    "other_manager": {},
    # The subject access export is about the supervisee: their drafts and their own
    # confidential items too, never another member's feedback or a group's confidential item.
    "administrator": {
        "mk-one-plain": {PAGE, SUBJECT_ACCESS},
        "mk-one-confidential": {SUBJECT_ACCESS},
        "mk-draft": {SUBJECT_ACCESS},
        "mk-sam-feedback": {SUBJECT_ACCESS},
        "mk-group-plain": {PAGE, SUBJECT_ACCESS},
    },
    "outsider": {},
}
MARKERS = sorted({marker for expected in EXPECTED.values() for marker in expected})


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module (each test runs in its own savepoint inside it)."""
    with shared_rows(django_db_blocker):
        people = whole_cast(*ROLES)
        supervisor, supervisee = people["supervisor"], people["supervisee"]
        other_supervisee = people["other_supervisee"]
        one_to_one = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=DAY)
        ItemFactory(session=one_to_one, title="mk-one-plain caseload", notes="mk-one-plain notes")
        ItemFactory(
            session=one_to_one,
            title="mk-one-confidential bereavement",
            notes="mk-one-confidential at home",
            functions=["support"],
            confidential=True,
        )
        draft = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=DAY)
        ItemFactory(session=draft, title="mk-draft half-written", notes="mk-draft thoughts")
        group = GroupSessionFactory(
            supervisor=supervisor,
            date=DAY,
            attendees=[(supervisee, True), (other_supervisee, True)],
        )
        ItemFactory(session=group, title="mk-group-plain court work")
        ItemFactory(
            session=group, title="mk-group-confidential a member's illness", confidential=True
        )
        planned = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=DAY + datetime.timedelta(days=60),
            status=Status.PLANNED,
        )
        outbox_before = len(mail.outbox)
        with TestCase.captureOnCommitCallbacks(execute=True):
            for session in (one_to_one, group):
                records.record_share(session=session, by=supervisor)
            records.record_acknowledge(
                session=one_to_one, by=supervisee, response="agree_with_comments", comments="Fair"
            )
            records.feedback_save(
                session=one_to_one,
                by=supervisee,
                values={**FEEDBACK, "comments": "mk-sam-feedback"},
            )
            records.feedback_save(
                session=group,
                by=other_supervisee,
                values={**FEEDBACK, "comments": "mk-nia-feedback"},
            )
        yield {
            "sessions": [one_to_one, draft, group, planned],
            "people": {role: people[role] for role in ROLES},
            # The e-mails the shares, acknowledgement and feedback sent (each test starts
            # with an empty mail.outbox).
            "emails": list(mail.outbox[outbox_before:]),
        }


def _text(response):
    if response.status_code in (302, 403, 404):
        return ""
    assert response.status_code == 200, response
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    if response["Content-Type"] == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "\n".join(archive.read(name).decode() for name in archive.namelist())
    return response.content.decode()


def places_for(client, world):
    """Every page and file the logged-in person can open, by place."""
    sessions = world["sessions"]
    person = world["people"]["supervisee"]
    places = {
        PAGE: [client.get(reverse("sessions:detail", args=[s.pk])) for s in sessions],
        LOG_CSV: [client.get(reverse("sessions:my_log_csv"), {"from": "2026-01-01"})],
        LOG_PRINT: [client.get(reverse("sessions:my_log_print"), {"from": "2026-01-01"})],
        "ics": [client.get(reverse("sessions:planned_ics"))],
        "audit": [
            client.get(reverse("audit:my_balance")),
            client.get(reverse("audit:person", args=[person.pk])),
            client.get(reverse("audit:my_supervisees")),
            client.get(reverse("audit:team_balance")),
            client.get(reverse("audit:team_months")),
            client.get(reverse("audit:team_feedback")),
            client.get(reverse("audit:team_checks")),
            client.get(reverse("audit:organisation")),
            client.get(reverse("audit:person", args=[person.pk]), {"download": "balance"}),
            client.get(reverse("audit:person", args=[person.pk]), {"download": "feedback"}),
        ],
        "admin": [
            client.get(reverse(f"admin:sessions_app_session_{view}", args=[s.pk]))
            for s in sessions
            for view in ("change", "history", "delete")
        ]
        + [client.get(reverse("admin:sessions_app_session_changelist"))],
        MY_DATA: [client.post(reverse("privacy:my_data"))],
        SUBJECT_ACCESS: [client.post(reverse("privacy:subject_access", args=[person.pk]))],
    }
    return {place: "\n".join(_text(r) for r in responses) for place, responses in places.items()}


@pytest.mark.parametrize("role", ROLES)
def test_each_marker_appears_exactly_where_the_policy_allows(client, world, role):
    sign_in_as(client, world["people"][role])
    texts = places_for(client, world)
    found = {
        marker: {place for place, text in texts.items() if marker in text} for marker in MARKERS
    }
    expected = {marker: EXPECTED[role].get(marker, set()) for marker in MARKERS}
    assert found == expected


def test_emails_carry_no_record_text(world):
    assert world["emails"]  # the share, acknowledgement and feedback e-mails were sent
    for message in world["emails"]:
        text = message.subject + message.body
        assert not [marker for marker in MARKERS if marker in text], message.subject


def test_the_admin_reads_are_in_the_access_log(client, world):
    from sessions_app.models import AccessLog

    administrator = world["people"]["administrator"]
    sign_in_as(client, administrator)
    session = world["sessions"][0]
    for view in ("change", "history", "delete"):
        assert client.get(reverse(f"admin:sessions_app_session_{view}", args=[session.pk]))
    places = set(
        AccessLog.objects.filter(user=administrator, session=session).values_list(
            "place", flat=True
        )
    )
    assert places == {"admin", "admin_history", "admin_delete"}
    assert Session.objects.filter(pk=session.pk).exists()
