"""Erasure of a person who has left: they go, the other party's record stays readable."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from privacy.erasure import (
    FORMER_COLLEAGUE,
    REMOVED_CONFIDENTIAL_TITLE,
    REMOVED_TEXT,
    ErasureRefused,
    person_erase,
)
from privacy.models import EventKind, PrivacyEvent
from sessions_app.models import (
    AccessLog,
    Acknowledgement,
    Action,
    Addendum,
    Feedback,
    Item,
    RecordState,
    ReminderSent,
    Response,
    Session,
    Status,
)
from sessions_app.records import record_read_log
from tests.conftest import sign_in_as
from tests.factories import ActionFactory, GroupSessionFactory, ItemFactory, SessionFactory
from tests.privacy.conftest import RATINGS

pytestmark = pytest.mark.django_db


@pytest.fixture
def sams_records(supervisor, supervisee, other_supervisee, manager, today):
    relationship = supervisee.supervisor_relationships.get()
    relationship.agreement = "Sue and Sam Social meet monthly."
    relationship.save()
    relationship.focus_agreements.create(
        support=True, agreed_on=today, notes="Sam wants more support."
    )
    one_to_one = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=today - datetime.timedelta(days=40),
        record_state=RecordState.SHARED,
    )
    caseload = ItemFactory(session=one_to_one, title="Caseload", notes="Sam Social: 12 cases.")
    caseload.notes = "Sam Social has twelve cases; Sam is coping. Sue will check in."
    caseload.save()  # the history keeps both versions
    bereavement = ItemFactory(
        session=one_to_one,
        title="Bereavement",
        notes="Sam's father died in May.",
        confidential=True,
        functions=["support"],
    )
    ActionFactory(session=one_to_one, owner=supervisee, description="Sam to book training")
    Feedback.objects.create(
        session=one_to_one, person=supervisee, comments="I felt rushed.", **RATINGS
    )
    Acknowledgement.objects.create(
        session=one_to_one,
        person=supervisee,
        response=Response.AGREE_WITH_COMMENTS,
        comments="My workload is too high.",
    )
    Addendum.objects.create(session=one_to_one, author=supervisee, text="I asked for leave.")
    Addendum.objects.create(
        session=one_to_one, author=supervisor, text="Sam Social asked for leave; agreed."
    )
    group = GroupSessionFactory(
        supervisor=supervisor,
        attendees=[(supervisee, True), (other_supervisee, True)],
        date=today - datetime.timedelta(days=50),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=group, title="Group learning", notes="Nia presented a case.")
    ItemFactory(
        session=group, title="NIA-GROUP-CONFIDENTIAL", notes="About Nia.", confidential=True
    )
    Feedback.objects.create(
        session=group, person=other_supervisee, comments="Sam talked over me.", **RATINGS
    )
    nias = SessionFactory(
        supervisor=supervisor,
        supervisee=other_supervisee,
        date=today - datetime.timedelta(days=30),
        record_state=RecordState.SHARED,
    )
    ItemFactory(session=nias, title="NIA-ITEM", notes="Nia's own notes.")
    ReminderSent.objects.create(person=supervisee, kind="overdue", subject_key="x")
    record_read_log(session=one_to_one, by=manager)
    return {
        "one_to_one": one_to_one,
        "caseload": caseload,
        "bereavement": bereavement,
        "group": group,
        "nias": nias,
        "relationship": relationship,
    }


@pytest.fixture
def sam_has_left(supervisee, sams_records, today):
    supervisee.is_active = False
    supervisee.save()
    relationship = sams_records["relationship"]
    relationship.end_date = today - datetime.timedelta(days=1)
    relationship.save()
    return supervisee


def erase(person, actor=None):
    return person_erase(person=person, actor=actor)


def all_history_text():
    texts = []
    for row in Item.history.all():
        texts += [row.title, row.notes]
    for row in Action.history.all():
        texts += [row.description, row.owner_name]
    for row in Feedback.history.all():
        texts.append(row.comments)
    for row in Acknowledgement.history.all():
        texts.append(row.comments)
    for row in Session.history.all():
        texts.append(row.cancellation_reason)
    return "\n".join(texts)


class TestRefusals:
    def test_refuses_a_person_who_is_still_active(self, supervisee, sams_records):
        with pytest.raises(ErasureRefused, match="still active"):
            erase(supervisee)
        supervisee.refresh_from_db()
        assert supervisee.name == "Sam Social"
        assert not PrivacyEvent.objects.exists()

    def test_refuses_a_person_whose_relationship_has_not_ended(self, supervisee, sams_records):
        supervisee.is_active = False
        supervisee.save()
        with pytest.raises(ErasureRefused, match="1 supervision relationship that has not ended"):
            erase(supervisee)

    def test_a_relationship_ending_today_has_not_ended(self, supervisee, sams_records, today):
        supervisee.is_active = False
        supervisee.save()
        sams_records["relationship"].end_date = today
        sams_records["relationship"].save()
        with pytest.raises(ErasureRefused, match="has not ended"):
            erase(supervisee)

    def test_refuses_a_person_with_planned_sessions(self, sam_has_left, supervisor, today):
        SessionFactory(
            supervisor=supervisor,
            supervisee=sam_has_left,
            status=Status.PLANNED,
            date=today + datetime.timedelta(days=3),
        )
        with pytest.raises(ErasureRefused, match="1 planned session"):
            erase(sam_has_left)

    def test_refuses_a_second_erasure(self, sam_has_left):
        erase(sam_has_left)
        with pytest.raises(ErasureRefused, match="already been erased"):
            erase(sam_has_left)


class TestErasingASupervisee:
    def test_the_person_becomes_a_former_colleague_who_cannot_sign_in(self, sam_has_left, client):
        erase(sam_has_left)
        sam_has_left.refresh_from_db()
        assert sam_has_left.name == FORMER_COLLEAGUE
        assert sam_has_left.email == f"erased-{sam_has_left.pk}@erased.invalid"
        assert not sam_has_left.has_usable_password()
        assert sam_has_left.team is None
        assert sam_has_left.start_date_in_post is None
        assert not ReminderSent.objects.exists()

    def test_the_supervisors_record_stays_readable(
        self, sam_has_left, sams_records, supervisor, client
    ):
        erase(sam_has_left)
        session = sams_records["one_to_one"]
        sign_in_as(client, supervisor)
        body = client.get(reverse("sessions:detail", args=[session.pk])).content.decode()
        assert "Supervision with Former colleague" in body
        assert "Caseload" in body
        assert "Sam" not in body
        caseload = Item.objects.get(pk=sams_records["caseload"].pk)
        # The supervisor's words are kept; only the name is taken out.
        assert caseload.notes == (
            "Former colleague has twelve cases; Former colleague is coping. Sue will check in."
        )
        assert (
            Action.objects.get(session=session).description == "Former colleague to book training"
        )

    def test_their_confidential_items_lose_title_and_notes_but_keep_minutes_and_tags(
        self, sam_has_left, sams_records
    ):
        erase(sam_has_left)
        item = Item.objects.get(pk=sams_records["bereavement"].pk)
        assert (item.title, item.notes) == (REMOVED_CONFIDENTIAL_TITLE, "")
        assert (item.minutes, item.functions, item.confidential) == (30, ["support"], True)
        assert {(r.title, r.notes) for r in Item.history.filter(id=item.pk)} == {
            (REMOVED_CONFIDENTIAL_TITLE, "")
        }

    def test_their_own_words_go_and_their_answers_stay(self, sam_has_left, sams_records):
        erase(sam_has_left)
        feedback = Feedback.objects.get(person=sam_has_left)
        assert feedback.comments == ""
        assert (feedback.usefulness, feedback.mediation) == (4, "too_much")
        ack = Acknowledgement.objects.get(person=sam_has_left)
        assert (ack.response, ack.comments) == (Response.AGREE_WITH_COMMENTS, REMOVED_TEXT)
        texts = set(Addendum.objects.values_list("text", flat=True))
        assert texts == {REMOVED_TEXT, "Former colleague asked for leave; agreed."}

    def test_no_history_row_keeps_their_name_or_words(self, sam_has_left, sams_records):
        assert "Sam Social" in all_history_text()
        erase(sam_has_left)
        history = all_history_text()
        for gone in ["Sam", "I felt rushed.", "My workload is too high.", "father died"]:
            assert gone not in history, gone
        assert "Former colleague has twelve cases" in history

    def test_the_other_peoples_words_are_kept_with_the_name_taken_out(
        self, sam_has_left, sams_records, other_supervisee
    ):
        erase(sam_has_left)
        assert Feedback.objects.get(
            person=other_supervisee, session=sams_records["group"]
        ).comments == ("Former colleague talked over me.")
        nia_item = Item.objects.get(session=sams_records["nias"])
        assert (nia_item.title, nia_item.notes) == ("NIA-ITEM", "Nia's own notes.")
        # A group's confidential item is not the erased person's one-to-one: it stays.
        assert Item.objects.filter(title="NIA-GROUP-CONFIDENTIAL", notes="About Nia.").exists()
        relationship = sams_records["relationship"]
        relationship.refresh_from_db()
        assert relationship.agreement == "Sue and Former colleague meet monthly."
        assert relationship.focus_agreements.get().notes == "Former colleague wants more support."

    def test_the_access_log_and_the_audit_figures_keep_their_rows(
        self, sam_has_left, sams_records, manager
    ):
        removed = AccessLog.objects.create(
            user=manager, session=None, session_label="Supervision with Sam Social, 1 May 2026"
        )
        erase(sam_has_left)
        log = AccessLog.objects.get(session=sams_records["one_to_one"])
        assert log.session_label.startswith("Supervision with Former colleague, ")
        removed.refresh_from_db()
        assert removed.session_label == "Supervision with Former colleague, 1 May 2026"
        assert Item.objects.count() == 5

    def test_the_erasure_is_logged_without_personal_data(self, sam_has_left, administrator):
        erase(sam_has_left, actor=administrator)
        event = PrivacyEvent.objects.get()
        assert (event.kind, event.actor, event.subject) == (
            EventKind.ERASURE,
            administrator,
            sam_has_left,
        )
        # Sam's comments and Nia's mention of Sam, each live and in one history row.
        assert event.details["changed"]["feedback"] == 4
        assert "Sam" not in str(event.details)


def test_erasing_a_supervisor_who_left_keeps_their_supervisees_record_whole(
    supervisor, supervisee, today
):
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
    )
    ItemFactory(session=session, title="Bereavement", notes="Personal.", confidential=True)
    relationship = supervisee.supervisor_relationships.get()
    relationship.end_date = today - datetime.timedelta(days=1)
    relationship.save()
    supervisor.is_active = False
    supervisor.save()
    erase(supervisor)
    item = Item.objects.get()
    assert (item.title, item.notes) == ("Bereavement", "Personal.")
    assert str(Session.objects.get().supervisor) == FORMER_COLLEAGUE


class TestCommand:
    def test_dry_run_is_the_default_and_changes_nothing(self, sam_has_left):
        out = io.StringIO()
        call_command("erase_person", "SAM@example.org", stdout=out)
        assert "Would erase Sam Social" in out.getvalue()
        assert "Dry run: nothing changed" in out.getvalue()
        sam_has_left.refresh_from_db()
        assert sam_has_left.name == "Sam Social"
        assert not PrivacyEvent.objects.exists()

    def test_apply_erases_and_logs_the_command(self, sam_has_left):
        call_command("erase_person", "sam@example.org", "--apply", stdout=io.StringIO())
        sam_has_left.refresh_from_db()
        assert sam_has_left.name == FORMER_COLLEAGUE
        event = PrivacyEvent.objects.get()
        assert event.actor is None
        assert event.details["by"] == "manage.py erase_person --apply"

    def test_refuses_an_active_person(self, supervisee):
        with pytest.raises(CommandError, match="still active"):
            call_command("erase_person", "sam@example.org", "--apply")

    def test_an_unknown_email(self, db):
        with pytest.raises(CommandError, match="No one has the email"):
            call_command("erase_person", "nobody@example.org")


class TestPage:
    def test_an_active_person_is_refused_with_the_reason(
        self, client, administrator, supervisee, sams_records
    ):
        sign_in_as(client, administrator)
        url = reverse("privacy:erase", args=[supervisee.pk])
        assert "still active" in client.get(url).content.decode()
        response = client.post(url, {"confirm": "on"})
        assert response.status_code == 409
        assert "still active" in response.content.decode()
        supervisee.refresh_from_db()
        assert supervisee.name == "Sam Social"

    def test_the_box_must_be_ticked(self, client, administrator, sam_has_left):
        sign_in_as(client, administrator)
        response = client.post(reverse("privacy:erase", args=[sam_has_left.pk]))
        assert response.status_code == 200
        assert "Tick the box to confirm" in response.content.decode()
        assert not PrivacyEvent.objects.exists()

    def test_erases_and_goes_back_to_the_person_in_admin(self, client, administrator, sam_has_left):
        sign_in_as(client, administrator)
        response = client.post(reverse("privacy:erase", args=[sam_has_left.pk]), {"confirm": "on"})
        assert response.status_code == 302
        assert response.url == reverse("admin:people_user_change", args=[sam_has_left.pk])
        assert PrivacyEvent.objects.get().actor == administrator


class TestAdminAction:
    def test_asks_first_then_erases_those_who_may_be_and_says_why_not_the_others(
        self, client, administrator, sam_has_left, other_supervisee
    ):
        sign_in_as(client, administrator)
        url = reverse("admin:people_user_changelist")
        data = {
            "action": "erase_people",
            "_selected_action": [sam_has_left.pk, other_supervisee.pk],
        }
        confirm = client.post(url, data)
        body = confirm.content.decode()
        assert "Nia Newly" in body and "cannot be erased" in body and "will be erased" in body
        assert not PrivacyEvent.objects.exists()
        done = client.post(url, {**data, "confirm": "yes"}, follow=True)
        body = done.content.decode()
        assert "Erased 1 person." in body
        assert "Not erased: Nia Newly" in body
        sam_has_left.refresh_from_db()
        other_supervisee.refresh_from_db()
        assert (sam_has_left.name, other_supervisee.name) == (FORMER_COLLEAGUE, "Nia Newly")
        assert PrivacyEvent.objects.get().actor == administrator


def test_the_name_is_taken_out_as_whole_words(supervisee):
    from privacy.erasure import _redactor

    redact = _redactor(supervisee)
    assert redact("Sam's plan, SAM SOCIAL, sam@example.org") == (
        "Former colleague's plan, Former colleague, Former colleague"
    )
    # Another name that starts the same, and the word in lower case, are not the person.
    assert redact("Samantha covers; social work") == "Samantha covers; social work"


def test_the_data_rights_log_is_read_only_in_admin(client, administrator, sam_has_left):
    erase(sam_has_left, actor=administrator)
    sign_in_as(client, administrator)
    listing = client.get(reverse("admin:privacy_privacyevent_changelist"))
    assert listing.status_code == 200
    assert "Erasure of a person who has left" in listing.content.decode()
    event = PrivacyEvent.objects.get()
    change = client.post(reverse("admin:privacy_privacyevent_change", args=[event.pk]), {})
    assert change.status_code == 403


def test_the_ways_to_sign_in_go_and_the_security_log_forgets_who_and_where(
    sam_has_left, administrator
):
    from allauth.account.models import EmailAddress
    from allauth.mfa.models import Authenticator
    from axes.models import AccessAttempt

    from people.models import SecurityEvent

    EmailAddress.objects.create(user=sam_has_left, email="sam@example.org", primary=True)
    Authenticator.objects.create(user=sam_has_left, type=Authenticator.Type.TOTP, data={})
    AccessAttempt.objects.create(
        username="sam@example.org", ip_address="192.0.2.7", failures_since_start=3
    )
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.SIGN_IN, user=sam_has_left, ip_address="192.0.2.7"
    )
    SecurityEvent.objects.create(
        kind=SecurityEvent.Kind.UNLOCKED,
        email="sam@example.org",
        by=administrator,
        detail="sam@example.org: 3 failed sign-in record(s) cleared",
    )
    erase(sam_has_left)
    assert not EmailAddress.objects.exists()
    assert not Authenticator.objects.exists()
    assert not AccessAttempt.objects.exists()
    events = list(
        SecurityEvent.objects.order_by("pk").values("kind", "email", "ip_address", "detail")
    )
    assert events == [
        {"kind": "sign_in", "email": "", "ip_address": None, "detail": ""},
        {
            "kind": "unlocked",
            "email": "",
            "ip_address": None,
            "detail": "Former colleague: 3 failed sign-in record(s) cleared",
        },
    ]


def test_emails_to_them_go_and_emails_to_others_lose_their_name(sam_has_left, supervisor):
    from outbox.models import OutgoingEmail

    OutgoingEmail.objects.create(
        kind="reminder", person=sam_has_left, to="sam@example.org", subject="Due", body="Hi Sam"
    )
    to_sue = OutgoingEmail.objects.create(
        kind="record_acknowledged",
        person=supervisor,
        to=supervisor.email,
        subject="Sam Social acknowledged your record",
        body="Sam Social agreed, with comments.",
    )
    erase(sam_has_left)
    assert list(OutgoingEmail.objects.all()) == [to_sue]
    to_sue.refresh_from_db()
    assert to_sue.subject == "Former colleague acknowledged your record"
    assert to_sue.body == "Former colleague agreed, with comments."
