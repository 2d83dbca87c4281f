"""The demo shows the whole 4x4x4 (issue 10) in the browser: the pages, as each login sees them.

Loaded once for the module (it is slow), and rolled back after it. Each test reads what a page
reads: its response and the context the page was rendered from, as the person a demo would
sign in as.
"""

import datetime
import html

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from audit import selectors as audit_selectors
from audit.models import AuditPolicy, SelfAssessment
from core.tally import Minutes
from demo import data as demo
from people.models import (
    FocusAgreement,
    FocusRequest,
    Kind,
    Relationship,
    RequestAnswer,
    Team,
    TeamMembership,
    User,
)
from sessions_app import brought_forward, kept
from sessions_app.access import SessionAccess
from sessions_app.models import (
    BroughtForward,
    Feedback,
    Format,
    MonthMinutes,
    RecordState,
    Session,
    Status,
)
from tests.conftest import sign_in_as


@pytest.fixture(scope="module")
def demo_loaded(demo_world):
    """The demo, there for the whole module and gone after it (tests/demo/conftest.py)."""
    with demo_world():
        yield


pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_loaded")]


def person(email):
    return User.objects.get(email=email)


def first_name(name):
    return User.objects.get(name__startswith=f"{name} ")


def text(response):
    """The page as a reader sees it: entities decoded."""
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def get(client, user, url, **params):
    sign_in_as(client, user)
    return client.get(url, params)


def team_url():
    return reverse("audit:team_balance")


def custom_window(start, end):
    return {"window": "custom", "from": start.isoformat(), "to": end.isoformat()}


def listed(response):
    return {row["balance"].supervisee for row in response.context["rows"]}


# (3) A team supervised in groups only, under the policy that counts group sessions.


def test_the_demo_keeps_its_minutes_by_month_as_the_services_write_them(today):
    # Six months recorded through the services: every month kept is the live sum.
    assert MonthMinutes.objects.count() > 20
    assert kept.differences() == []
    # And what each session inherited from the one before it: actions reviewed and forgotten.
    assert BroughtForward.objects.filter(to_review=True).exists()
    assert BroughtForward.objects.filter(unreviewed=True).exists()
    assert brought_forward.differences() == []


def test_the_months_read_for_many_people_equal_the_items_of_every_window(today):
    """`month_minutes` reads the kept months, cutting the window's first and last months by
    day; it must equal the sum over the items for any window, whole months or cut, any format."""
    people = list(User.objects.values_list("pk", flat=True))
    windows = []
    for back, length in [(0, 0), (1, 5), (14, 30), (40, 90), (75, 182), (10, 365), (0, 400)]:
        end = today - datetime.timedelta(days=back)
        windows.append((end - datetime.timedelta(days=length), end))
    first = today.replace(day=1) - datetime.timedelta(days=1)  # the last day of last month
    windows += [
        (first.replace(day=1), first),
        (first.replace(day=2), first - datetime.timedelta(days=1)),
    ]
    checked = 0
    for start, end in windows:
        for formats in (None, [Format.ONE_TO_ONE], [Format.GROUP]):
            kept_months = audit_selectors.month_minutes(people, start, end, formats=formats)
            live = audit_selectors.live_month_minutes(people, start, end, formats=formats)
            assert kept_months == live, (start, end, formats)
            # Given as a queryset (as an organisation's are), the cut days are read from the
            # days' held sessions rather than each person's attendances: the same months.
            everyone_as_query = User.objects.all()
            assert (
                audit_selectors.month_minutes(everyone_as_query, start, end, formats=formats)
                == live
            ), (start, end, formats)
            checked += sum(len(months) for months in live.values())
            # The same months added up by the database: each person's window, each month's.
            sums = audit_selectors.window_sums(people, start, end, formats=formats)
            everyone = {pk: sums.by_person.get(pk, Minutes()) for pk in people}
            assert everyone == audit_selectors.minutes_by_person(live, people, start, end)
            assert sums.months == audit_selectors.monthly_minutes(live, people, start, end)
    assert checked > 100


def test_the_demo_policy_counts_group_sessions_for_regularity():
    assert AuditPolicy.current().group_counts_for_regularity is True


def test_the_group_only_team_is_not_overdue_while_its_groups_are_regular(client, today):
    team = Team.objects.get(name=demo.GROUP_ONLY_TEAM)
    manager = team.managers.get()
    members = User.objects.filter(supervisor_relationships__supervisor=manager).distinct()
    assert members.count() == 4
    # No one-to-ones at all: the fortnightly group sessions are their supervision.
    assert not Session.objects.filter(format=Format.ONE_TO_ONE, supervisor=manager).exists()
    groups = Session.objects.filter(supervisor=manager, format=Format.GROUP, status=Status.HELD)
    assert groups.filter(date__gte=today - datetime.timedelta(days=14)).exists()

    response = get(client, manager, team_url(), team=team.pk)

    assert listed(response) == {m.email for m in members}
    assert response.context["overdue"] == []
    for row in response.context["rows"]:
        assert "supervision_overdue" not in row["balance"].flag_codes
    page = text(response)
    assert "Overdue by" not in page

    audit = get(client, manager, reverse("audit:my_supervision"))
    assert audit.context["regularity"]
    assert audit.context["overdue_count"] == 0
    assert "On time" in text(audit)


