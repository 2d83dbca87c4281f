"""The record lifecycle: draft, shared, acknowledged, signed off; feedback, addenda, history."""

import datetime

import pytest
from django.urls import reverse

from sessions_app.models import (
    AccessLog,
    Acknowledgement,
    Addendum,
    Feedback,
    RecordState,
    Session,
    Status,
)
from tests.factories import (
    ActionFactory,
    GroupSessionFactory,
    ItemFactory,
    SessionFactory,
    UserFactory,
)
from tests.sessions_app.forms_data import session_post

pytestmark = pytest.mark.django_db


def url(name, session):
    return reverse(f"sessions:{name}", args=[session.pk])


@pytest.fixture
def held(supervisor, supervisee):
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 11, 2)
    )
    ItemFactory(session=session, title="Caseload review", minutes=40, functions=["management"])
    ItemFactory(
        session=session,
        title="Bereavement at home",
        notes="Private notes",
        minutes=20,
        functions=["support"],
        confidential=True,
    )
    return session


def share(client, session):
    return client.post(url("share", session))


FEEDBACK = {
    "management": "too_much",
    "development": "too_little",
    "support": "about_right",
    "mediation": "too_little",
    "dominated": "management",
    "wants_more": "development",
    "usefulness": "3",
    "comments": "Mostly about deadlines again.",
}


class TestShare:
    def test_supervisor_shares_a_held_draft(
        self, login, supervisor, held, django_capture_on_commit_callbacks
    ):
        client = login(supervisor)
        with django_capture_on_commit_callbacks(execute=True):
            response = share(client, held)
        assert response.status_code == 302
        held.refresh_from_db()
        assert held.record_state == RecordState.SHARED
        assert held.shared_at is not None

    def test_planned_session_cannot_be_shared(self, login, supervisor, supervisee):
        planned = SessionFactory(
            supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED
        )
        response = share(login(supervisor), planned)
        assert response.status_code == 403
        assert "Only the record of a held session can be shared." in response.content.decode()
        planned.refresh_from_db()
        assert planned.record_state == RecordState.DRAFT

    def test_supervisee_cannot_share(self, login, supervisee, held):
        assert share(login(supervisee), held).status_code == 404  # a draft is not theirs to see
        held.refresh_from_db()
        assert held.record_state == RecordState.DRAFT

    def test_share_is_post_only(self, login, supervisor, held):
        assert login(supervisor).get(url("share", held)).status_code == 405


class TestSuperviseeReadsOnlyWhatIsShared:
    def test_supervisee_cannot_see_draft_record(self, login, supervisee, held):
        assert login(supervisee).get(url("detail", held)).status_code == 404

    def test_supervisee_sees_shared_record_with_their_confidential_item(
        self, login, supervisor, supervisee, held
    ):
        share(login(supervisor), held)
        body = login(supervisee).get(url("detail", held)).content.decode()
        assert "Caseload review" in body
        assert "Bereavement at home" in body

    def test_other_supervisee_never_sees_the_record(
        self, login, supervisor, other_supervisee, held
    ):
        share(login(supervisor), held)
        assert login(other_supervisee).get(url("detail", held)).status_code == 404

    def test_group_member_does_not_see_content_of_a_confidential_item(
        self, login, supervisor, supervisee, other_supervisee
    ):
        group = GroupSessionFactory(
            supervisor=supervisor, attendees=[(supervisee, True), (other_supervisee, True)]
        )
        ItemFactory(
            session=group,
            title="Sam's personal matter",
            notes="very private",
            confidential=True,
            functions=["support"],
            minutes=15,
        )
        share(login(supervisor), group)
        body = login(other_supervisee).get(url("detail", group)).content.decode()
        assert "Sam&#x27;s personal matter" not in body
        assert "very private" not in body
        assert "Confidential item" in body
        assert "15 minutes" in body


