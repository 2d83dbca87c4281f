"""`manage.py seed_demo`: a believable organisation, loaded once, showing what Fourfold is for."""

import datetime
import json
import re
from fractions import Fraction
from io import StringIO
from itertools import pairwise

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import F, Max, OuterRef, Subquery, Sum
from django.utils import timezone

from audit import selectors as audit_selectors
from audit.models import AuditPolicy, SelfAssessment
from core.numbers import round_minutes, round_share
from core.vocabulary import FUNCTIONS
from demo import data as demo
from demo.builder import working_days_before
from outbox.models import OutgoingEmail
from people.models import FocusAgreement, FocusRequest, Frequency, Kind, Relationship, Team, User
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    ActionStatus,
    Addendum,
    Attendance,
    Feedback,
    Format,
    Item,
    RecordState,
    Response,
    ReviewOutcome,
    Session,
    Status,
)


def seed_demo(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def model_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def held_sessions_attended(person, first, last):
    """Held sessions in [first, last] where `person` is a present attendee (DOMAIN.md)."""
    return Session.objects.filter(
        status=Status.HELD,
        date__gte=first,
        date__lte=last,
        attendances__person=person,
        attendances__present=True,
    )


def function_shares(sessions):
    """Each item's minutes split evenly over its functions; shares of the total, exactly."""
    minutes = dict.fromkeys(FUNCTIONS, Fraction(0))
    for item in Item.objects.filter(session__in=sessions):
        for function in item.functions:
            minutes[function] += Fraction(item.minutes, len(item.functions))
    total = sum(minutes.values())
    return {function: minutes[function] / total for function in FUNCTIONS}


def last_held_one_to_one(relationship, day):
    return Session.objects.filter(
        status=Status.HELD,
        format=Format.ONE_TO_ONE,
        supervisor=relationship.supervisor,
        attendances__person=relationship.supervisee,
        date__lte=day,
    ).aggregate(last=Max("date"))["last"]


def test_if_empty_skips_when_a_user_exists(db):
    User.objects.create_user("someone@example.org", name="Someone")

    output = seed_demo("--if-empty")

    assert "Skipped" in output
    assert list(User.objects.values_list("email", flat=True)) == ["someone@example.org"]
    assert not Session.objects.exists()
    assert demo.DEMO_PASSWORD in output
    assert "Open http://127.0.0.1:8000" in output


def test_today_may_not_be_in_the_future(db, today):
    tomorrow = today + datetime.timedelta(days=1)

    with pytest.raises(CommandError, match="may not be after today"):
        seed_demo("--today", tomorrow.isoformat())

    assert not User.objects.exists()


def test_working_days_before_skip_the_weekend():
    monday = datetime.date(2026, 11, 30)
    assert working_days_before(monday, 3) == [
        datetime.date(2026, 11, 27),
        datetime.date(2026, 11, 26),
        datetime.date(2026, 11, 25),
    ]
    assert working_days_before(datetime.date(2026, 11, 29), 1) == [datetime.date(2026, 11, 27)]
    assert working_days_before(datetime.date(2028, 3, 1), 1) == [datetime.date(2028, 2, 29)]


@pytest.fixture(scope="class")
def loaded(request, demo_world):
    """The demo, there for the whole class and gone after it (tests/demo/conftest.py).

    What the load asked to run after its commit (emails, say) is kept on the class.
    """
    with demo_world() as load:
        request.cls.on_commit_callbacks = load.on_commit_callbacks
        yield load.output


def start_of(day):
    """Midnight at the start of `day`, in the organisation's time zone."""
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=timezone.get_current_timezone())


def history_by_object(model, **filters):
    """{object id: its history rows, oldest first}, in one query."""
    rows = {}
    for row in model.history.filter(**filters).order_by("history_date", "history_id"):
        rows.setdefault(row.id, []).append(row)
    return rows


