"""`seed_demo --practitioners N --years Y`: a large organisation in bulk, shaped as the
services would have written it, the same for the same arguments."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Q

from audit import selectors
from core import clock
from people.models import Relationship, Team, TeamMembership, User
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    ActionStatus,
    Attendance,
    Feedback,
    Format,
    Item,
    RecordState,
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
    for model in (ActionReview, Action, Acknowledgement, Feedback, Item, Attendance):
        model.objects.all().delete()
    Session.objects.update(rescheduled_to=None)
    Session.objects.all().delete()
    Relationship.objects.all().delete()
    User.objects.all().delete()
    Team.objects.all().delete()
    seed(*args)
    assert fingerprint() == first


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


def test_refuses_a_database_in_use(loaded):
    with pytest.raises(CommandError, match="empty database"):
        seed("--practitioners", "10", "--years", "1")
    assert "Skipped" in seed("--practitioners", "10", "--years", "1", "--if-empty")