def test_a_group_only_supervisee_sees_their_next_supervision_due_from_the_last_group(client, today):
    paul = person(f"paul.mensah@{demo.MAIL}")
    response = get(client, paul, reverse("home"))
    text(response)
    (relationship,) = response.context["my_supervisors"]
    assert relationship.overdue_days == 0
    assert relationship.next_due >= today


# (1) Someone who moved team part-way.


def moved():
    zara = person(demo.MOVED_EMAIL)
    old, new = TeamMembership.objects.filter(person=zara).order_by(
        F("start_date").asc(nulls_first=True)
    )
    return zara, old, new


def test_the_move_is_dated_in_memberships_and_relationships(today):
    zara, old, new = moved()
    assert old.team.name == demo.CA and new.team.name == demo.CC
    assert old.end_date == new.start_date - datetime.timedelta(days=1)
    assert new.end_date is None and zara.team == new.team
    lines = Relationship.objects.filter(supervisee=zara, kind=Kind.LINE).order_by("start_date")
    before, after = lines
    assert before.end_date == old.end_date
    assert after.start_date == new.start_date  # supervised from the day of the move
    assert after.supervisor in new.team.managers.all()
    # Each supervisor's one-to-ones fall inside their own relationship.
    for relationship in lines:
        dates = Session.objects.filter(
            format=Format.ONE_TO_ONE,
            status=Status.HELD,
            supervisor=relationship.supervisor,
            attendances__person=zara,
        ).values_list("date", flat=True)
        assert dates
        assert all(
            relationship.start_date <= day <= (relationship.end_date or today) for day in dates
        )


def test_the_old_and_the_new_team_pages_each_show_her_window(client, today):
    zara, old, new = moved()
    david = old.team.managers.get()
    priya = new.team.managers.get()
    before = custom_window(old.end_date - datetime.timedelta(days=20), old.end_date)
    after = custom_window(new.start_date, today)

    # The default window (90 days) spans the move: both teams list her.
    old_page = get(client, david, team_url(), team=old.team.pk)
    assert zara.email in listed(old_page)
    assert zara.email in listed(get(client, priya, team_url(), team=new.team.pk))
    # Her name on the old team's page is not a link: her balance is for her new team's manager.
    row = next(r for r in old_page.context["rows"] if r["balance"].supervisee == zara.email)
    assert row["pk"] is None
    assert "has since moved on" in text(old_page)
    assert get(client, david, reverse("audit:person", args=[zara.pk])).status_code == 404
    assert get(client, priya, reverse("audit:person", args=[zara.pk])).status_code == 200

    # Before the move only the old team lists her; after it only the new one.
    assert zara.email in listed(get(client, david, team_url(), team=old.team.pk, **before))
    assert zara.email not in listed(get(client, priya, team_url(), team=new.team.pk, **before))
    assert zara.email not in listed(get(client, david, team_url(), team=old.team.pk, **after))
    assert zara.email in listed(get(client, priya, team_url(), team=new.team.pk, **after))

    # Neither relationship is overdue: the old one is measured to its end.
    balance = audit_selectors.supervisee_balance(zara, today - datetime.timedelta(days=89), today)
    assert "supervision_overdue" not in balance.flag_codes


# (2) A leaver.


def test_the_leaver_is_not_overdue_after_leaving_and_her_records_are_kept(client, today):
    olivia = person(demo.LEAVER_EMAIL)
    (relationship,) = Relationship.objects.filter(supervisee=olivia)
    assert not olivia.is_active and olivia.team is None
    assert relationship.end_date is not None
    assert (today - relationship.end_date).days >= 31, "left longer ago than her interval"
    (membership,) = TeamMembership.objects.filter(person=olivia)
    assert membership.end_date == relationship.end_date

    priya = relationship.supervisor
    team = Team.objects.get(name=demo.CC)
    page = get(client, priya, team_url(), team=team.pk)
    row = next(r for r in page.context["rows"] if r["balance"].supervisee == olivia.email)
    assert "supervision_overdue" not in row["balance"].flag_codes
    assert olivia.email not in {r["balance"].supervisee for r in page.context["overdue"]}

    audit = get(client, priya, reverse("audit:my_supervision"))
    (regularity,) = [r for r in audit.context["regularity"] if r.relationship == relationship]
    assert not regularity.gap.overdue
    assert regularity.gap.measuring_end == relationship.end_date
    assert f"ended {relationship.end_date:%-d %b %Y}" in text(audit)

    # Her records stay, signed off, readable by her supervisor.
    records = Session.objects.filter(attendances__person=olivia, status=Status.HELD)
    assert records.count() >= 5
    last = records.order_by("-date").first()
    assert last.date < relationship.end_date
    assert last.record_state != RecordState.DRAFT
    assert get(client, priya, reverse("sessions:detail", args=[last.pk])).status_code == 200
    # She is no longer on her supervisor's list of supervisees.
    home = get(client, priya, reverse("home"))
    assert olivia.pk not in {r.supervisee_id for r in home.context["relationships"]}


