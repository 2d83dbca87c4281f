import datetime

import pytest
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from people.models import Frequency, Kind
from sessions_app import records
from sessions_app.models import Acknowledgement, RecordState, Response, Status
from sessions_app.selectors import relationships_of
from tests.factories import (
    ActionFactory,
    GroupSessionFactory,
    RelationshipFactory,
    SessionFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def add_supervisees(supervisor, n):
    today = clock.today()
    for i in range(n):
        person = UserFactory(team=supervisor.team)
        RelationshipFactory(supervisor=supervisor, supervisee=person)
        SessionFactory(
            supervisor=supervisor, supervisee=person, date=today - datetime.timedelta(days=10 + i)
        )
        SessionFactory(
            supervisor=supervisor,
            supervisee=person,
            status=Status.PLANNED,
            date=today + datetime.timedelta(days=5 + i),
        )
    GroupSessionFactory(
        supervisor=supervisor, attendees=[(p, True) for p in supervisor.team.members.all()][:n]
    )


def home_queries(client, django_assert_max_num_queries, limit):
    with django_assert_max_num_queries(limit) as captured:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    return len(captured)


def test_home_query_count_does_not_grow_with_supervisees(
    login, supervisor, django_assert_max_num_queries
):
    client = login(supervisor)
    add_supervisees(supervisor, 2)
    few = home_queries(client, django_assert_max_num_queries, 40)
    add_supervisees(supervisor, 12)
    many = home_queries(client, django_assert_max_num_queries, 40)
    assert many == few


def test_home_shows_next_due_and_overdue(login, supervisor):
    today = clock.today()
    due = UserFactory(name="Dee Due")
    late = UserFactory(name="Lou Late")
    RelationshipFactory(supervisor=supervisor, supervisee=due, frequency=Frequency.MONTHLY)
    RelationshipFactory(supervisor=supervisor, supervisee=late, frequency=Frequency.FORTNIGHTLY)
    SessionFactory(supervisor=supervisor, supervisee=due, date=today - datetime.timedelta(days=10))
    SessionFactory(supervisor=supervisor, supervisee=late, date=today - datetime.timedelta(days=20))
    body = login(supervisor).get(reverse("home")).content.decode()
    rows = {
        row.split("</th>")[0].rsplit(">", 1)[-1]: row for row in body.split('<th scope="row">')[1:]
    }
    next_due = today + datetime.timedelta(days=21)
    assert f"{next_due.day} {next_due:%b %Y}" in rows["Dee Due"]
    assert "Overdue" not in rows["Dee Due"]
    assert "Overdue by 6 days" in rows["Lou Late"]


def test_external_supervisors_session_does_not_reset_the_line_supervisors_gap(
    login, supervisor, supervisee, other_supervisor
):
    today = clock.today()
    SessionFactory(
        supervisor=other_supervisor, supervisee=supervisee, date=today - datetime.timedelta(days=1)
    )
    body = login(supervisor).get(reverse("home")).content.decode()
    assert "None yet" in body  # no one-to-one with Sue herself
    assert "Overdue by" in body


def test_home_lists_only_my_sessions(login, supervisor, supervisee, other_supervisor):
    mine = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=clock.today())
    theirs = SessionFactory(supervisor=other_supervisor, supervisee=supervisee, date=clock.today())
    body = login(supervisor).get(reverse("home")).content.decode()
    assert reverse("sessions:detail", args=[mine.pk]) in body
    assert reverse("sessions:detail", args=[theirs.pk]) not in body


def test_session_list_shows_only_sessions_i_lead(login, supervisor, supervisee, other_supervisor):
    mine = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    theirs = SessionFactory(supervisor=other_supervisor, supervisee=supervisee)
    ActionFactory(session=theirs)
    body = login(supervisor).get(reverse("sessions:list")).content.decode()
    assert reverse("sessions:detail", args=[mine.pk]) in body
    assert reverse("sessions:detail", args=[theirs.pk]) not in body


def test_session_list_query_count_does_not_grow(
    login, supervisor, supervisee, django_assert_max_num_queries
):
    client = login(supervisor)
    SessionFactory(supervisor=supervisor, supervisee=supervisee)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("sessions:list"))
    for _ in range(15):
        SessionFactory(supervisor=supervisor, supervisee=supervisee)
    with django_assert_max_num_queries(20) as many:
        client.get(reverse("sessions:list"))
    assert len(many) == len(few)


def test_administrator_without_supervision_sees_where_to_go(login, administrator):
    body = login(administrator).get(reverse("home")).content.decode()
    assert reverse("audit:organisation") in body
    assert reverse("imports:upload") in body


def test_manager_home_links_to_team_balance(login, manager):
    body = login(manager).get(reverse("home")).content.decode()
    assert reverse("audit:team_balance") in body
    assert reverse("audit:organisation") not in body


