"""send_reminders: the right reminders, at the right boundary, to the right people, once.

The command queues them in the outbox; in tests the worker is the immediate backend, so what
the command queued is in `mailoutbox` once its transactions commit.
"""

import datetime
import smtplib
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import TestCase

from audit.models import AuditPolicy
from core import clock
from outbox import sending
from outbox.models import OutgoingEmail
from people.models import Frequency
from sessions_app.models import ActionStatus, RecordState, ReminderSent, Status
from tests.factories import (
    ActionFactory,
    GroupSessionFactory,
    RelationshipFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)
MONTHLY = 31


def days(n):
    return datetime.timedelta(days=n)


def run(*args, day=DAY):
    out = StringIO()
    # The test's transaction never commits: run what waits for a commit (the nudge that has
    # the worker send a queued email) as if the command's own transactions had.
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", "--date", day.isoformat(), *args, stdout=out)
    return out.getvalue()


def held(supervisor, supervisee, on):
    return SessionFactory(supervisor=supervisor, supervisee=supervisee, date=on)


def sent_to(mailoutbox):
    return sorted(address for m in mailoutbox for address in m.to)


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver.example"


@pytest.fixture
def due_in_a_week(supervisor, supervisee):
    """Last held so that the monthly one-to-one is due exactly 7 days after DAY."""
    return held(supervisor, supervisee, DAY + days(7) - days(MONTHLY))


# -- due soon --------------------------------------------------------------------------------


def test_due_in_seven_days_reminds_supervisor_and_supervisee(mailoutbox, due_in_a_week):
    output = run()
    assert sent_to(mailoutbox) == ["sam@example.org", "sue@example.org"]
    to_sue = next(m for m in mailoutbox if m.to == ["sue@example.org"])
    assert to_sue.subject == "Supervision reminder: 1 session due soon"
    assert "Supervision with Sam Social (monthly) is due by Monday 9 March 2026" in to_sue.body
    assert "Nothing is booked yet." in to_sue.body
    assert "http://testserver.example/sessions/new/" in to_sue.body
    assert "http://testserver.example/people/settings/" in to_sue.body
    to_sam = next(m for m in mailoutbox if m.to == ["sam@example.org"])
    assert "Your supervision with Sue Supervisor (monthly) is due by" in to_sam.body
    assert "Queued 2 reminders for 2 people" in output


def test_due_in_eight_days_is_not_yet_reminded(mailoutbox, supervisor, supervisee):
    held(supervisor, supervisee, DAY + days(8) - days(MONTHLY))
    run()
    assert mailoutbox == []


def test_due_today_is_a_due_soon_reminder_not_overdue(mailoutbox, supervisor, supervisee):
    held(supervisor, supervisee, DAY - days(MONTHLY))
    run()
    assert {m.subject for m in mailoutbox} == {"Supervision reminder: 1 session due soon"}
    assert "is due today" in mailoutbox[0].body


def test_a_session_booked_by_the_due_date_stops_the_reminder(
    mailoutbox, supervisor, supervisee, due_in_a_week
):
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED, date=DAY + days(7)
    )
    run()
    assert mailoutbox == []


def test_a_session_booked_after_the_due_date_does_not(
    mailoutbox, supervisor, supervisee, due_in_a_week
):
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED, date=DAY + days(8)
    )
    run()
    assert len(mailoutbox) == 2
    assert "The next one booked is on Tuesday 10 March 2026." in mailoutbox[0].body


def test_another_supervisors_session_does_not_count_for_the_relationship(
    mailoutbox, supervisor, supervisee, other_supervisor, due_in_a_week
):
    SessionFactory(
        supervisor=other_supervisor, supervisee=supervisee, status=Status.PLANNED, date=DAY
    )
    run()
    due_soon = [m for m in mailoutbox if m.subject == "Supervision reminder: 1 session due soon"]
    assert sent_to(due_soon) == ["sam@example.org", "sue@example.org"]


def test_ended_relationship_gets_no_reminder(mailoutbox, supervisor, supervisee, due_in_a_week):
    supervisee.supervisor_relationships.update(end_date=DAY - days(1))
    run()
    assert mailoutbox == []


# -- overdue ---------------------------------------------------------------------------------


def test_overdue_by_a_day_reminds_both(mailoutbox, supervisor, supervisee):
    held(supervisor, supervisee, DAY - days(MONTHLY + 1))
    run()
    assert sent_to(mailoutbox) == ["sam@example.org", "sue@example.org"]
    assert {m.subject for m in mailoutbox} == {"Supervision reminder: 1 overdue session"}
    assert "was due by Sunday 1 March 2026, 1 day ago" in mailoutbox[0].body


