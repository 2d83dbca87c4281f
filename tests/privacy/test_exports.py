"""Subject access: a person's own download, and an administrator's export about a person."""

import csv
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from outbox.models import OutgoingEmail
from people.models import SecurityEvent
from privacy.exports import WITHHELD_TITLE, Scope, subject_access_export
from privacy.models import EventKind, PrivacyEvent
from sessions_app.models import RecordState
from tests.conftest import sign_in_as
from tests.factories import ItemFactory, SessionFactory
from tests.privacy.conftest import everything, unzip

pytestmark = pytest.mark.django_db

KINDS = [
    "profile",
    "relationships",
    "focus_agreements",
    "sessions",
    "discussion_items",
    "actions",
    "acknowledgements",
    "feedback",
    "addenda",
    "record_history",
    "sessions_led",
    "reminders_sent",
    "emails",
    "records_you_read",
]

NEVER_IN_SAMS = [
    # Another supervisee's one-to-one, feedback, acknowledgement and confidential item.
    "NIA-ONE-TO-ONE-ITEM",
    "NIA-CONFIDENTIAL",
    "NIA-PRIVATE",
    "NIA-FEEDBACK",
    "NIA-1-FEEDBACK",
    "NIA-ACK",
    # A group's confidential item may be about any member.
    "GROUP-CONFIDENTIAL",
    "GROUP-PRIVATE",
]


