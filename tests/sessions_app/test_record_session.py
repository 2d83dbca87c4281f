import datetime
import re
import uuid

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from core import clock
from sessions_app import services
from sessions_app.models import (
    Action,
    ActionStatus,
    Attendance,
    Item,
    ReviewOutcome,
    Session,
    Status,
)
from tests.factories import ActionFactory, ItemFactory, SessionFactory
from tests.sessions_app.forms_data import session_post

pytestmark = pytest.mark.django_db

NEW = reverse("sessions:new")


def test_supervisor_records_a_held_one_to_one_with_items_and_actions(login, supervisor, supervisee):
    client = login(supervisor)
    data = session_post(
        supervisee=supervisee,
        items=[
            {
                "title": "Caseload review",
                "minutes": 40,
                "functions": ["management"],
                "stages": ["experience", "plans_actions"],
                "case_ref": "C-1001",
            },
            {"title": "Training plan", "minutes": 20, "functions": ["development", "support"]},
        ],
        actions=[{"description": "Book the court skills course", "owner": "supervisee"}],
    )
    response = client.post(NEW, data)
    session = Session.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("sessions:detail", args=[session.pk])
    assert session.status == Status.HELD
    assert session.supervisor == supervisor
    assert [a.person for a in session.attendances.all()] == [supervisee]
    items = list(session.items.all())
    assert [(i.title, i.minutes, i.functions) for i in items] == [
        ("Caseload review", 40, ["management"]),
        ("Training plan", 20, ["development", "support"]),
    ]
    assert items[0].stages == ["experience", "plans_actions"]
    action = session.actions.get()
    assert action.owner == supervisee
    assert action.owner_kind == "supervisee"
    # The record's history: each row written, by the supervisor who recorded it.
    for model in (Session, Item, Action, Attendance):
        rows = model.history.all()
        assert rows and {(r.history_type, r.history_user_id) for r in rows} == {
            ("+", supervisor.pk)
        }, model


