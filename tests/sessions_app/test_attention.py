"""Each home starts with what waits for its reader, each line a link to act; a supervisor
replies to a disagreement on the record."""

import datetime
import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import clock
from people.models import FocusRequest, Frequency, RequestKind
from sessions_app import records
from sessions_app.models import (
    Acknowledgement,
    DisputeReply,
    RecordState,
    Response,
    Status,
)
from tests.factories import (
    ActionFactory,
    FeedbackFactory,
    RelationshipFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def attention(client):
    """The "Needs your attention" section of the home page, as HTML."""
    body = client.get(reverse("home")).content.decode()
    start = body.index('id="attention"')
    return body[start : body.index("</section>", start)]


def shared_record(supervisor, supervisee, days_ago=5):
    return SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() - datetime.timedelta(days=days_ago),
        record_state=RecordState.SHARED,
        shared_at=clock.now(),
    )


def disagree(session, person, comments="That is not what we agreed."):
    return Acknowledgement.objects.create(
        session=session, person=person, response=Response.DISAGREE, comments=comments
    )


class TestHeadings:
    def test_each_home_is_headed_for_its_role(
        self, login, supervisor, supervisee, manager, administrator, outsider
    ):
        def h1(user):
            body = login(user).get(reverse("home")).content.decode()
            return body.split('<h1 class="h3 mb-3">')[1].split("</h1>")[0]

        assert h1(supervisor) == "Your supervisees"
        assert h1(supervisee) == "Your supervision"
        assert h1(manager) == "Your teams"
        assert h1(administrator) == "Your organisation"
        assert h1(outsider) == "Welcome to Fourfold"


class TestSupervisor:
    def test_a_dispute_waits_for_a_reply_with_a_link_to_it(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        ack = disagree(session, supervisee)
        section = attention(login(supervisor))
        link = f"{reverse('sessions:detail', args=[session.pk])}#dispute-{ack.pk}"
        assert f'<a href="{link}">Reply to Sam Social, who disagreed' in section
        assert "Disputed" in section

    def test_a_replied_dispute_no_longer_waits(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        ack = disagree(session, supervisee)
        records.dispute_reply(acknowledgement=ack, by=supervisor, text="Let us talk on Monday.")
        assert "disagreed" not in attention(login(supervisor))

    def test_records_to_share_and_to_sign_off(self, login, supervisor, supervisee):
        draft = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=clock.today() - datetime.timedelta(days=3),
        )
        ready = shared_record(supervisor, supervisee, days_ago=9)
        Acknowledgement.objects.create(session=ready, person=supervisee, response=Response.AGREE)
        waiting = shared_record(supervisor, supervisee, days_ago=12)
        section = attention(login(supervisor))
        assert f'href="{reverse("sessions:detail", args=[draft.pk])}">Share the record' in section
        assert (
            f'href="{reverse("sessions:detail", args=[ready.pk])}">Sign off the record' in section
        )
        assert reverse("sessions:detail", args=[waiting.pk]) + '"' not in section

    def test_feedback_received_overdue_supervisees_and_focus_requests(
        self, login, supervisor, supervisee
    ):
        late = UserFactory(name="Lou Late", team=supervisor.team)
        RelationshipFactory(supervisor=supervisor, supervisee=late, frequency=Frequency.FORTNIGHTLY)
        SessionFactory(
            supervisor=supervisor, supervisee=late, date=clock.today() - datetime.timedelta(20)
        )
        session = shared_record(supervisor, supervisee)
        FeedbackFactory(
            session=session, person=supervisee, management="too_much", dominated="management"
        )
        request = FocusRequest.objects.create(
            relationship=supervisee.supervisor_relationships.get(),
            kind=RequestKind.WANT_MORE,
            function="support",
        )
        section = attention(login(supervisor))
        assert "Read Sam Social's feedback on the session of" in section
        assert "said management dominated" in section
        assert (
            f'href="{reverse("sessions:new")}?supervisee={late.pk}">Book supervision with Lou Late'
            in section
        )
        assert "overdue by 6 days" in section
        assert (
            f'href="{reverse("people:answer_request", args=[request.pk])}">Answer Sam Social'
            in section
        )
        # The request is quoted as the supervisee chose it, capital I and all.
        assert "“I would like more attention on a function” (support)" in section

    def test_nothing_waiting_says_so(self, login, supervisor, supervisee):
        session = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=clock.today() - datetime.timedelta(days=3),
            record_state=RecordState.SIGNED_OFF,
            shared_at=clock.now(),
            signed_off_at=clock.now(),
        )
        Acknowledgement.objects.create(session=session, person=supervisee, response=Response.AGREE)
        assert "Nothing is waiting for you." in attention(login(supervisor))

    def test_another_supervisors_dispute_is_not_on_my_home(
        self, login, supervisor, other_supervisor, supervisee
    ):
        kit = other_supervisor.supervisee_relationships.get().supervisee
        disagree(shared_record(other_supervisor, kit), kit)
        assert "disagreed" not in attention(login(supervisor))