def own_files(client, user):
    sign_in_as(client, user)
    response = client.post(reverse("privacy:my_data"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return unzip(response.content)


def rows(files, kind):
    return json.loads(files[f"{kind}.json"])


def test_own_download_has_a_json_and_a_csv_per_kind_and_a_readme(
    client, supervisee, records, today
):
    files = own_files(client, supervisee)
    assert set(files) == {"README.txt"} | {f"{k}.{ext}" for k in KINDS for ext in ("json", "csv")}
    for kind in KINDS:
        assert f"{kind}.json, {kind}.csv" in files["README.txt"]
    assert "Content-Disposition" not in files
    assert rows(files, "profile") == [
        {
            "email": "sam@example.org",
            "name": "Sam Social",
            "team": "Adults North",
            "start_date_in_post": "2020-01-06",
            "reminder_emails": True,
            "active": True,
            "administrator": False,
            "joined": rows(files, "profile")[0]["joined"],
            "last_sign_in": rows(files, "profile")[0]["last_sign_in"],
            "two_step_sign_in": False,
            "teams_managed": "",
        }
    ]


def test_own_download_holds_my_records_feedback_focus_and_acknowledgements(
    client, supervisee, records
):
    text = everything(own_files(client, supervisee))
    for mine in [
        "SAM-CASELOAD",
        # Confidential items of my own one-to-one are mine to read.
        "SAM-CONFIDENTIAL-TITLE",
        "SAM-CONFIDENTIAL-NOTES",
        "SAM-FEEDBACK",
        "SAM-GROUP-FB",
        "SAM-ACK",
        "SAM-ADDENDUM",
        "SUE-ADDENDUM on Sam",
        "SAM-FOCUS-NOTE",
        "SAM-REMINDER",
        "GROUP-ITEM",
    ]:
        assert mine in text, mine


def test_own_download_never_has_another_persons_confidential_text_or_feedback(
    client, supervisee, records
):
    text = everything(own_files(client, supervisee))
    for theirs in NEVER_IN_SAMS:
        assert theirs not in text, theirs


def test_own_download_never_has_a_draft_i_cannot_read(client, supervisee, records):
    files = own_files(client, supervisee)
    assert "SAM-DRAFT-ITEM" not in everything(files)
    session_ids = {r["session_id"] for r in rows(files, "sessions")}
    assert records["sam_draft"].pk not in session_ids
    # A planned session: its date, as on the session page, but nothing of its draft record.
    assert records["sam_planned"].pk in session_ids
    assert {r["session_id"] for r in rows(files, "discussion_items")} == {
        records["sam_shared"].pk,
        records["group"].pk,
    }


def test_own_download_does_not_say_who_read_my_records(client, supervisee, records):
    files = own_files(client, supervisee)
    assert "who_read_your_records.json" not in files
    assert "mo@example.org" not in everything(files)


def test_a_groups_confidential_item_keeps_its_minutes_but_not_its_words(
    client, supervisee, records
):
    items = rows(own_files(client, supervisee), "discussion_items")
    withheld = [i for i in items if i["withheld"]]
    assert withheld == [
        {
            **withheld[0],
            "session_id": records["group"].pk,
            "title": WITHHELD_TITLE,
            "notes": "",
            "minutes": 30,
            "confidential": True,
        }
    ]


def test_csv_cells_cannot_run_as_formulas(client, supervisee, records):
    files = own_files(client, supervisee)
    table = list(csv.DictReader(io.StringIO(files["discussion_items.csv"].lstrip("\ufeff"))))
    evil = next(r for r in table if "HYPERLINK" in r["title"])
    assert evil["title"] == '\'=HYPERLINK("http://evil")'
    assert evil["notes"] == "'+1"
    # JSON is for systems, not spreadsheets: it keeps the text as written.
    assert '=HYPERLINK(\\"http://evil\\")' in files["discussion_items.json"]


def test_a_supervisors_own_download_has_the_sessions_they_led_but_not_what_was_said(
    client, supervisor, records
):
    files = own_files(client, supervisor)
    led = rows(files, "sessions_led")
    assert len(led) == 5
    sam = next(r for r in led if r["session_id"] == records["sam_shared"].pk)
    assert (sam["attendees"], sam["present"], sam["discussion_items"]) == (1, 1, 3)
    text = everything(files)
    for theirs in [
        "SAM-CASELOAD",
        "SAM-CONFIDENTIAL-TITLE",
        "SAM-FEEDBACK",
        "NIA-FEEDBACK",
        "SAM-ACK",
        "NIA-ACK",
    ]:
        assert theirs not in text, theirs
    # Their own words stay theirs.
    assert "SUE-ADDENDUM on Sam" in text


def test_a_managers_own_download_lists_the_records_they_read(client, manager, records):
    read = rows(own_files(client, manager), "records_you_read")
    assert [r["session_id"] for r in read] == [records["sam_shared"].pk]
    assert read[0]["session"].startswith("Supervision with Sam Social, ")
    assert read[0]["where"] == "Record page"


def test_my_data_is_always_mine_whatever_is_asked(client, supervisee, other_supervisee, records):
    sign_in_as(client, supervisee)
    response = client.post(reverse("privacy:my_data"), {"pk": other_supervisee.pk})
    profile = json.loads(unzip(response.content)["profile.json"])
    assert profile[0]["email"] == "sam@example.org"


def test_every_own_download_is_logged(client, supervisee, records):
    own_files(client, supervisee)
    event = PrivacyEvent.objects.get()
    assert (event.kind, event.actor, event.subject) == (
        EventKind.OWN_EXPORT,
        supervisee,
        supervisee,
    )
    assert event.details["rows"]["feedback"] == 2


def sar_files(client, administrator, person):
    sign_in_as(client, administrator)
    response = client.post(reverse("privacy:subject_access", args=[person.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert f"fourfold-subject-access-{person.pk}-" in response["Content-Disposition"]
    return unzip(response.content)


def test_subject_access_export_adds_drafts_and_who_read_the_records(
    client, administrator, supervisee, records
):
    files = sar_files(client, administrator, supervisee)
    text = everything(files)
    assert "SAM-DRAFT-ITEM" in text
    reads = rows(files, "who_read_your_records")
    assert [(r["reader_email"], r["session_id"]) for r in reads] == [
        ("mo@example.org", records["sam_shared"].pk)
    ]
    log = rows(files, "data_rights_log")
    assert [(e["what"], e["by"], e["whose_data"]) for e in log] == [
        ("Subject access export by an administrator", "Ada Admin", "Sam Social")
    ]


def test_subject_access_export_still_withholds_other_peoples_data(
    client, administrator, supervisee, records
):
    text = everything(sar_files(client, administrator, supervisee))
    for theirs in NEVER_IN_SAMS:
        assert theirs not in text, theirs


def test_subject_access_export_is_logged_with_who_exported_whose_data(
    client, administrator, supervisee, records
):
    sar_files(client, administrator, supervisee)
    event = PrivacyEvent.objects.get()
    assert (event.kind, event.actor, event.subject) == (
        EventKind.SUBJECT_ACCESS_EXPORT,
        administrator,
        supervisee,
    )
    assert event.at is not None


def test_the_admin_action_goes_through_the_same_export(client, administrator, supervisee, records):
    sign_in_as(client, administrator)
    response = client.post(
        reverse("admin:people_user_changelist"),
        {"action": "download_subject_access", "_selected_action": [supervisee.pk]},
    )
    assert response.status_code == 200
    files = unzip(response.content)
    assert "SAM-DRAFT-ITEM" in everything(files)
    assert "NIA-FEEDBACK" not in everything(files)
    assert PrivacyEvent.objects.get().kind == EventKind.SUBJECT_ACCESS_EXPORT


def test_the_admin_action_wants_one_person(
    client, administrator, supervisee, other_supervisee, records
):
    sign_in_as(client, administrator)
    response = client.post(
        reverse("admin:people_user_changelist"),
        {
            "action": "download_subject_access",
            "_selected_action": [supervisee.pk, other_supervisee.pk],
        },
        follow=True,
    )
    assert "Choose one person for a subject access export." in response.content.decode()
    assert not PrivacyEvent.objects.exists()


def test_the_user_change_page_has_the_buttons(client, administrator, supervisee):
    sign_in_as(client, administrator)
    body = client.get(reverse("admin:people_user_change", args=[supervisee.pk])).content.decode()
    assert reverse("privacy:subject_access", args=[supervisee.pk]) in body
    assert reverse("privacy:erase", args=[supervisee.pk]) in body


def test_settings_link_to_my_data(client, supervisee):
    sign_in_as(client, supervisee)
    body = client.get(reverse("people:settings")).content.decode()
    assert reverse("privacy:my_data") in body


def test_the_service_refuses_anyone_elses_own_export(supervisee, other_supervisee):
    with pytest.raises(PermissionDenied):
        subject_access_export(subject=supervisee, actor=other_supervisee, scope=Scope.OWN)
    with pytest.raises(PermissionDenied):
        subject_access_export(
            subject=supervisee, actor=other_supervisee, scope=Scope.SUBJECT_ACCESS
        )
    assert not PrivacyEvent.objects.exists()


def test_history_written_before_sharing_is_in_the_subject_access_export_only(
    client, supervisor, supervisee, administrator, today
):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=today)
    item = ItemFactory(session=session, title="DRAFT-ERA-TITLE")
    item.title = "Caseload"
    item.save()
    session.record_state = RecordState.SHARED
    session.save()
    own = everything(own_files(client, supervisee))
    assert "Caseload" in own
    assert "DRAFT-ERA-TITLE" not in own
    sar = sar_files(client, administrator, supervisee)
    history = [r["what"] for r in rows(sar, "record_history")]
    assert "added item “DRAFT-ERA-TITLE”" in history


def test_the_security_log_about_the_person_is_in_the_subject_access_export_only(
    client, administrator, supervisee, records
):
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.SIGN_IN_FAILED,
        email="sam@example.org",
        ip_address="192.0.2.7",
        detail="wrong email or password",
    )
    log = rows(sar_files(client, administrator, supervisee), "security_log")
    assert [(e["what"], e["address"]) for e in log] == [("Sign-in failed", "192.0.2.7")]
    assert "192.0.2.7" not in everything(own_files(client, supervisee))


def test_the_emails_sent_to_me_are_mine_and_no_one_elses(
    client, supervisee, other_supervisee, records
):
    OutgoingEmail.objects.create(
        kind="record_shared", person=supervisee, to=supervisee.email, subject="SAM-EMAIL", body="x"
    )
    OutgoingEmail.objects.create(
        kind="record_shared",
        person=other_supervisee,
        to=other_supervisee.email,
        subject="NIA-EMAIL",
        body="x",
    )
    files = own_files(client, supervisee)
    assert [e["subject"] for e in rows(files, "emails")] == ["SAM-EMAIL"]
    assert "NIA-EMAIL" not in everything(files)