def test_group_session_with_three_items_and_two_actions_shows_on_home_and_next_session(
    login, supervisor, supervisee, other_supervisee
):
    client = login(supervisor)
    day = clock.today() - datetime.timedelta(days=7)
    data = session_post(
        format="group",
        group_type="team",
        attendees=[(supervisee, "present"), (other_supervisee, "absent")],
        date=day,
        duration=60,
        items=[
            {
                "title": "Team policy update",
                "minutes": 30,
                "functions": ["management", "mediation"],
            },
            {"title": "Wellbeing check-in", "minutes": 20, "functions": ["support"]},
            {"title": "Learning from a review", "minutes": 10, "functions": ["development"]},
        ],
        actions=[
            {"description": "Circulate the new policy", "owner": "supervisor"},
            {"description": "Present a case next month", "owner": f"person:{supervisee.pk}"},
        ],
    )
    response = client.post(NEW, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    group = Session.objects.get()
    assert group.items.count() == 3
    assert group.actions.count() == 2
    assert {(a.person, a.present) for a in group.attendances.all()} == {
        (supervisee, True),
        (other_supervisee, False),
    }

    home = client.get(reverse("home"))
    assert reverse("sessions:detail", args=[group.pk]) in home.content.decode()

    # The next session with one of those supervisees brings both actions forward for review.
    page = client.get(f"{NEW}?supervisee={supervisee.pk}&held=1")
    body = page.content.decode()
    assert "Circulate the new policy" in body
    assert "Present a case next month" in body

    circulate = group.actions.get(description="Circulate the new policy")
    present = group.actions.get(description="Present a case next month")
    response = client.post(
        NEW,
        session_post(
            supervisee=supervisee,
            date=clock.today(),
            items=[{"title": "Caseload", "minutes": 30}],
            reviews={circulate.pk: "done", present.pk: "carried_forward"},
        ),
    )
    assert response.status_code == 302
    circulate.refresh_from_db()
    present.refresh_from_db()
    assert circulate.status == ActionStatus.DONE
    assert present.status == ActionStatus.OPEN
    nxt = Session.objects.exclude(pk=group.pk).get()
    assert {(r.action_id, r.outcome) for r in nxt.action_reviews.all()} == {
        (circulate.pk, ReviewOutcome.DONE),
        (present.pk, ReviewOutcome.CARRIED_FORWARD),
    }


def test_carried_forward_action_comes_forward_again_and_can_be_dropped(
    login, supervisor, supervisee
):
    first = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 1, 5)
    )
    action = ActionFactory(session=first, description="Read the guidance")
    second = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 2, 5)
    )
    second.action_reviews.create(action=action, outcome=ReviewOutcome.CARRIED_FORWARD)
    third = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=datetime.date(2026, 3, 5),
        status=Status.PLANNED,
    )
    client = login(supervisor)
    assert (
        "Read the guidance"
        in client.get(reverse("sessions:edit", args=[third.pk])).content.decode()
    )
    response = client.post(
        reverse("sessions:edit", args=[third.pk]),
        session_post(
            supervisee=supervisee,
            date=third.date,
            version=third.version,
            items=[{"minutes": 20}],
            reviews={action.pk: "dropped"},
        ),
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == ActionStatus.DROPPED


def test_actions_of_another_supervisors_sessions_are_not_brought_forward(
    login, supervisor, supervisee, other_supervisor
):
    theirs = SessionFactory(
        supervisor=other_supervisor, supervisee=supervisee, date=datetime.date(2026, 1, 5)
    )
    ActionFactory(session=theirs, description="Their private action")
    client = login(supervisor)
    page = client.get(f"{NEW}?supervisee={supervisee.pk}")
    assert "Their private action" not in page.content.decode()


def test_schedule_a_planned_session(login, supervisor, supervisee):
    client = login(supervisor)
    day = clock.today() + datetime.timedelta(days=14)
    response = client.post(NEW, session_post(supervisee=supervisee, status="planned", date=day))
    assert response.status_code == 302
    session = Session.objects.get()
    assert session.status == Status.PLANNED
    assert session.date == day
    home = client.get(reverse("home")).content.decode()
    assert "Your upcoming sessions" in home
    assert reverse("sessions:detail", args=[session.pk]) in home


class TestBadInputKeepsWhatWasTyped:
    def test_items_over_the_duration(self, login, supervisor, supervisee):
        client = login(supervisor)
        data = session_post(
            supervisee=supervisee,
            duration=60,
            items=[
                {"title": "A long discussion about caseload", "minutes": 50},
                {
                    "title": "Wellbeing",
                    "minutes": 20,
                    "functions": ["support"],
                    "notes": "typed notes",
                },
            ],
        )
        response = client.post(NEW, data)
        assert response.status_code == 200
        body = response.content.decode()
        assert "The items add up to 70 minutes, more than the session&#x27;s 60 minutes" in body
        assert 'value="A long discussion about caseload"' in body
        assert "typed notes" in body
        assert Session.objects.count() == 0
        form = response.context["form"]
        assert "duration_minutes" in form.errors

    def test_item_without_a_function(self, login, supervisor, supervisee):
        client = login(supervisor)
        data = session_post(supervisee=supervisee, items=[{"title": "Untagged", "functions": []}])
        response = client.post(NEW, data)
        assert response.status_code == 200
        item_form = response.context["items"].forms[0]
        assert item_form.errors["functions"] == ["Choose at least one function for this item."]
        assert 'value="Untagged"' in response.content.decode()
        assert Item.objects.count() == 0

    def test_group_with_no_one_present(self, login, supervisor, supervisee, other_supervisee):
        client = login(supervisor)
        data = session_post(
            format="group",
            group_type="team",
            attendees=[(supervisee, "absent"), (other_supervisee, "absent")],
        )
        response = client.post(NEW, data)
        assert response.status_code == 200
        assert "A held group session needs at least one person marked present." in (
            response.content.decode()
        )
        assert Session.objects.count() == 0

    def test_held_session_dated_in_the_future(self, login, supervisor, supervisee):
        client = login(supervisor)
        future = clock.today() + datetime.timedelta(days=300)
        response = client.post(NEW, session_post(supervisee=supervisee, date=future))
        assert response.status_code == 200
        assert (
            "A held session cannot be dated in the future"
            in response.context["form"].errors["date"][0]
        )
        assert Session.objects.count() == 0

    def test_someone_else_as_action_owner_needs_a_name(self, login, supervisor, supervisee):
        client = login(supervisor)
        data = session_post(
            supervisee=supervisee, actions=[{"description": "Ask legal", "owner": "other"}]
        )
        response = client.post(NEW, data)
        assert response.status_code == 200
        assert response.context["actions"].forms[0].errors["owner_name"]
        assert Action.objects.count() == 0

    def test_supervisee_who_is_not_mine_is_refused(
        self, login, supervisor, supervisee, other_supervisor
    ):
        stranger = other_supervisor.supervisee_relationships.get().supervisee
        client = login(supervisor)
        response = client.post(NEW, session_post(supervisee=stranger))
        assert response.status_code == 200
        assert "supervisee" in response.context["form"].errors
        assert Session.objects.count() == 0


def test_add_item_without_javascript_keeps_data_and_adds_a_form(login, supervisor, supervisee):
    client = login(supervisor)
    data = session_post(supervisee=supervisee, items=[{"title": "Kept title", "minutes": 15}])
    del data["save"]
    data["add_item"] = "1"
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert len(response.context["items"].forms) == 2
    assert 'value="Kept title"' in response.content.decode()
    assert Session.objects.count() == 0


def test_edit_updates_items_in_place_and_removes_deleted(login, supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    keep = ItemFactory(session=session, title="Keep", minutes=20)
    drop = ItemFactory(session=session, title="Drop", minutes=20)
    client = login(supervisor)
    response = client.post(
        reverse("sessions:edit", args=[session.pk]),
        session_post(
            supervisee=supervisee,
            date=session.date,
            version=session.version,
            initial_items=2,
            items=[
                {"id": keep.pk, "title": "Kept and renamed", "minutes": 25},
                {"id": drop.pk, "title": "Drop", "minutes": 20, "DELETE": True},
            ],
        ),
    )
    assert response.status_code == 302
    assert list(session.items.values_list("pk", "title")) == [(keep.pk, "Kept and renamed")]
    session.refresh_from_db()
    assert session.version == 2


def test_second_of_two_concurrent_edits_is_refused_and_keeps_its_text(
    login, supervisor, supervisee
):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    client = login(supervisor)
    url = reverse("sessions:edit", args=[session.pk])
    first = session_post(
        supervisee=supervisee,
        date=session.date,
        version=1,
        items=[{"title": "First tab's item", "minutes": 10}],
    )
    second = session_post(
        supervisee=supervisee,
        date=session.date,
        version=1,
        items=[{"title": "Second tab's item", "minutes": 15}],
    )
    assert client.post(url, first).status_code == 302
    response = client.post(url, second)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Your changes were not saved" in body
    assert "First tab&#x27;s item" in body  # their saved version is shown
    assert 'value="Second tab&#x27;s item"' in body  # our typing is kept
    assert list(session.items.values_list("title", flat=True)) == ["First tab's item"]
    # Saving again, knowingly, replaces their version.
    assert client.post(url, {**second, "version": "2"}).status_code == 302
    assert list(session.items.values_list("title", flat=True)) == ["Second tab's item"]


def test_supervisor_cancels_a_planned_session_with_a_reason(login, supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    client = login(supervisor)
    url = reverse("sessions:cancel", args=[session.pk])
    response = client.post(url, {"cancelled_by": "supervisee", "reason": "Off sick"})
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.status == Status.CANCELLED_BY_SUPERVISEE
    assert session.cancellation_reason == "Off sick"


def test_cancel_needs_a_reason(login, supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    client = login(supervisor)
    response = client.post(
        reverse("sessions:cancel", args=[session.pk]), {"cancelled_by": "supervisor"}
    )
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    session.refresh_from_db()
    assert session.status == Status.PLANNED


def test_supervisee_can_cancel_their_own_planned_session(login, supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    client = login(supervisee)
    response = client.post(
        reverse("sessions:cancel", args=[session.pk]),
        {"cancelled_by": "supervisee", "reason": "Court hearing moved"},
    )
    assert response.status_code == 302
    assert client.get(response.url).status_code == 200
    session.refresh_from_db()
    assert session.status == Status.CANCELLED_BY_SUPERVISEE


def test_held_session_cannot_be_cancelled(login, supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    client = login(supervisor)
    response = client.post(
        reverse("sessions:cancel", args=[session.pk]), {"cancelled_by": "supervisor", "reason": "x"}
    )
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.status == Status.HELD


def test_reschedule_moves_a_planned_session(login, supervisor, supervisee):
    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        status=Status.PLANNED,
        date=clock.today(),
    )
    client = login(supervisor)
    new_day = clock.today() + datetime.timedelta(days=3)
    response = client.post(
        reverse("sessions:reschedule", args=[session.pk]),
        {"date": new_day.isoformat(), "start_time": "14:00", "reason": "Clash with court"},
    )
    session.refresh_from_db()
    new = session.rescheduled_to
    assert response.status_code == 302
    assert session.status == Status.RESCHEDULED
    assert new.status == Status.PLANNED and new.date == new_day
    assert [a.person for a in new.attendances.all()] == [supervisee]


def test_rescheduling_into_the_past_is_refused(login, supervisor, supervisee):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    client = login(supervisor)
    response = client.post(
        reverse("sessions:reschedule", args=[session.pk]), {"date": "2001-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"]
    session.refresh_from_db()
    assert session.status == Status.PLANNED


def test_person_with_no_supervision_role_sees_a_helpful_page(login, outsider):
    client = login(outsider)
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert "You are not yet set up as a supervisor" in home.content.decode()
    new = client.get(NEW)
    assert new.status_code == 200
    assert "Sessions are recorded by supervisors" in new.content.decode()


def test_actions_of_a_session_earlier_today_come_forward_to_a_new_one(
    login, supervisor, supervisee
):
    today = clock.today()
    earlier = SessionFactory(supervisor=supervisor, supervisee=supervisee, date=today)
    ActionFactory(session=earlier, description="Ring the GP")
    page = login(supervisor).get(f"{NEW}?supervisee={supervisee.pk}&held=1")
    assert [a.description for a in page.context["review_form"].actions] == ["Ring the GP"]


# The balance card: the live tally of the session page is rendered by the server, from the
# same function and template as the saved record's, so a figure reads the same on both.
TALLY = reverse("sessions:tally")
ALL_FOUR = ["management", "development", "support", "mediation"]


def tally_cells(response):
    """{function: 'minutes min (share)'} and the other rows, as the balance card shows them."""
    body = response.content.decode()
    card = body[body.index('id="tally"') :]
    cells = dict(re.findall(r'data-tally-function="(\w+)">([^<]*)<', card))
    for row in ("tagged", "untagged", "unallocated"):
        found = re.search(rf"data-tally-{row}>([^<]*)<", card)
        cells[row] = found.group(1) if found else None
    return cells


TIE_CASES = {
    # 1 / 8 and 7 / 8 of the tagged minutes: exactly 12.5% and 87.5%, never 13% and 88%.
    "1 + 7 minutes": (
        [(1, ["development"]), (7, ["management"])],
        {
            "management": "7 min (87.5%)",
            "development": "1 min (12.5%)",
            "support": "0 min (0%)",
            "mediation": "0 min (0%)",
        },
    ),
    # A minute shared four ways: quarter minutes, and shares that end in a 5 to round up.
    "1 + 6 + 1 minutes, all four functions": (
        [(1, ALL_FOUR), (6, ["management"]), (1, ["development"])],
        {
            "management": "6.25 min (78.13%)",
            "development": "1.25 min (15.63%)",
            "support": "0.25 min (3.13%)",
            "mediation": "0.25 min (3.13%)",
        },
    ),
}


@pytest.mark.parametrize("case", TIE_CASES)
def test_live_tally_the_form_page_and_the_record_write_the_same_figures(
    login, supervisor, supervisee, case
):
    items, expected = TIE_CASES[case]
    client = login(supervisor)
    data = session_post(
        supervisee=supervisee,
        items=[{"minutes": m, "functions": functions} for m, functions in items],
    )
    live = client.post(TALLY, data)
    assert live.status_code == 200
    assert live.content.decode().lstrip().startswith('<div class="card ff-tally" id="tally"')
    assert Session.objects.count() == 0  # the tally never writes
    round_trip = client.post(
        NEW, {**{k: v for k, v in data.items() if k != "save"}, "add_item": "1"}
    )
    saved = client.post(NEW, data)
    record = client.get(saved.url)
    for page in (live, round_trip, record):
        cells = tally_cells(page)
        assert {fn: cells[fn] for fn in ALL_FOUR} == expected
        assert cells["tagged"] == "8 min"
        assert cells["unallocated"] == "82 min"


def test_live_tally_shares_are_of_the_tagged_minutes(login, supervisor, supervisee):
    client = login(supervisor)
    data = session_post(
        supervisee=supervisee,
        duration=60,
        items=[
            {"minutes": 30, "functions": ["support"]},
            {"minutes": 10, "functions": []},
        ],
    )
    cells = tally_cells(client.post(TALLY, data))
    assert cells["support"] == "30 min (100%)"
    assert cells["management"] == "0 min (0%)"
    assert cells["tagged"] == "30 min"
    assert cells["untagged"] == "10 min"
    assert cells["unallocated"] == "20 min"


def test_live_tally_with_nothing_tagged_shows_no_shares(login, supervisor, supervisee):
    client = login(supervisor)
    data = session_post(supervisee=supervisee, items=[{"minutes": 15, "functions": []}])
    data["duration_minutes"] = "abc"
    cells = tally_cells(client.post(TALLY, data))
    assert {fn: cells[fn] for fn in ALL_FOUR} == dict.fromkeys(ALL_FOUR, "0 min")
    assert cells["tagged"] == "0 min"
    assert cells["untagged"] == "15 min"
    assert cells["unallocated"] == "-"


def test_live_tally_counts_only_what_could_be_an_item(login, supervisor, supervisee):
    client = login(supervisor)
    data = session_post(
        supervisee=supervisee,
        duration=30,
        items=[
            {"minutes": 20, "functions": ["management"]},
            {"minutes": 10, "functions": ["support"], "DELETE": True},
        ],
    )
    data["items-2-minutes"] = "-5"
    data["items-2-functions"] = ["development", "no-such-function"]
    data["items-TOTAL_FORMS"] = "3"
    cells = tally_cells(client.post(TALLY, data))
    assert cells["management"] == "20 min (100%)"
    assert cells["development"] == "0 min (0%)"
    assert cells["unallocated"] == "10 min"


def test_live_tally_for_someone_who_records_no_sessions_is_what_the_form_page_gives(
    login, outsider
):
    response = login(outsider).post(TALLY, session_post())
    assert response.status_code == 200
    assert "Sessions are recorded by supervisors" in response.content.decode()
    assert 'id="tally"' not in response.content.decode()


def test_posting_the_new_session_form_twice_records_one_session(login, supervisor, supervisee):
    """A double click, or the page sent again from the browser's history: one session."""
    client = login(supervisor)
    page = client.get(reverse("sessions:new"))
    token = page.context["form"].initial["form_token"]
    data = session_post(supervisee=supervisee, status="held", items=[{"title": "Once"}])
    data["form_token"] = str(token)
    first = client.post(reverse("sessions:new"), data)
    second = client.post(reverse("sessions:new"), data)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert Session.objects.count() == 1
    assert Item.objects.count() == 1
    # A new form is a new session.
    data["form_token"] = str(
        client.get(reverse("sessions:new")).context["form"].initial["form_token"]
    )
    client.post(reverse("sessions:new"), data)
    assert Session.objects.count() == 2


def test_the_same_form_token_at_once_still_makes_one_session(monkeypatch, supervisor, supervisee):
    """The race: the other request had not committed when this one looked, so the insert meets
    the unique token, and the first session is the answer."""
    token = uuid.uuid4()
    details = services.SessionDetails(
        format="one_to_one", date=datetime.date(2026, 11, 2), duration_minutes=60
    )
    first = services.session_create(
        supervisor=supervisor,
        details=details,
        attendance={supervisee.pk: True},
        creation_token=token,
    )
    real_exists = QuerySet.exists
    looks = []

    def first_look_misses(queryset):
        looks.append(queryset)
        return False if len(looks) == 1 else real_exists(queryset)

    monkeypatch.setattr(QuerySet, "exists", first_look_misses)
    again = services.session_create(
        supervisor=supervisor,
        details=details,
        attendance={supervisee.pk: True},
        creation_token=token,
    )
    assert again.pk == first.pk
    assert len(looks) == 2  # it looked, missed, met the unique token, and looked again
    assert Session.objects.filter(creation_token=token).count() == 1


def test_saving_a_session_takes_the_same_queries_for_one_item_or_eight(
    supervisor, supervisee, other_supervisee, django_assert_max_num_queries
):
    """A group session with more items, actions and people is written in as many queries as a
    small one: the new rows of each kind go in together, each with its history row."""

    def record(n, people):
        details = services.SessionDetails(
            format="group",
            group_type="team",
            date=datetime.date(2026, 11, 2),
            duration_minutes=8 * 10,
        )
        items = [
            services.ItemData(title=f"Item {i}", minutes=10, functions=["support"])
            for i in range(n)
        ]
        actions = [
            services.ActionData(
                id=None,
                description=f"Action {i}",
                owner_id=supervisor.pk,
                owner_name="",
                due_date=None,
                status=ActionStatus.OPEN,
            )
            for i in range(n)
        ]
        with django_assert_max_num_queries(60) as captured:
            session = services.session_create(
                supervisor=supervisor,
                details=details,
                attendance=dict.fromkeys((p.pk for p in people), True),
                items=items,
                actions=actions,
            )
        return session, len(captured)

    small, few = record(1, [supervisee])
    big, many = record(8, [supervisee, other_supervisee])
    assert many == few
    assert [i.title for i in big.items.order_by("position")] == [f"Item {i}" for i in range(8)]
    assert big.attendances.count() == 2 and big.actions.count() == 8
    # Each new row has its history row, as a save one by one writes it.
    assert Item.history.filter(session_id=big.pk, history_type="+").count() == 8
    assert Action.history.filter(session_id=big.pk, history_type="+").count() == 8
    assert small.items.count() == 1