class TestSupervisee:
    def test_records_to_acknowledge_feedback_to_give_and_actions_due(
        self, login, supervisor, supervisee
    ):
        session = shared_record(supervisor, supervisee)
        action = ActionFactory(
            session=session,
            owner=supervisee,
            description="Book the training",
            due_date=clock.today() + datetime.timedelta(days=2),
        )
        later = ActionFactory(
            session=session,
            owner=supervisee,
            description="Plan next year",
            due_date=clock.today() + datetime.timedelta(days=60),
        )
        section = attention(login(supervisee))
        detail = reverse("sessions:detail", args=[session.pk])
        assert f'href="{detail}">Read and acknowledge your record of' in section
        assert f'href="{reverse("sessions:feedback", args=[session.pk])}">Give feedback' in section
        assert f'href="#action-{action.pk}">Your action “Book the training”' in section
        assert later.description not in section

    def test_waiting_for_you_is_a_link_to_the_record(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        body = login(supervisee).get(reverse("home")).content.decode()
        detail = reverse("sessions:detail", args=[session.pk])
        assert f'<a href="{detail}"><strong>Waiting for you</strong>' in body

    def test_a_draft_is_not_waiting_for_the_supervisee(self, login, supervisor, supervisee):
        SessionFactory(supervisor=supervisor, supervisee=supervisee)
        assert "Nothing is waiting for you." in attention(login(supervisee))

    def test_feedback_closes_with_the_policy_window(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        Acknowledgement.objects.create(session=session, person=supervisee, response=Response.AGREE)
        session.record_state = RecordState.SIGNED_OFF
        session.signed_off_at = clock.now() - datetime.timedelta(days=30)
        session.save()
        assert "Give feedback" not in attention(login(supervisee))

    def test_my_records_say_how_i_answered_and_whether_my_disagreement_was_replied_to(
        self, login, supervisor, supervisee
    ):
        agreed = shared_record(supervisor, supervisee, days_ago=20)
        Acknowledgement.objects.create(
            session=agreed,
            person=supervisee,
            response=Response.AGREE_WITH_COMMENTS,
            comments="With the date corrected.",
        )
        disputed = shared_record(supervisor, supervisee, days_ago=5)
        ack = disagree(disputed, supervisee)

        def my_records():
            body = login(supervisee).get(reverse("home")).content.decode()
            return body[body.index("Your records</h3>") :]

        assert "I agree, with comments" in my_records()
        assert "I disagree (no reply yet)" in my_records()
        records.dispute_reply(acknowledgement=ack, by=supervisor, text="Let us talk on Monday.")
        link = f"{reverse('sessions:detail', args=[disputed.pk])}#dispute-{ack.pk}"
        assert f'I disagree (<a href="{link}">{supervisor} replied</a>)' in my_records()


class TestManager:
    def test_people_flagged_or_overdue_in_my_teams(
        self, login, supervisor, supervisee, manager, other_manager
    ):
        # Sam's last one-to-one was long ago: supervision overdue.
        SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=clock.today() - datetime.timedelta(70),
        )
        section = attention(login(manager))
        link = reverse("audit:person", args=[supervisee.pk])
        assert f'<a href="{link}">Sam Social (Adults North)</a>: Supervision overdue' in section
        assert "Sam Social" not in attention(login(other_manager))


class TestQueryCounts:
    def test_home_queries_do_not_grow_with_what_waits(
        self, login, supervisor, supervisee, manager, django_assert_num_queries
    ):
        def add_waiting(n):
            for i in range(n):
                person = UserFactory(team=supervisor.team)
                RelationshipFactory(supervisor=supervisor, supervisee=person)
                session = shared_record(supervisor, person, days_ago=5 + i)
                disagree(session, person)
                SessionFactory(
                    supervisor=supervisor,
                    supervisee=person,
                    date=clock.today() - datetime.timedelta(days=2 + i),
                )
                ActionFactory(session=session, owner=supervisor, due_date=clock.today())

        for user in (supervisor, manager):
            client = login(user)
            add_waiting(1)
            client.get(reverse("home"))
            with CaptureQueriesContext(connection) as few:
                client.get(reverse("home"))
            add_waiting(6)
            with django_assert_num_queries(len(few)):
                response = client.get(reverse("home"))
            assert response.status_code == 200


class TestDisputeReply:
    def test_the_supervisor_replies_and_both_read_it_and_the_supervisee_is_told(
        self, login, supervisor, supervisee, manager, mailoutbox, django_capture_on_commit_callbacks
    ):
        session = shared_record(supervisor, supervisee)
        ack = disagree(session, supervisee)
        url = reverse("sessions:dispute_reply", args=[session.pk, ack.pk])
        with django_capture_on_commit_callbacks(execute=True):
            response = login(supervisor).post(url, {"text": "You are right; I add an addendum."})
        assert response.status_code == 302
        assert response.url.endswith(f"#dispute-{ack.pk}")
        reply = DisputeReply.objects.get()
        assert reply.author == supervisor and reply.acknowledgement == ack
        for reader in (supervisor, supervisee, manager):
            body = login(reader).get(reverse("sessions:detail", args=[session.pk])).content.decode()
            assert "You are right; I add an addendum." in body
            assert "Reply by Sue Supervisor, 25 Nov 2026" in body
        assert [m.to for m in mailoutbox] == [["sam@example.org"]]
        assert "Sue Supervisor replied to your disagreement" in mailoutbox[0].subject
        assert "You are right; I add an addendum." in mailoutbox[0].body
        # Kept in history.
        body = login(supervisee).get(reverse("sessions:detail", args=[session.pk])).content.decode()
        assert "A reply to a disagreement added by Sue Supervisor" in body

    def test_a_disagreement_waits_until_its_first_reply_and_the_lists_let_it_go(
        self, login, supervisor, supervisee
    ):
        session = shared_record(supervisor, supervisee)
        ack = disagree(session, supervisee)
        agreed = Acknowledgement.objects.create(
            session=shared_record(supervisor, supervisee, days_ago=8),
            person=supervisee,
            response=Response.AGREE_WITH_COMMENTS,
            comments="One date is wrong.",
        )
        assert ack.waiting_reply and not agreed.waiting_reply
        waiting = reverse("sessions:list") + "?status=to_reply"
        link = f'href="{reverse("sessions:detail", args=[session.pk])}"'
        assert link in login(supervisor).get(waiting).content.decode()
        records.dispute_reply(acknowledgement=ack, by=supervisor, text="Agreed, noted.")
        records.dispute_reply(acknowledgement=ack, by=supervisor, text="And the addendum.")
        ack.refresh_from_db()
        assert not ack.waiting_reply
        # Not a change to the acknowledgement: its history holds only its creation.
        assert ack.history.count() == 1
        assert link not in login(supervisor).get(waiting).content.decode()

    def test_disagreements_made_before_the_change_wait_unless_replied_to(
        self, supervisor, supervisee
    ):
        """The migration that added `waiting_reply`: a disagreement waits unless its supervisor
        replied to it; agreements never wait."""
        migration = importlib.import_module("sessions_app.migrations.0016_dispute_waiting_reply")
        answered = disagree(shared_record(supervisor, supervisee), supervisee)
        waiting = disagree(shared_record(supervisor, supervisee, days_ago=9), supervisee)
        agreed = Acknowledgement.objects.create(
            session=shared_record(supervisor, supervisee, days_ago=12),
            person=supervisee,
            response=Response.AGREE,
        )
        records.dispute_reply(acknowledgement=answered, by=supervisor, text="Noted.")
        Acknowledgement.objects.update(waiting_reply=False)  # as before the migration
        migration.waiting_until_replied(django_apps, None)
        assert [a.waiting_reply for a in Acknowledgement.objects.order_by("pk")] == [
            False,
            True,
            False,
        ]
        assert waiting.pk < agreed.pk and answered.pk < waiting.pk

    def test_only_the_supervisor_replies(self, login, supervisor, supervisee, manager):
        session = shared_record(supervisor, supervisee)
        ack = disagree(session, supervisee)
        url = reverse("sessions:dispute_reply", args=[session.pk, ack.pk])
        assert login(supervisee).post(url, {"text": "Me too"}).status_code == 403
        assert login(manager).post(url, {"text": "Me too"}).status_code == 403
        assert not DisputeReply.objects.exists()

    def test_another_supervisors_dispute_is_not_found(
        self, login, supervisor, other_supervisor, supervisee
    ):
        kit = other_supervisor.supervisee_relationships.get().supervisee
        session = shared_record(other_supervisor, kit)
        ack = disagree(session, kit)
        url = reverse("sessions:dispute_reply", args=[session.pk, ack.pk])
        assert login(supervisor).post(url, {"text": "Hello"}).status_code == 404

    def test_an_agreement_is_not_a_dispute(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        ack = Acknowledgement.objects.create(
            session=session, person=supervisee, response=Response.AGREE
        )
        disagree_other = shared_record(supervisor, supervisee, days_ago=8)
        disagree(disagree_other, supervisee)
        url = reverse("sessions:dispute_reply", args=[session.pk, ack.pk])
        assert login(supervisor).post(url, {"text": "Hello"}).status_code == 403

    def test_the_form_is_offered_to_the_supervisor_only(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        disagree(session, supervisee)
        detail = reverse("sessions:detail", args=[session.pk])
        assert "Reply to Sam Social" in login(supervisor).get(detail).content.decode()
        assert "Reply to Sam Social" not in login(supervisee).get(detail).content.decode()

    def test_a_disputed_record_shows_as_disputed_in_lists(self, login, supervisor, supervisee):
        session = shared_record(supervisor, supervisee)
        ack = disagree(session, supervisee)
        client = login(supervisor)
        for page in (reverse("home"), reverse("sessions:list")):
            assert "Disputed: reply needed" in client.get(page).content.decode()
        filtered = client.get(reverse("sessions:list"), {"status": "disputed"}).content.decode()
        assert reverse("sessions:detail", args=[session.pk]) in filtered
        records.dispute_reply(acknowledgement=ack, by=supervisor, text="Noted.")
        assert "Disputed, replied" in client.get(reverse("sessions:list")).content.decode()
        mine = login(supervisee).get(reverse("home")).content.decode()
        assert "Sue Supervisor replied" in mine


def test_planned_sessions_are_never_records_to_share(login, supervisor, supervisee):
    SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.PLANNED,
        date=clock.today() + datetime.timedelta(days=3),
    )
    assert "Share the record" not in attention(login(supervisor))