class TestAcknowledge:
    def test_agree_disagree_and_sign_off(
        self, login, supervisor, supervisee, held, mailoutbox, django_capture_on_commit_callbacks
    ):
        share(login(supervisor), held)
        client = login(supervisee)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url("acknowledge", held),
                {"response": "disagree", "comments": "The deadline point was not agreed."},
            )
        assert response.status_code == 302
        ack = Acknowledgement.objects.get()
        assert (ack.person, ack.response) == (supervisee, "disagree")
        assert [m.to for m in mailoutbox] == [[supervisor.email]]

        client = login(supervisor)
        assert client.post(url("withdraw", held)).status_code == 403  # someone acknowledged
        assert client.post(url("sign_off", held)).status_code == 302
        held.refresh_from_db()
        assert held.record_state == RecordState.SIGNED_OFF
        assert held.signed_off_at is not None

    def test_disagreeing_needs_reasons_and_keeps_the_choice(
        self, login, supervisor, supervisee, held
    ):
        share(login(supervisor), held)
        response = login(supervisee).post(
            url("acknowledge", held), {"response": "disagree", "comments": " "}
        )
        assert response.status_code == 200
        assert response.context["form"].errors["comments"]
        assert Acknowledgement.objects.count() == 0

    def test_acknowledging_twice_is_refused(self, login, supervisor, supervisee, held):
        share(login(supervisor), held)
        client = login(supervisee)
        client.post(url("acknowledge", held), {"response": "agree"})
        response = client.post(
            url("acknowledge", held), {"response": "disagree", "comments": "changed my mind"}
        )
        assert response.status_code == 403
        assert "already acknowledged" in response.content.decode()
        assert list(Acknowledgement.objects.values_list("response", flat=True)) == ["agree"]

    def test_acknowledging_a_draft_is_not_found(self, login, supervisee, held):
        response = login(supervisee).post(url("acknowledge", held), {"response": "agree"})
        assert response.status_code == 404
        assert Acknowledgement.objects.count() == 0

    def test_manager_reads_but_cannot_acknowledge(self, login, supervisor, manager, held):
        share(login(supervisor), held)
        client = login(manager)
        assert client.get(url("detail", held)).status_code == 200
        assert client.post(url("acknowledge", held), {"response": "agree"}).status_code == 403
        assert Acknowledgement.objects.count() == 0

    def test_each_present_group_member_acknowledges_for_themselves(
        self, login, supervisor, supervisee, other_supervisee
    ):
        absent = UserFactory(team=supervisor.team)
        group = GroupSessionFactory(
            supervisor=supervisor,
            attendees=[(supervisee, True), (other_supervisee, True), (absent, False)],
        )
        ItemFactory(session=group)
        share(login(supervisor), group)
        login(supervisee).post(url("acknowledge", group), {"response": "agree"})
        assert login(supervisor).post(url("sign_off", group)).status_code == 403  # Nia has not
        assert (
            login(absent).post(url("acknowledge", group), {"response": "agree"}).status_code == 403
        )
        login(other_supervisee).post(url("acknowledge", group), {"response": "agree"})
        assert login(supervisor).post(url("sign_off", group)).status_code == 302
        group.refresh_from_db()
        assert group.record_state == RecordState.SIGNED_OFF


class TestWithdraw:
    def test_withdraw_before_any_acknowledgement(self, login, supervisor, held):
        client = login(supervisor)
        share(client, held)
        assert client.post(url("withdraw", held)).status_code == 302
        held.refresh_from_db()
        assert held.record_state == RecordState.DRAFT
        assert held.shared_at is None


class TestLocked:
    @pytest.fixture
    def signed_off(self, login, supervisor, supervisee, held):
        share(login(supervisor), held)
        login(supervisee).post(url("acknowledge", held), {"response": "agree"})
        login(supervisor).post(url("sign_off", held))
        held.refresh_from_db()
        return held

    def test_nobody_edits_a_signed_off_record(self, login, supervisor, supervisee, signed_off):
        client = login(supervisor)
        assert client.get(url("edit", signed_off)).status_code == 403
        response = client.post(
            url("edit", signed_off),
            session_post(
                supervisee=supervisee,
                date=signed_off.date,
                version=signed_off.version,
                items=[{"title": "Rewritten", "minutes": 5}],
            ),
        )
        assert response.status_code == 403
        assert "signed off and locked" in response.content.decode()
        assert "Rewritten" not in set(signed_off.items.values_list("title", flat=True))

    def test_administrator_cannot_change_it_in_admin(self, login, administrator, signed_off):
        client = login(administrator)
        response = client.post(
            reverse("admin:sessions_app_session_change", args=[signed_off.pk]),
            {"duration_minutes": 5},
        )
        assert response.status_code == 403
        signed_off.refresh_from_db()
        assert signed_off.duration_minutes == 90

    def test_supervisor_and_supervisee_add_addenda(self, login, supervisor, supervisee, signed_off):
        login(supervisor).post(
            url("addendum", signed_off), {"text": "Correction: 45 minutes on caseload."}
        )
        login(supervisee).post(url("addendum", signed_off), {"text": "I also raised training."})
        assert list(Addendum.objects.values_list("author__email", "text")) == [
            (supervisor.email, "Correction: 45 minutes on caseload."),
            (supervisee.email, "I also raised training."),
        ]
        body = login(supervisee).get(url("detail", signed_off)).content.decode()
        assert "Correction: 45 minutes on caseload." in body

    def test_feedback_stays_open_after_sign_off(self, login, supervisee, signed_off):
        # Until the policy's days after sign-off (tests/sessions_app/test_feedback_window.py).
        response = login(supervisee).post(url("feedback", signed_off), FEEDBACK)
        assert response.status_code == 302
        assert Feedback.objects.count() == 1