@pytest.mark.django_db
@pytest.mark.usefixtures("loaded")
class TestDemoOrganisation:
    def test_load_prints_the_logins_the_highlights_and_a_warning(self, loaded):
        assert "Loaded the demo organisation" in loaded
        assert demo.ADMIN_EMAIL in loaded
        assert demo.DEMO_PASSWORD in loaded
        assert "demo credentials" in loaded
        assert "Mark Jennings" in loaded
        assert "management-dominated" in loaded
        assert "Kieran Walsh" in loaded
        assert "overdue" in loaded
        assert "Open http://127.0.0.1:8000" in loaded

    def test_running_again_changes_nothing(self):
        before = model_counts()

        output = seed_demo()
        output_if_empty = seed_demo("--if-empty")

        assert "Demo organisation already loaded" in output
        assert "Demo organisation already loaded" in output_if_empty
        assert model_counts() == before
        assert demo.DEMO_PASSWORD in output

    def test_every_demo_login_uses_the_demo_password(self):
        administrator = User.objects.get(email=demo.ADMIN_EMAIL)
        assert administrator.is_staff and administrator.is_superuser
        assert administrator.check_password(demo.DEMO_PASSWORD)
        # One shared hash, so checking one password checks them all.
        assert set(User.objects.values_list("password", flat=True)) == {administrator.password}
        emails = [email for email, _role in demo.demo_logins()]
        assert User.objects.filter(email__in=emails).count() == len(emails)

    def test_four_teams_each_with_its_own_manager(self):
        teams = Team.objects.prefetch_related("managers")
        assert teams.count() == 4
        managers = {manager.pk for team in teams for manager in team.managers.all()}
        assert len(managers) == 4

    def test_supervisors_and_practitioners(self, today):
        relationships = Relationship.objects.all()
        supervisors = set(relationships.values_list("supervisor", flat=True))
        supervisees = set(relationships.values_list("supervisee", flat=True))
        assert len(supervisors) >= 6
        assert 24 <= len(supervisees) <= 30
        assert supervisors & supervisees, "a senior practitioner is supervised and supervises"
        assert relationships.filter(kind=Kind.EXTERNAL).exists()
        assert relationships.filter(kind=Kind.PRACTICE).exists()
        for person in supervisees:
            # One line relationship at a time: someone who moved has had two, one after the other.
            lines = list(relationships.filter(supervisee=person, kind=Kind.LINE))
            assert lines and all(line.agreement for line in lines)
            assert len([line for line in lines if line.end_date is None]) <= 1
        newly_qualified = relationships.filter(
            frequency=Frequency.NEWLY_QUALIFIED,
            supervisee__start_date_in_post__gt=today - datetime.timedelta(days=183),
        )
        assert newly_qualified.count() >= 2

    def test_sessions_span_six_months_ending_today(self, today):
        first = Session.objects.order_by("date").first().date
        assert today - datetime.timedelta(days=183) <= first <= today - datetime.timedelta(days=170)
        held = Session.objects.filter(status=Status.HELD)
        assert not held.filter(date__gt=today).exists()
        assert held.aggregate(last=Max("date"))["last"] >= today - datetime.timedelta(days=7)
        planned = Session.objects.filter(status=Status.PLANNED)
        assert not planned.filter(date__lt=today).exists()
        assert planned.filter(date__lte=today + datetime.timedelta(days=28)).count() >= 5

    def test_each_team_has_group_supervision_every_month(self, today):
        for team in Team.objects.all():
            groups = Session.objects.filter(
                format=Format.GROUP,
                status=Status.HELD,
                attendances__person__team=team,
            ).distinct()
            days = sorted(groups.values_list("date", flat=True))
            assert len(days) >= 5
            gaps = [(later - earlier).days for earlier, later in pairwise(days)]
            assert max(gaps) <= 35
            assert today - days[-1] <= datetime.timedelta(days=35)
        assert Attendance.objects.filter(session__format=Format.GROUP, present=False).exists()

    def test_cancellations_by_either_side_with_reasons_and_a_reschedule(self):
        for status in (Status.CANCELLED_BY_SUPERVISOR, Status.CANCELLED_BY_SUPERVISEE):
            cancelled = Session.objects.filter(status=status)
            assert cancelled.exists()
            assert not cancelled.filter(cancellation_reason="").exists()
        rescheduled = Session.objects.get(status=Status.RESCHEDULED)
        assert rescheduled.rescheduled_to.status == Status.PLANNED

    def test_every_attendee_and_feedback_keeps_their_sessions_date(self):
        assert Attendance.objects.exists()
        assert not Attendance.objects.exclude(session_date=F("session__date")).exists()
        assert Feedback.objects.exists()
        assert not Feedback.objects.exclude(session_date=F("session__date")).exists()

    def test_item_minutes_never_exceed_the_session(self):
        too_long = Session.objects.annotate(total=Sum("items__minutes")).filter(
            total__gt=F("duration_minutes")
        )
        assert not too_long.exists()
        assert not Item.objects.filter(session__status__in=[Status.PLANNED]).exists()

    def test_items_are_tagged_across_the_model_with_case_references_not_names(self):
        for key in FUNCTIONS:
            assert Item.objects.filter(**{f"function_{key}": True}).exists()
        for field in ("stage_reflection", "stage_analysis", "stakeholder_partners"):
            assert Item.objects.filter(**{field: True}).exists()
        case_refs = set(Item.objects.exclude(case_ref="").values_list("case_ref", flat=True))
        assert case_refs and all(re.fullmatch(r"C-\d{5}", ref) for ref in case_refs)
        assert Item.objects.filter(risk=True).exists()
        assert 1 <= Item.objects.filter(confidential=True).count() <= 20

    def test_management_dominates_one_supervisees_last_90_days(self, today):
        mark = User.objects.get(email=demo.MANAGEMENT_DOMINATED_EMAIL)
        sessions = held_sessions_attended(mark, today - datetime.timedelta(days=89), today)

        assert sessions.count() >= 2
        assert function_shares(sessions)["management"] > Fraction(6, 10)
        assert Feedback.objects.filter(
            person=mark, dominated="management", session__in=sessions
        ).exists()

    def test_everyone_else_is_reasonably_balanced(self, today):
        first = today - datetime.timedelta(days=89)
        others = (
            User.objects.filter(supervisor_relationships__isnull=False)
            .exclude(email=demo.MANAGEMENT_DOMINATED_EMAIL)
            .distinct()
        )
        for person in others:
            sessions = held_sessions_attended(person, first, today)
            assert sessions.count() >= 2, person
            assert function_shares(sessions)["management"] <= Fraction(1, 2), person

    def test_one_supervisee_is_overdue_and_nobody_else(self, today):
        """By the pages' rule (the demo's policy counts group sessions for regularity)."""
        balances = audit_selectors.balances(today - datetime.timedelta(days=89), today)
        overdue = {b.supervisee for b in balances if "supervision_overdue" in b.flag_codes}
        assert overdue == {demo.OVERDUE_EMAIL}

        kieran = Relationship.objects.get(supervisee__email=demo.OVERDUE_EMAIL, kind=Kind.LINE)
        assert kieran.frequency == Frequency.MONTHLY
        assert (today - last_held_one_to_one(kieran, today)).days > 31

    def test_older_records_signed_off_and_recent_ones_shared_or_draft(self, today):
        held = Session.objects.filter(status=Status.HELD)
        older = held.filter(date__lt=today - datetime.timedelta(days=30))
        signed_off = older.filter(record_state=RecordState.SIGNED_OFF)
        assert signed_off.count() >= 0.8 * older.count()
        assert not signed_off.filter(signed_off_at__isnull=True).exists()
        assert not held.exclude(record_state=RecordState.DRAFT).filter(shared_at=None).exists()
        recent = held.filter(date__gt=today - datetime.timedelta(days=5))
        assert recent.exists()
        assert not recent.exclude(record_state=RecordState.DRAFT).exists()
        assert held.filter(record_state=RecordState.SHARED).exists()

    def test_signed_off_records_are_acknowledged_by_each_present_attendee(self):
        for session in Session.objects.filter(record_state=RecordState.SIGNED_OFF).prefetch_related(
            "attendances", "acknowledgements"
        ):
            present = {a.person_id for a in session.attendances.all() if a.present}
            answered = {a.person_id for a in session.acknowledgements.all()}
            assert answered == present
        disagreement = Acknowledgement.objects.get(response=Response.DISAGREE)
        assert disagreement.comments

    def test_actions_are_done_open_or_carried_forward_to_the_next_session(self):
        for status in (ActionStatus.DONE, ActionStatus.OPEN):
            assert Action.objects.filter(status=status).exists()
        carried = ActionReview.objects.filter(outcome=ReviewOutcome.CARRIED_FORWARD)
        assert carried.exists()
        for review in ActionReview.objects.select_related("action__session", "session"):
            assert review.session.date > review.action.session.date
            assert review.session.supervisor_id == review.action.session.supervisor_id

    def test_a_focus_agreement_about_six_weeks_ago(self, today):
        focus = FocusAgreement.objects.get(
            relationship__supervisee__email=demo.MANAGEMENT_DOMINATED_EMAIL
        )
        assert 35 <= (today - focus.agreed_on).days <= 49
        assert focus.functions

    def test_balance_report_on_the_demo_agrees_with_a_hand_worked_computation(self, today):
        """The report's numbers for every supervisee, recomputed item by item in Python."""
        out = StringIO()
        call_command("balance_report", "--all", "--format", "json", stdout=out)
        report = {row["supervisee"]: row for row in json.loads(out.getvalue())}
        first = today - datetime.timedelta(days=89)
        supervisees = User.objects.filter(
            supervisor_relationships__start_date__lte=today
        ).distinct()
        assert set(report) == {person.email for person in supervisees}
        for person in supervisees:
            row = report[person.email]
            sessions = held_sessions_attended(person, first, today).distinct()
            minutes = dict.fromkeys(FUNCTIONS, Fraction(0))
            short_circuit = 0
            for item in Item.objects.filter(session__in=sessions):
                for function in item.functions:
                    minutes[function] += Fraction(item.minutes, len(item.functions))
                if item.is_short_circuit:
                    short_circuit += item.minutes
            tagged = sum(minutes.values())
            assert row["sessions_held"] == sessions.count(), person
            assert row["tagged_minutes"] == round(float(tagged), 2), person
            assert row["short_circuit_minutes"] == short_circuit, person
            for function in FUNCTIONS:
                # Rounded once, half away from zero: exactly the contract's numbers.
                assert row["minutes"][function] == float(round_minutes(minutes[function]))
                assert row["shares"][function] == float(round_share(minutes[function] / tagged))
        codes = {email: {f["code"] for f in row["flags"]} for email, row in report.items()}
        assert "management_dominant" in codes[demo.MANAGEMENT_DOMINATED_EMAIL]
        assert "supervisee_reported_dominance" in codes[demo.MANAGEMENT_DOMINATED_EMAIL]
        assert "supervision_overdue" in codes[demo.OVERDUE_EMAIL]
        assert [e for e, c in codes.items() if "management_dominant" in c] == [
            demo.MANAGEMENT_DOMINATED_EMAIL
        ]

    def test_loading_sends_no_email(self):
        """The demo's people were told at the time: loading it queues no notification."""
        assert not OutgoingEmail.objects.exists()
        assert self.on_commit_callbacks == []

    def test_records_are_shared_and_signed_off_by_their_supervisor_through_the_services(self):
        """The builder writes no record state itself.

        Each step of a record's life is its own save, by its supervisor, at the time the record
        gives, and moves the record's version on, as `record_share` and `record_sign_off` do;
        each acknowledgement is its person's, written while the record was shared, and each
        feedback from then until the policy's days after sign-off.
        """
        answered = Session.objects.filter(status=Status.HELD).exclude(
            record_state=RecordState.DRAFT
        )
        history = history_by_object(Session, id__in=answered.values("pk"))
        acknowledgements = history_by_object(Acknowledgement, session__in=answered)
        feedback = history_by_object(Feedback, session__in=answered)
        answers = Acknowledgement.objects.filter(session__in=answered)
        answers_by_session = {}
        for answer in [*answers, *Feedback.objects.filter(session__in=answered)]:
            answers_by_session.setdefault(answer.session_id, []).append(answer)
        assert answered.count() > 100
        for session in answered:
            steps, previous = [], None
            for row in history[session.pk]:
                if previous is None or row.record_state != previous.record_state:
                    steps.append((row.record_state, row.history_user_id, row.history_date))
                    if previous is not None:
                        assert row.version == previous.version + 1, session
                previous = row
            expected = [
                (RecordState.DRAFT, session.supervisor_id, session.created_at),
                (RecordState.SHARED, session.supervisor_id, session.shared_at),
            ]
            if session.record_state == RecordState.SIGNED_OFF:
                expected.append(
                    (RecordState.SIGNED_OFF, session.supervisor_id, session.signed_off_at)
                )
            assert steps == expected, session
            for answer in answers_by_session.get(session.pk, []):
                rows = (acknowledgements if isinstance(answer, Acknowledgement) else feedback)[
                    answer.pk
                ]
                assert [(r.history_type, r.history_user_id, r.history_date) for r in rows] == [
                    ("+", answer.person_id, answer.created_at)
                ]
                assert session.shared_at < answer.created_at
                if session.signed_off_at is None:
                    continue
                if isinstance(answer, Acknowledgement):
                    assert answer.created_at < session.signed_off_at
                else:
                    closes = timezone.localdate(session.signed_off_at) + datetime.timedelta(
                        days=AuditPolicy.current().feedback_open_days
                    )
                    assert timezone.localdate(answer.created_at) <= closes

    def test_everything_happened_before_today_and_history_agrees_with_the_records(self, today):
        midnight = start_of(today)
        stamped = {
            Session: ("created_at", "updated_at", "shared_at", "signed_off_at"),
            Acknowledgement: ("created_at",),
            Feedback: ("created_at", "updated_at"),
            Addendum: ("created_at",),
            FocusAgreement: ("created_at",),
            FocusRequest: ("raised_at", "answered_at"),
            SelfAssessment: ("created_at",),
        }
        for model, fields in stamped.items():
            for name in fields:
                assert not model.objects.filter(**{f"{name}__gte": midnight}).exists(), name
        assert not Action.objects.filter(completed_on__gte=today).exists()
        for model in (Session, Attendance, Item, Action, ActionReview, Acknowledgement, Feedback):
            assert model.history.exists()
            assert not model.history.filter(history_date__gte=midnight).exists(), model
        # A history row keeps a copy of the record's times, as they were when it was written.
        assert not Session.history.exclude(updated_at=F("history_date")).exists()
        for name in ("created_at", "shared_at", "signed_off_at"):
            theirs = Subquery(Session.objects.filter(pk=OuterRef("id")).values(name)[:1])
            copies = Session.history.exclude(**{f"{name}__isnull": True})
            assert not copies.exclude(**{name: theirs}).exists(), name
        assert not FocusAgreement.objects.filter(agreed_on__gte=today).exists()
        for focus in FocusAgreement.objects.all():
            assert timezone.localdate(focus.created_at) == focus.agreed_on

    def test_owners_mark_some_actions_done_between_sessions(self):
        done_by_owner = Action.objects.filter(
            status=ActionStatus.DONE, reviews__isnull=True
        ).select_related("session")
        assert done_by_owner.exists()
        for action in done_by_owner:
            last = action.history.first()
            assert (last.history_type, last.history_user_id) == ("~", action.owner_id)
            assert action.completed_on == timezone.localdate(last.history_date)
            assert action.completed_on > action.session.date

    def test_the_disagreement_is_answered_with_an_addendum_before_sign_off(self):
        disagreement = Acknowledgement.objects.select_related("session").get(
            response=Response.DISAGREE
        )
        session = disagreement.session
        addendum = Addendum.objects.get(session=session)
        assert addendum.author_id == session.supervisor_id
        assert disagreement.created_at < addendum.created_at < session.signed_off_at