@pytest.mark.parametrize("group_counts", [False, True])
def test_home_follows_the_audit_policy_on_group_sessions(login, supervisor, group_counts):
    AuditPolicy.objects.create(group_counts_for_regularity=group_counts)
    today = clock.today()
    person = UserFactory(name="Gil Group")
    RelationshipFactory(supervisor=supervisor, supervisee=person, frequency=Frequency.MONTHLY)
    SessionFactory(supervisor=supervisor, supervisee=person, date=today - datetime.timedelta(40))
    peer = UserFactory(name="Pat Peer")
    GroupSessionFactory(
        supervisor=peer, date=today - datetime.timedelta(days=5), attendees=[(person, True)]
    )
    body = login(supervisor).get(reverse("home")).content.decode()
    row = body.split('<th scope="row">Gil Group')[1].split("</tr>")[0]
    if group_counts:
        next_due = today + datetime.timedelta(days=26)
        assert f"{next_due.day} {next_due:%b %Y}" in row
        assert "Overdue" not in row
    else:
        assert "Overdue by 9 days" in row


def test_home_lists_the_ten_oldest_of_each_waiting_kind_and_links_to_the_rest(
    login, supervisor, supervisee, other_supervisor, django_assert_max_num_queries
):
    """Records waiting for the supervisor (disputes, to share, to sign off): the ten oldest
    of each, then how many more, linked to the session list showing them all; the page's
    queries do not grow with them."""
    client = login(supervisor)
    today = clock.today()
    waiting = {"to_share": [], "to_sign_off": [], "to_reply": []}

    def record(days_ago, **fields):
        return SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            date=today - datetime.timedelta(days=days_ago),
            **fields,
        )

    def grow(n, start):
        for i in range(start, start + n):
            waiting["to_share"].append(record(200 - i))  # held, still a draft
            shared = {"record_state": RecordState.SHARED, "shared_at": clock.now()}
            acknowledged = record(100 - i, **shared)
            Acknowledgement.objects.create(
                session=acknowledged, person=supervisee, response=Response.AGREE
            )
            waiting["to_sign_off"].append(acknowledged)
            disputed = record(300 - i, **shared)
            Acknowledgement.objects.create(
                session=disputed, person=supervisee, response=Response.DISAGREE, comments="No."
            )
            waiting["to_reply"].append(disputed)
            # A disagreement answers the record too: it can be signed off, after a reply.
            waiting["to_sign_off"].append(disputed)

    def detail(session):
        return reverse("sessions:detail", args=[session.pk])

    grow(3, 0)
    with django_assert_max_num_queries(40) as few:
        body = client.get(reverse("home")).content.decode()
    assert body.count("Share the record of") == 3
    assert "more records to share" not in body

    grow(12, 3)
    with django_assert_max_num_queries(40) as many:
        body = client.get(reverse("home")).content.decode()
    attention = body.split('id="attention"')[1].split("</section>")[0]
    assert attention.count("Share the record of") == 10
    assert attention.count("Sign off the record of") == 10
    assert attention.count("who disagreed with the record of") == 10
    lines = attention.split("<li")
    for kind, phrase in [
        ("to_share", "Share the record of"),
        ("to_sign_off", "Sign off the record of"),
        ("to_reply", "who disagreed with the record of"),
    ]:
        shown = "".join(line for line in lines if phrase in line)
        oldest = sorted(waiting[kind], key=lambda s: (s.date, s.pk))  # listed oldest first
        assert all(f'href="{detail(s)}' in shown for s in oldest[:10]), kind
        assert not any(f'href="{detail(s)}' in shown for s in oldest[10:]), kind
    listed = reverse("sessions:list")
    assert f'href="{listed}?status=to_share">5 more records to share' in attention
    assert f'href="{listed}?status=to_sign_off">20 more records to sign off' in attention
    # The rest of the disagreements to reply to, not every disputed record: one replied to
    # already is not listed there (below).
    assert f'href="{listed}?status=to_reply">5 more disagreements to reply to' in attention
    assert len(many) == len(few)  # each list is counted in the query that reads its first

    others = {s for sessions in waiting.values() for s in sessions}
    # Another supervisor's records waiting for them are never in this supervisor's lists.
    kit = other_supervisor.supervisee_relationships.get().supervisee
    theirs_shared = SessionFactory(
        supervisor=other_supervisor,
        supervisee=kit,
        record_state=RecordState.SHARED,
        shared_at=clock.now(),
    )
    Acknowledgement.objects.create(session=theirs_shared, person=kit, response=Response.AGREE)
    others |= {theirs_shared, SessionFactory(supervisor=other_supervisor, supervisee=kit)}
    # A disagreement of this supervisor's, replied to: waiting for nothing but the sign-off.
    replied = record(400, record_state=RecordState.SHARED, shared_at=clock.now())
    answered = Acknowledgement.objects.create(
        session=replied, person=supervisee, response=Response.DISAGREE, comments="No."
    )
    records.dispute_reply(acknowledgement=answered, by=supervisor, text="Changed it.")
    waiting["to_sign_off"].append(replied)
    others.add(replied)
    for status, sessions in waiting.items():
        page = "".join(  # 25 to a page
            client.get(listed, {"status": status, "page": n}).content.decode() for n in (1, 2)
        )
        for session in others:
            assert (f'href="{detail(session)}"' in page) == (session in sessions), status