class TestFeedback:
    def test_supervisee_gives_and_changes_feedback_and_supervisor_sees_it(
        self, login, supervisor, supervisee, held, mailoutbox, django_capture_on_commit_callbacks
    ):
        share(login(supervisor), held)
        client = login(supervisee)
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url("feedback", held), FEEDBACK).status_code == 302
        feedback = Feedback.objects.get()
        assert feedback.dominated == "management"
        assert mailoutbox[-1].to == [supervisor.email]
        client.post(url("feedback", held), {**FEEDBACK, "usefulness": "4"})
        assert Feedback.objects.get().usefulness == 4
        body = login(supervisor).get(url("detail", held)).content.decode()
        assert "Said management dominated." in body
        assert "Mostly about deadlines again." in body

    def test_feedback_on_someone_elses_session_is_not_found(
        self, login, supervisor, other_supervisee, held
    ):
        share(login(supervisor), held)
        response = login(other_supervisee).post(url("feedback", held), FEEDBACK)
        assert response.status_code == 404
        assert Feedback.objects.count() == 0

    def test_supervisor_cannot_post_feedback(self, login, supervisor, held):
        client = login(supervisor)
        share(client, held)
        assert client.post(url("feedback", held), FEEDBACK).status_code == 403

    def test_missing_rating_keeps_the_rest(self, login, supervisor, supervisee, held):
        share(login(supervisor), held)
        data = {**FEEDBACK}
        del data["support"]
        response = login(supervisee).post(url("feedback", held), data)
        assert response.status_code == 200
        assert response.context["form"].errors["support"]
        assert "Mostly about deadlines again." in response.content.decode()