# (4) A supervisor whose own audit shows a management-heavy pattern, and his self-assessments.


def test_the_supervisors_own_audit_shows_management_heavy_sessions(client, today):
    marcus = person(demo.MANAGEMENT_HEAVY_SUPERVISOR_EMAIL)
    priya = Team.objects.get(name=demo.CC).managers.get()
    administrator = person(demo.ADMIN_EMAIL)
    for reader, url in [
        (marcus, reverse("audit:my_supervision")),
        (priya, reverse("audit:supervisor", args=[marcus.pk])),
        (administrator, reverse("audit:supervisor", args=[marcus.pk])),
    ]:
        response = get(client, reader, url)
        page = text(response)
        functions, share = response.context["leading"]
        assert functions == ("management",)
        assert share > AuditPolicy.current().dominance_threshold
        assert "Most time went to management" in page
        assert response.context["management_dominant"]
        assert "Management dominant in the sessions" in page.replace("</span>", "")
        # His first self-assessment said development; the sessions he led said management.
        rows = response.context["assessment_rows"]
        assert [row["entry"].focus_most for row in rows] == ["management", "development"]
        assert all(row["leading"] == ("management",) for row in rows)
        assert "not what was said" in page
    assert SelfAssessment.objects.filter(supervisor=marcus).count() == 2


def test_no_supervisee_of_his_is_flagged_only_his_own_audit_shows_it(today):
    marcus = person(demo.MANAGEMENT_HEAVY_SUPERVISOR_EMAIL)
    supervisees = User.objects.filter(supervisor_relationships__supervisor=marcus)
    assert supervisees.count() == 2
    balances = audit_selectors.balances_of(supervisees, today - datetime.timedelta(days=89), today)
    for balance in balances:
        assert "management_dominant" not in balance.flag_codes
    # Nor does any other supervisor's own audit show it.
    for supervisor in User.objects.filter(supervisee_relationships__isnull=False).distinct():
        minutes = audit_selectors.led_minutes(
            supervisor, today - datetime.timedelta(days=89), today
        )
        shares = sum(minutes.values(), start=type(next(iter(minutes.values())))()).shares
        heavy = shares["management"] > AuditPolicy.current().dominance_threshold
        assert heavy is (supervisor == marcus), supervisor


# (5) The supervisee's voice: requests open and answered.


def test_an_open_request_is_on_the_supervisors_attention_list(client):
    marcus = person(demo.MANAGEMENT_HEAVY_SUPERVISOR_EMAIL)
    ife = first_name("Ife")
    response = get(client, marcus, reverse("home"))
    page = text(response)
    (request,) = response.context["waiting"]["requests"]
    assert request.relationship.supervisee == ife and request.is_open
    assert "Needs your attention" in page
    assert reverse("people:answer_request", args=[request.pk]) in page
    answer = get(client, marcus, reverse("people:answer_request", args=[request.pk]))
    assert request.message in text(answer)


def test_answered_requests_show_to_the_supervisee_and_an_accepted_one_became_the_focus(
    client, today
):
    daniel = first_name("Daniel")
    response = get(client, daniel, reverse("home"))
    page = text(response)
    (request,) = response.context["my_requests"]
    assert request.answer == RequestAnswer.DISCUSS
    assert request.function == "management" and request.kind == "dominating"
    assert "Answered" in page and request.answer_text in page

    accepted = FocusRequest.objects.get(answer=RequestAnswer.ACCEPTED)
    focus = accepted.focus_agreement
    assert focus.functions == list(accepted.proposed)
    assert focus.agreed_on == timezone.localdate(accepted.answered_at) < today
    assert FocusAgreement.objects.filter(relationship=accepted.relationship).count() == 1

    marcus = person(demo.MANAGEMENT_HEAVY_SUPERVISOR_EMAIL)
    counts = get(client, marcus, reverse("audit:my_supervision")).context["requests"]
    assert (counts.raised, counts.answered, counts.open) == (2, 1, 1)
    assert counts.dominating["management"] == 1


# (6) Feedback: open after sign-off for the policy's days; who sees it.


