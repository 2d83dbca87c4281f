"""`seed_demo --practitioners N --years Y`: a large organisation in bulk, shaped as the
services would have written it, the same for the same arguments."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from audit import selectors
from core import bulk, clock
from demo.bulk import BulkBuilder, bulk_load
from people.models import FocusAgreement, Relationship, Team, TeamMembership, User
from sessions_app import brought_forward, kept
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    BroughtForward,
    DisputeReply,
    Feedback,
    Format,
    Item,
    MonthMinutes,
    RecordState,
    Response,
    Session,
    Status,
)
from tests.cast import shared_rows

pytestmark = pytest.mark.django_db


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def fingerprint():
    return (
        list(Team.objects.order_by("name").values_list("name", flat=True)),
        list(
            Session.objects.order_by("date", "pk").values_list(
                "date", "format", "status", "record_state", "supervisor__email"
            )
        ),
        list(Item.objects.order_by("pk").values_list("minutes", "function_management")),
    )


def test_the_same_organisation_each_time(today):
    end = today - timedelta(days=1)
    args = ("--practitioners", "12", "--years", "1", "--today", f"{end:%Y-%m-%d}")
    seed(*args)
    first = fingerprint()
    wipe()
    seed(*args)
    assert fingerprint() == first


def wipe():
    for model in (ActionReview, Action, Acknowledgement, Feedback, Item, Attendance):
        model.objects.all().delete()
    Session.objects.update(rescheduled_to=None)
    Session.objects.all().delete()
    FocusAgreement.objects.all().delete()
    Relationship.objects.all().delete()
    User.objects.all().delete()
    Team.objects.all().delete()


def records():
    """Everything the seeding wrote, told apart by what it says rather than by ids (the parts
    built side by side take their ids in turns)."""
    return {
        "people": sorted(
            # The administrator joins as the seeding runs.
            User.objects.exclude(is_staff=True).values_list(
                "email", "name", "team__name", "is_active", "date_joined"
            )
        ),
        "relationships": sorted(
            Relationship.objects.values_list(
                "supervisor__email", "supervisee__email", "kind", "start_date", "end_date"
            )
        ),
        "sessions": sorted(
            Session.objects.values_list(
                "supervisor__email", "date", "start_time", "format", "status", "record_state",
                "shared_at", "rescheduled_to__date", "moved_by__email",
            )
        ),
        "attendances": sorted(
            Attendance.objects.values_list(
                "session__supervisor__email", "session__date", "person__email", "present"
            )
        ),
        "items": sorted(
            Item.objects.values_list(
                "session__supervisor__email", "session__date", "position", "title", "minutes",
                "function_management", "stage_reflection", "case_ref",
            )
        ),
        "actions": sorted(
            Action.objects.values_list(
                "session__supervisor__email", "session__date", "description", "status",
                "completed_on", "owner__email",
            )
        ),
        "reviews": sorted(
            ActionReview.objects.values_list(
                "session__date", "action__session__date", "action__description", "outcome"
            )
        ),
        "answers": sorted(
            Acknowledgement.objects.values_list("session__date", "person__email", "response")
        ),
        "feedback": sorted(Feedback.objects.values_list("session__date", "person__email")),
    }  # fmt: skip


def load(**options):
    end = clock.today() - timedelta(days=1)
    return bulk_load(practitioners=20, years=1, today=end, **options)


@pytest.mark.skipif(not bulk.fast(Session), reason="side by side on PostgreSQL only")
def test_the_same_records_built_side_by_side_or_one_after_another():
    load(side_by_side=True)
    side_by_side = records()
    assert len(side_by_side["sessions"]) > 100
    wipe()
    load(side_by_side=False)
    assert records() == side_by_side


@pytest.mark.skipif(not bulk.fast(Session), reason="side by side on PostgreSQL only")
def test_a_part_that_fails_leaves_nothing_written(monkeypatch):
    def fail(self):
        raise ValueError("no room in the diary")

    monkeypatch.setattr(BulkBuilder, "book_ahead", fail)
    with pytest.raises(RuntimeError, match="(?s)failed.*no room in the diary"):
        load()
    assert not User.objects.exists() and not Session.objects.exists()
    assert not Item.objects.exists()


def test_flags_go_together(db):
    with pytest.raises(CommandError, match="go together"):
        seed("--practitioners", "10")


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Seeded once for the module; each test runs in its own savepoint inside it. The tests
    that need an empty database come before the first that asks for this (pytest orders a
    module's tests as written, and sets this up at the first that uses it)."""
    end = clock.today() - timedelta(days=1)
    with shared_rows(django_db_blocker):
        seed("--practitioners", "30", "--years", "2", "--today", f"{end:%Y-%m-%d}")
        yield end


def test_teams_of_8_to_15_with_a_manager_each(loaded):
    teams = Team.objects.annotate(managers_n=Count("managers"))
    assert teams.count() == 3
    assert all(team.managers_n == 1 for team in teams)
    # Practitioners in post today: one per post.
    for team in teams:
        current = TeamMembership.objects.filter(team=team, end_date__isnull=True).count() - 1
        assert 8 <= current <= 15