def test_overdue_is_reminded_once_per_due_date(mailoutbox, supervisor, supervisee):
    held(supervisor, supervisee, DAY - days(MONTHLY + 1))
    run()
    run(day=DAY + days(1))
    run(day=DAY + days(10))
    assert len(mailoutbox) == 2
    # Held again, and overdue again later: a new due date, so a new reminder.
    held(supervisor, supervisee, DAY + days(11))
    run(day=DAY + days(11 + MONTHLY + 1))
    assert len(mailoutbox) == 4


def test_never_met_relationship_is_overdue_from_its_start(mailoutbox, supervisor):
    newcomer = UserFactory(email="new@example.org", name="Nell New")
    RelationshipFactory(
        supervisor=supervisor,
        supervisee=newcomer,
        frequency=Frequency.FORTNIGHTLY,
        start_date=DAY - days(15),
    )
    run()
    assert sent_to(mailoutbox) == ["new@example.org", "sue@example.org"]
    assert "No one-to-one held since the supervision began" in mailoutbox[0].body


@pytest.fixture
def group_after_a_late_one_to_one(supervisor, supervisee):
    """The monthly one-to-one is 40 days old; a group Sam attended was 5 days ago."""
    held(supervisor, supervisee, DAY - days(40))
    peer = UserFactory(email="peer@example.org", name="Pat Peer")
    GroupSessionFactory(supervisor=peer, date=DAY - days(5), attendees=[(supervisee, True)])


def test_a_group_session_does_not_count_by_default(mailoutbox, group_after_a_late_one_to_one):
    run()
    assert {m.subject for m in mailoutbox} == {"Supervision reminder: 1 overdue session"}


def test_with_the_audit_policy_on_a_group_session_counts_for_regularity(
    mailoutbox, group_after_a_late_one_to_one
):
    AuditPolicy.objects.create(group_counts_for_regularity=True)
    run()
    assert mailoutbox == []
    # Due 31 days after the group: reminded as due soon a week before, naming the session.
    run(day=DAY - days(5) + days(MONTHLY) - days(7))
    assert {m.subject for m in mailoutbox} == {"Supervision reminder: 1 session due soon"}
    assert "Last supervision session: Wednesday 25 February 2026." in mailoutbox[0].body


def test_a_dry_run_does_not_create_the_audit_policy(due_in_a_week):
    run("--dry-run")
    assert not AuditPolicy.objects.exists()


def test_one_email_per_person_lists_all_their_reminders(
    mailoutbox, supervisor, supervisee, other_supervisee
):
    held(supervisor, supervisee, DAY - days(MONTHLY + 3))
    held(supervisor, other_supervisee, DAY + days(2) - days(MONTHLY))
    late = held(supervisor, supervisee, DAY - days(60))
    ActionFactory(session=late, owner=supervisor, due_date=DAY - days(5))
    output = run()
    to_sue = [m for m in mailoutbox if m.to == ["sue@example.org"]]
    assert len(to_sue) == 1
    assert to_sue[0].subject == (
        "Supervision reminders: 1 overdue session, 1 session due soon, 1 action past its due date"
    )
    assert "Sam Social" in to_sue[0].body and "Nia Newly" in to_sue[0].body
    assert "Queued 5 reminders for 3 people" in output
    assert ReminderSent.objects.count() == 5


# -- actions ---------------------------------------------------------------------------------


@pytest.fixture
def shared_session(supervisor, supervisee):
    # Recent enough that the relationship itself is not due in the next week.
    return SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=DAY - days(3),
        record_state=RecordState.SHARED,
    )


def test_action_past_its_due_date_reminds_its_owner(mailoutbox, supervisee, shared_session):
    action = ActionFactory(
        session=shared_session,
        owner=supervisee,
        due_date=DAY - days(1),
        description="Book the safeguarding course for CR-12",
    )
    run()
    assert sent_to(mailoutbox) == ["sam@example.org"]
    email = mailoutbox[0]
    assert email.subject == "Supervision reminder: 1 action past its due date"
    assert f"http://testserver.example/sessions/{shared_session.pk}/" in email.body
    # The action's words stay in the record.
    assert "safeguarding" not in email.body
    assert ReminderSent.objects.get().subject_key == f"action:{action.pk}:due:2026-03-01"


def test_action_due_today_is_not_yet_late(mailoutbox, supervisee, shared_session):
    ActionFactory(session=shared_session, owner=supervisee, due_date=DAY)
    run()
    assert mailoutbox == []