def test_a_supervisee_sees_the_sessions_booked_for_them_from_today_on(
    login, supervisor, supervisee
):
    """Found by their attendances' own dates: today's and later ones, never one already past,
    never one that is not theirs."""
    today = clock.today()
    planned = {"supervisor": supervisor, "status": Status.PLANNED}
    in_days = [0, 9, -1]
    mine = [
        SessionFactory(supervisee=supervisee, date=today + datetime.timedelta(days=n), **planned)
        for n in in_days
    ]
    someone_elses = SessionFactory(
        supervisee=UserFactory(), date=today + datetime.timedelta(days=2), **planned
    )
    page = login(supervisee).get(reverse("home")).content.decode()
    section = page.split("Sessions booked for you", 1)[1].split("</ul>", 1)[0]
    links = [reverse("sessions:detail", args=[s.pk]) for s in mine]
    assert links[0] in section and links[1] in section
    assert section.index(links[0]) < section.index(links[1])  # soonest first
    assert links[2] not in section
    assert reverse("sessions:detail", args=[someone_elses.pk]) not in section


def test_someone_who_supervises_and_is_supervised_reads_both_ways_at_once(
    login, supervisor, supervisee, other_supervisee, django_assert_max_num_queries
):
    """A team's supervisor is most often someone's supervisee too: their relationships each way
    are one query and one read of their focus (`selectors.relationships_of`), each side in its
    own order (their supervisees by name, their supervisors by kind, then name)."""
    zed = UserFactory(name="Zed Senior")
    amy = UserFactory(name="Amy Principal")
    RelationshipFactory(supervisor=zed, supervisee=supervisor, kind=Kind.LINE)
    RelationshipFactory(supervisor=amy, supervisee=supervisor, kind=Kind.PRACTICE)
    RelationshipFactory(supervisor=UserFactory(name="Bo Ended"), supervisee=supervisor,
                        end_date=clock.today() - datetime.timedelta(days=1))  # fmt: skip

    with django_assert_max_num_queries(2):
        as_supervisor, as_supervisee = relationships_of(supervisor, clock.today())

    assert [rel.supervisee for rel in as_supervisor] == sorted(
        [supervisee, other_supervisee], key=lambda person: person.name
    )
    assert [(rel.kind, rel.supervisor) for rel in as_supervisee] == sorted(
        [(Kind.LINE, zed), (Kind.PRACTICE, amy)], key=lambda pair: (pair[0], pair[1].name)
    )
    page = login(supervisor).get(reverse("home")).content.decode()
    assert "Zed Senior" in page and "Amy Principal" in page and "Bo Ended" not in page


def test_the_lists_of_sessions_name_a_one_to_ones_supervisee_and_a_groups_number(login, supervisor):
    """Read with their attendances in one query for all the lists: a one-to-one's supervisee
    by name, a group by its kind and how many attended."""
    day = clock.today()
    sam, kim, lee = (UserFactory(name=name) for name in ("Sam Social", "Kim Kin", "Lee Lane"))
    draft = {"record_state": RecordState.DRAFT}
    SessionFactory(supervisor=supervisor, supervisee=sam, date=day, **draft)
    GroupSessionFactory(
        supervisor=supervisor, attendees=[(sam, True), (kim, True), (lee, False)], date=day, **draft
    )
    SessionFactory(
        supervisor=supervisor,
        supervisee=kim,
        status=Status.PLANNED,
        date=day + datetime.timedelta(days=3),
    )
    body = login(supervisor).get(reverse("home")).content.decode()
    attention = body.split('id="attention"')[1].split("</section>")[0]
    assert f"Share the record of {day:%-d %b %Y} with Sam Social</a>" in attention
    assert f"Share the record of {day:%-d %b %Y} with the team group</a>" in attention
    assert "<td>Team group (3)</td>" in body  # held lately: all three invited
    assert "<td>Kim Kin</td>" in body  # booked
    listed = login(supervisor).get(reverse("sessions:list")).content.decode()
    assert "<td>Sam Social</td>" in listed and "<td>Team group (3)</td>" in listed