def test_joiners_and_leavers(loaded):
    ended = Relationship.objects.filter(end_date__isnull=False)
    assert ended.exists()
    for rel in ended:
        assert not rel.supervisee.is_active
        assert not Session.objects.filter(
            attendances__person=rel.supervisee, date__gt=rel.end_date, supervisor=rel.supervisor
        ).exists()
    assert Relationship.objects.filter(start_date__gt=loaded - timedelta(days=600)).exists()


def test_records_have_the_shapes_the_services_write(loaded):
    held = Session.objects.filter(status=Status.HELD)
    assert held.filter(format=Format.GROUP).exists()
    assert (
        Session.objects.filter(
            status__in=[Status.CANCELLED_BY_SUPERVISOR, Status.CANCELLED_BY_SUPERVISEE],
            moved_by__isnull=False,
        )
        .exclude(cancellation_reason="")
        .exists()
    )
    assert Session.objects.filter(status=Status.RESCHEDULED, rescheduled_to__isnull=False).exists()
    assert not Session.objects.filter(status=Status.PLANNED, date__lte=loaded).exists()
    assert not held.filter(date__gt=loaded).exists()
    # A one-to-one has exactly one attendee; every held session has items.
    assert not (
        Session.objects.filter(format=Format.ONE_TO_ONE)
        .annotate(n=Count("attendances"))
        .exclude(n=1)
        .exists()
    )
    assert not held.annotate(n=Count("items")).filter(n=0).exists()
    # Every attendee keeps their session's date (the audits read a person's window by it).
    assert not Attendance.objects.exclude(session_date=F("session__date")).exists()
    # And every feedback (an organisation's feedback of a window is read by it).
    assert Feedback.objects.exists()
    assert not Feedback.objects.exclude(session_date=F("session__date")).exists()
    # And its supervisor (a supervisor's feedback received lately is read by it).
    assert not Feedback.objects.exclude(session_supervisor=F("session__supervisor")).exists()
    # States and the times they stamp agree.
    signed = held.filter(record_state=RecordState.SIGNED_OFF)
    assert signed.exists()
    assert not signed.filter(Q(shared_at__isnull=True) | Q(signed_off_at__isnull=True)).exists()
    assert not signed.filter(signed_off_at__lt=F("shared_at")).exists()
    assert not held.filter(record_state=RecordState.DRAFT, shared_at__isnull=False).exists()
    assert not Session.objects.filter(shared_at__date__lt=F("date")).exists()
    # Only the people present answer, and only shared records.
    assert Acknowledgement.objects.exists()
    assert not Acknowledgement.objects.filter(session__shared_at__isnull=True).exists()
    for ack in Acknowledgement.objects.all()[:200]:
        assert Attendance.objects.filter(
            session=ack.session_id, person=ack.person_id, present=True
        ).exists()
    # A disagreement is replied to by the session's supervisor within a fortnight; only
    # those of the last fortnight may still wait, and exactly those without a reply wait.
    disagreements = Acknowledgement.objects.filter(response=Response.DISAGREE)
    replied = disagreements.filter(replies__isnull=False)
    assert replied.exists()
    assert not disagreements.filter(
        replies__isnull=True, created_at__date__lt=loaded - timedelta(days=14)
    ).exists()
    assert set(Acknowledgement.objects.filter(waiting_reply=True)) == set(
        disagreements.filter(replies__isnull=True)
    )
    assert DisputeReply.objects.count() == replied.count()
    assert not DisputeReply.objects.exclude(author=F("session__supervisor")).exists()
    assert not DisputeReply.objects.exclude(session=F("acknowledgement__session")).exists()
    assert not DisputeReply.objects.filter(
        created_at__lte=F("acknowledgement__created_at")
    ).exists()
    assert Feedback.objects.exists()
    # Tagging varies: stages (with the short circuit) and stakeholders.
    assert Item.objects.filter(stage_plans_actions=True, stage_reflection=False).exists()
    assert Item.objects.filter(stakeholder_partners=True).exists()
    # Actions are reviewed at the pair's next session, some closed, some carried forward.
    assert ActionReview.objects.filter(session__date__gt=F("action__session__date")).count() == (
        ActionReview.objects.count()
    )
    assert Action.objects.filter(status=ActionStatus.DONE, completed_on__isnull=False).exists()
    assert Action.objects.filter(status=ActionStatus.OPEN).exists()


def test_the_audit_reads_it(loaded):
    start = loaded - timedelta(days=364)
    balances = selectors.balances(start, loaded)
    assert len(balances) >= 30
    assert sum(b.minutes.sessions_held for b in balances) > 300
    figures = selectors.compliance(start, loaded, as_of=loaded)
    assert figures.sessions_with_actions_to_review > 0


def test_the_minutes_by_month_are_kept_for_what_was_loaded(loaded):
    # Summed in one statement after the load (sessions_app.kept): the same as the records.
    assert MonthMinutes.objects.count() > 300
    assert kept.differences() == []
    assert BroughtForward.objects.filter(unreviewed=True).exists()
    assert brought_forward.differences() == []


def test_refuses_a_database_in_use(loaded):
    with pytest.raises(CommandError, match="empty database"):
        seed("--practitioners", "10", "--years", "1")
    assert "Skipped" in seed("--practitioners", "10", "--years", "1", "--if-empty")