class TestHistory:
    def test_each_kind_of_change_writes_history(self, login, supervisor, supervisee, held):
        client = login(supervisor)
        before = Session.history.count()
        item = held.items.first()
        response = client.post(
            url("edit", held),
            session_post(
                supervisee=supervisee,
                date=held.date,
                version=held.version,
                initial_items=1,
                items=[{"id": item.pk, "title": "Caseload and deadlines", "minutes": 40}],
                actions=[{"description": "Write up the visit", "owner": "supervisee"}],
            ),
        )
        assert response.status_code == 302
        assert Session.history.count() == before + 1
        assert item.history.count() == 2  # created, then renamed
        assert held.actions.get().history.count() == 1
        share(client, held)
        login(supervisee).post(url("acknowledge", held), {"response": "agree"})
        login(supervisor).post(url("sign_off", held))
        held.refresh_from_db()
        assert [h.record_state for h in held.history.order_by("history_date")][-3:] == [
            "draft",
            "shared",
            "signed_off",
        ]
        # The supervisor sees every version, drafts included.
        body = login(supervisor).get(url("detail", held)).content.decode()
        assert "Item “Caseload and deadlines” changed by Sue Supervisor" in body
        assert "Caseload review → Caseload and deadlines" in body
        assert "Action “Write up the visit” added by Sue Supervisor" in body
        # The supervisee's history starts at the version shared with them.
        body = login(supervisee).get(url("detail", held)).content.decode()
        assert "Shared by Sue Supervisor" in body
        assert "Acknowledged by Sam Social" in body
        assert "the acknowledgement of Sam Social" not in body
        assert "Signed off" in body
        assert "Caseload review" not in body

    def test_draft_writing_never_reaches_a_reader(self, login, supervisor, supervisee, held):
        """A sentence deleted and an item removed before sharing are the supervisor's alone."""
        client = login(supervisor)
        caseload, confidential = held.items.order_by("position", "pk")
        client.post(
            url("edit", held),
            session_post(
                supervisee=supervisee,
                date=held.date,
                version=held.version,
                initial_items=2,
                items=[
                    {
                        "id": caseload.pk,
                        "title": "Caseload review",
                        "minutes": 40,
                        "notes": "Team is short. Sam was late twice this month.",
                    },
                    {
                        "id": confidential.pk,
                        "title": "Bereavement at home",
                        "minutes": 20,
                        "confidential": True,
                    },
                    {"title": "Note about a colleague", "minutes": 10},
                ],
            ),
        )
        held.refresh_from_db()
        colleague = held.items.get(title="Note about a colleague")
        client.post(
            url("edit", held),
            session_post(
                supervisee=supervisee,
                date=held.date,
                version=held.version,
                initial_items=3,
                items=[
                    {
                        "id": caseload.pk,
                        "title": "Caseload review",
                        "minutes": 40,
                        "notes": "Team is short.",
                    },
                    {
                        "id": confidential.pk,
                        "title": "Bereavement at home",
                        "minutes": 20,
                        "confidential": True,
                    },
                    {
                        "id": colleague.pk,
                        "title": "Note about a colleague",
                        "minutes": 10,
                        "DELETE": True,
                    },
                ],
            ),
        )
        share(client, held)
        for reader in (supervisee,):
            body = login(reader).get(url("detail", held)).content.decode()
            assert "late twice" not in body
            assert "Note about a colleague" not in body
            assert "Shared by Sue Supervisor" in body
        supervisor_body = login(supervisor).get(url("detail", held)).content.decode()
        assert "late twice" in supervisor_body
        assert "Item “Note about a colleague” removed by Sue Supervisor" in supervisor_body

    def test_a_record_shared_again_shows_what_changed_between_the_shared_versions(
        self, login, supervisor, supervisee, manager, held
    ):
        client = login(supervisor)
        share(client, held)
        client.post(url("withdraw", held))
        caseload, confidential = held.items.order_by("position", "pk")
        held.refresh_from_db()
        for title, secret in (("Caseload (first try)", "Grief"), ("Caseload and courts", "Loss")):
            held.refresh_from_db()
            client.post(
                url("edit", held),
                session_post(
                    supervisee=supervisee,
                    date=held.date,
                    version=held.version,
                    initial_items=2,
                    items=[
                        {"id": caseload.pk, "title": title, "minutes": 40},
                        {
                            "id": confidential.pk,
                            "title": secret,
                            "minutes": 20,
                            "confidential": True,
                        },
                    ],
                ),
            )
        share(client, held)
        body = login(supervisee).get(url("detail", held)).content.decode()
        assert "Withdrawn to draft, to correct it, by Sue Supervisor" in body
        assert "Shared again by Sue Supervisor" in body
        assert "Caseload review → Caseload and courts" in body
        assert "first try" not in body  # an intermediate draft
        # The manager reads the same history, with the confidential item's words hidden.
        body = login(manager).get(url("detail", held)).content.decode()
        assert "A confidential item changed by Sue Supervisor" in body
        assert "(confidential) → (confidential)" in body
        assert "Bereavement" not in body and "Loss" not in body and "Grief" not in body

    def test_history_hides_confidential_titles_from_managers(
        self, login, supervisor, manager, held
    ):
        share(login(supervisor), held)
        body = login(manager).get(url("detail", held)).content.decode()
        assert "Bereavement at home" not in body
        assert "Shared by Sue Supervisor" in body

    def test_a_group_member_sees_only_the_timing_of_their_own_feedback(
        self, login, supervisor, supervisee, other_supervisee
    ):
        group = GroupSessionFactory(
            supervisor=supervisor,
            date=datetime.date(2026, 11, 2),
            attendees=[(supervisee, True), (other_supervisee, True)],
        )
        share(login(supervisor), group)
        login(other_supervisee).post(url("feedback", group), FEEDBACK)
        login(supervisee).post(url("feedback", group), FEEDBACK)
        mine = login(supervisee).get(url("detail", group)).content.decode()
        assert "Feedback given by Sam Social" in mine
        assert "Feedback given by Nia Newly" not in mine
        theirs = login(supervisor).get(url("detail", group)).content.decode()
        assert "Feedback given by Nia Newly" in theirs and "Feedback given by Sam Social" in theirs


class TestAccessLog:
    def test_manager_views_are_logged_and_supervisors_are_not(
        self, login, supervisor, supervisee, manager, held
    ):
        share(login(supervisor), held)
        login(supervisor).get(url("detail", held))
        login(supervisee).get(url("detail", held))
        assert AccessLog.objects.count() == 0
        login(manager).get(url("detail", held))
        log = AccessLog.objects.get()
        assert (log.user, log.session) == (manager, held)

    def test_other_teams_manager_cannot_read(self, login, supervisor, other_manager, held):
        share(login(supervisor), held)
        assert login(other_manager).get(url("detail", held)).status_code == 404
        assert AccessLog.objects.count() == 0

    def test_manager_never_reads_a_draft(self, login, manager, held):
        assert login(manager).get(url("detail", held)).status_code == 404