def test_feedback_comes_after_sign_off_within_the_window(today):
    open_days = AuditPolicy.current().feedback_open_days
    late = [
        feedback
        for feedback in Feedback.objects.select_related("session").filter(
            session__record_state=RecordState.SIGNED_OFF
        )
        if feedback.created_at > feedback.session.signed_off_at
    ]
    assert late
    for feedback in late:
        signed_off_on = timezone.localdate(feedback.session.signed_off_at)
        assert timezone.localdate(feedback.created_at) <= signed_off_on + datetime.timedelta(
            days=open_days
        )
    # And some signed-off records still take feedback today.
    signed_off = Session.objects.filter(record_state=RecordState.SIGNED_OFF).prefetch_related(
        "attendances"
    )
    still_open = [
        session
        for session in signed_off.filter(
            signed_off_at__date__gte=today - datetime.timedelta(days=open_days)
        )
        if SessionAccess(session.attendances.all()[0].person, session).can_give_feedback
    ]
    assert still_open


def bens_external_sessions():
    ben = person(f"ben.carter@{demo.MAIL}")
    ruth = person("ruth.adeyemi@reflect-supervision.example")
    return ben, ruth, Session.objects.filter(supervisor=ruth, attendances__person=ben)


def test_bens_feedback_form_says_his_line_manager_sees_only_counts(client):
    ben, ruth, sessions = bens_external_sessions()
    awaiting = sessions.filter(record_state=RecordState.SHARED).order_by("-date").first()
    assert SessionAccess(ben, awaiting).can_give_feedback
    david = ben.team.managers.get()

    page = text(get(client, ben, reverse("sessions:feedback", args=[awaiting.pk])))

    assert f"{ruth.name} reads all of your answers and comments" in page
    assert f"Your line manager ({david.name}) and administrators never see your comments" in page


def test_bens_feedback_reaches_ruth_and_his_line_manager_only_as_counts(client, today):
    ben, ruth, sessions = bens_external_sessions()
    david = ben.team.managers.get()
    feedback = Feedback.objects.filter(session__in=sessions, person=ben).exclude(comments="")
    assert feedback.exists()
    given = feedback.order_by("-session__date").first()

    # Ruth, his external supervisor, reads his words on the record.
    assert given.comments in text(
        get(client, ruth, reverse("sessions:detail", args=[given.session_id]))
    )
    # David, his line manager, reads the record but not the feedback on it...
    on_record = text(get(client, david, reverse("sessions:detail", args=[given.session_id])))
    assert given.comments not in on_record
    assert "Feedback on this session" not in on_record
    # ...and sees his answers only as counts on his balance page, never the comments.
    window = custom_window(given.session.date, today)
    balance = get(client, david, reverse("audit:person", args=[ben.pk]), **window)
    page = text(balance)
    assert balance.context["feedback_view"].detail  # the default setting: counts
    assert balance.context["all_feedback"].feedbacks >= 1
    for comment in Feedback.objects.filter(person=ben).values_list("comments", flat=True):
        if comment:
            assert comment not in page


# (7) Who moved it.


def test_who_moved_a_session_shows_on_it_and_in_the_supervisors_audit(client):
    kieran = person(demo.OVERDUE_EMAIL)
    moved = Session.objects.get(status=Status.RESCHEDULED)
    priya = moved.supervisor
    assert moved.attendances.get().person == kieran
    assert moved.moved_by == priya
    assert f"(recorded by {priya.name})" in text(
        get(client, priya, reverse("sessions:detail", args=[moved.pk]))
    )
    rates = get(client, priya, reverse("audit:my_supervision")).context["rates"]
    assert sum(rate.moved_by_supervisor for rate in rates) >= 1

    # A supervisee who cancelled their own one-to-one recorded it themselves.
    own = Session.objects.filter(status=Status.CANCELLED_BY_SUPERVISEE).first()
    supervisee = own.attendances.get().person
    assert own.moved_by == supervisee
    page = text(get(client, own.supervisor, reverse("sessions:detail", args=[own.pk])))
    assert f"(recorded by {supervisee.name})" in page
    admin = person(demo.ADMIN_EMAIL)
    audit = get(client, admin, reverse("audit:supervisor", args=[own.supervisor_id]), window="12")
    assert sum(rate.moved_by_others for rate in audit.context["rates"]) >= 1


# Every printed login can open its pages.


def test_every_demo_login_opens_its_pages(client):
    for email, _role in demo.demo_logins():
        user = person(email)
        sign_in_as(client, user)
        for name in ("home", "audit:my_balance", "audit:my_supervision"):
            assert client.get(reverse(name)).status_code == 200, (email, name)
        if user.managed_teams.exists() or user.is_staff:
            assert client.get(team_url()).status_code == 200, email
        if user.is_staff:
            assert client.get(reverse("audit:organisation")).status_code == 200