@pytest.mark.parametrize("status", [ActionStatus.DONE, ActionStatus.DROPPED])
def test_closed_actions_are_not_reminded(mailoutbox, supervisee, shared_session, status):
    ActionFactory(session=shared_session, owner=supervisee, due_date=DAY - days(9), status=status)
    run()
    assert mailoutbox == []


def test_action_owned_by_someone_outside_gets_no_email(mailoutbox, shared_session):
    ActionFactory(
        session=shared_session, owner=None, owner_name="Housing team", due_date=DAY - days(9)
    )
    run()
    assert mailoutbox == []


def test_action_in_a_draft_record_reminds_only_the_supervisor(
    mailoutbox, supervisor, supervisee, shared_session
):
    shared_session.record_state = RecordState.DRAFT
    shared_session.save()
    ActionFactory(session=shared_session, owner=supervisee, due_date=DAY - days(9))
    ActionFactory(session=shared_session, owner=supervisor, due_date=DAY - days(9))
    run()
    assert sent_to(mailoutbox) == ["sue@example.org"]


def test_action_reminded_once_and_again_if_its_due_date_moves(
    mailoutbox, supervisee, shared_session
):
    action = ActionFactory(session=shared_session, owner=supervisee, due_date=DAY - days(2))
    run()
    run(day=DAY + days(1))
    assert len(mailoutbox) == 1
    action.due_date = DAY + days(3)
    action.save()
    run(day=DAY + days(4))
    assert len(mailoutbox) == 2


# -- who gets reminders, and only once ---------------------------------------------------------


def test_running_twice_on_one_day_sends_once(mailoutbox, due_in_a_week):
    run()
    assert len(mailoutbox) == 2
    output = run()
    assert len(mailoutbox) == 2
    assert "Queued 0 reminders for 0 people" in output
    assert ReminderSent.objects.count() == 2


def test_person_with_reminders_off_gets_none(mailoutbox, supervisor, supervisee, due_in_a_week):
    supervisee.reminder_emails = False
    supervisee.save()
    run()
    assert sent_to(mailoutbox) == ["sue@example.org"]
    assert not ReminderSent.objects.filter(person=supervisee).exists()


def test_inactive_person_gets_none(mailoutbox, supervisor, supervisee, due_in_a_week):
    supervisor.is_active = False
    supervisor.save()
    run()
    assert sent_to(mailoutbox) == ["sam@example.org"]


def test_dry_run_prints_and_records_nothing(mailoutbox, due_in_a_week):
    output = run("--dry-run")
    assert mailoutbox == []
    assert not ReminderSent.objects.exists()
    assert "Sue Supervisor <sue@example.org>: 1 reminder" in output
    assert "Session due soon: Supervision with Sam Social" in output
    assert "would send 2 reminders to 2 people" in output
    # And a real run afterwards still sends them.
    run()
    assert len(mailoutbox) == 2


def test_a_failed_email_is_recorded_once_and_sent_by_a_retry(
    monkeypatch, mailoutbox, due_in_a_week
):
    def refuse(self, *args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMessage.send", refuse)
        assert "Queued 2 reminders for 2 people" in run()
    assert mailoutbox == []
    assert ReminderSent.objects.count() == 2
    waiting = OutgoingEmail.objects.filter(status=OutgoingEmail.Status.PENDING)
    assert waiting.count() == 2
    # Running again the same day queues no second copy...
    assert "Queued 0 reminders for 0 people" in run()
    assert OutgoingEmail.objects.count() == 2
    # ...and the worker's retry, once it is due, sends each one once.
    with time_machine.travel(clock.now() + datetime.timedelta(minutes=2)):
        sending.send_due()
        sending.send_due()
    assert sent_to(mailoutbox) == ["sam@example.org", "sue@example.org"]
    assert not waiting.exists()


def test_bad_date_is_a_clear_error():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "2026-02-30", stdout=StringIO())


def test_queries_do_not_grow_with_relationships(
    supervisor, supervisee, django_assert_max_num_queries
):
    def add(n):
        for _ in range(n):
            person = UserFactory()
            RelationshipFactory(supervisor=supervisor, supervisee=person)
            late = held(supervisor, person, DAY - days(40))
            ActionFactory(session=late, owner=supervisor, due_date=DAY - days(1))

    def count():
        with django_assert_max_num_queries(10) as captured:
            run("--dry-run")
        return len(captured)

    add(2)
    few = count()
    add(10)
    assert count() == few