class TestActions:
    def test_owner_marks_their_action_done(self, login, supervisor, supervisee, held):
        action = ActionFactory(session=held, owner=supervisee, description="Book training")
        share(login(supervisor), held)
        client = login(supervisee)
        assert "Book training" in client.get(reverse("home")).content.decode()
        assert client.post(reverse("sessions:action_done", args=[action.pk])).status_code == 302
        action.refresh_from_db()
        assert action.status == "done"

    def test_someone_elses_action_is_not_found(
        self, login, supervisor, supervisee, other_supervisee, held
    ):
        action = ActionFactory(session=held, owner=supervisee)
        share(login(supervisor), held)
        response = login(other_supervisee).post(reverse("sessions:action_done", args=[action.pk]))
        assert response.status_code == 404
        action.refresh_from_db()
        assert action.status == "open"


class TestSuperviseeHome:
    def test_shows_shared_records_never_drafts(self, login, supervisor, supervisee, held):
        draft = SessionFactory(
            supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 11, 9)
        )
        share(login(supervisor), held)
        body = login(supervisee).get(reverse("home")).content.decode()
        assert url("detail", held) in body
        assert url("detail", draft) not in body
        assert "Waiting for you" in body

    def test_shows_my_supervisors_agreement_and_focus(self, login, supervisor, supervisee):
        relationship = supervisee.supervisor_relationships.get()
        relationship.agreement = "We meet monthly for 90 minutes."
        relationship.save()
        login(supervisor).post(
            reverse("people:focus", args=[relationship.pk]),
            {"functions": ["support", "development"], "agreed_on": "2026-10-01", "notes": ""},
        )
        body = login(supervisee).get(reverse("home")).content.decode()
        assert "We meet monthly for 90 minutes." in body
        assert "more attention on Development and Support" in body

    def test_supervisee_cannot_set_the_focus(self, login, supervisee):
        relationship = supervisee.supervisor_relationships.get()
        response = login(supervisee).post(
            reverse("people:focus", args=[relationship.pk]),
            {"functions": ["support"], "agreed_on": "2026-10-01"},
        )
        assert response.status_code == 403
        assert relationship.focus_agreements.count() == 0

    def test_home_query_count_does_not_grow_with_records(
        self, login, supervisor, supervisee, django_assert_max_num_queries
    ):
        def add(n):
            for i in range(n):
                s = SessionFactory(
                    supervisor=supervisor,
                    supervisee=supervisee,
                    date=datetime.date(2026, 1, 1) + datetime.timedelta(days=i),
                    record_state=RecordState.SHARED,
                )
                ItemFactory(session=s)
                ActionFactory(session=s, owner=supervisee)

        add(2)
        me = login(supervisee)
        with django_assert_max_num_queries(40) as few:
            response = me.get(reverse("home"))
        assert len(response.context["my_records"]) == 2
        add(8)
        with django_assert_max_num_queries(40) as many:
            response = me.get(reverse("home"))
        assert len(response.context["my_actions"]) == 10
        assert len(many) == len(few)


def test_record_page_query_count_does_not_grow_with_items(
    login, supervisor, supervisee, held, django_assert_max_num_queries
):
    client = login(supervisor)
    with django_assert_max_num_queries(60) as few:
        client.get(url("detail", held))
    for _ in range(10):
        ItemFactory(session=held, minutes=1)
        ActionFactory(session=held)
    with django_assert_max_num_queries(60) as many:
        client.get(url("detail", held))
    assert len(many) == len(few)


def test_absent_group_member_reads_the_record_but_is_not_asked_to_acknowledge(
    login, supervisor, supervisee, other_supervisee
):
    group = GroupSessionFactory(
        supervisor=supervisor,
        attendees=[(supervisee, True), (other_supervisee, False)],
        record_state=RecordState.SHARED,
    )
    client = login(other_supervisee)
    home = client.get(reverse("home")).content.decode()
    assert url("detail", group) in home
    assert "You were absent" in home
    assert "Waiting for you" not in home
    assert "Acknowledge this record" not in client.get(url("detail", group)).content.decode()
