"""Simultaneous requests to a real server: each one saved or refused with a reason, never a 500.

Several threads post at the same moment (a barrier releases them together) to the live test
server, each with its own connection to the database, as browsers would. On SQLite the test
database is a file (supervision/settings.py), so the locking is the one a server gets; CI runs
the suite a second time on PostgreSQL (DATABASE_URL), where the same tests meet its row locks.
"""

import datetime
import http.client
import secrets
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from people.models import User
from sessions_app import brought_forward, kept, records
from sessions_app.models import DayMinutes, Format, RecordState, Session
from tests.conftest import sign_in_as
from tests.factories import GroupSessionFactory, SessionFactory, UserFactory
from tests.sessions_app.forms_data import session_post

pytestmark = pytest.mark.django_db(transaction=True)

FEEDBACK = {
    "management": "about_right",
    "development": "too_little",
    "support": "about_right",
    "mediation": "too_little",
    "dominated": "",
    "wants_more": "development",
    "usefulness": "4",
    "comments": "Useful.",
}


@dataclass
class Answer:
    status: int
    location: str
    body: str


def signed_in(user):
    """The session cookie of `user`, signed in (committed: the server's threads read it)."""
    client = Client()
    sign_in_as(client, user)
    return client.cookies["sessionid"].value


def post_at_once(live_server, posts):
    """Send every (session cookie, path, data) POST at the same moment; their answers, in order.

    Each thread opens its connection first, then waits at the barrier, so the requests reach
    the server together rather than one connection at a time.
    """
    address = urlsplit(live_server.url)
    barrier = threading.Barrier(len(posts))
    answers = [None] * len(posts)
    failures = []

    def send(index, session_cookie, path, data):
        csrf = secrets.token_hex(16)
        body = urlencode({**data, "csrfmiddlewaretoken": csrf}, doseq=True)
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"sessionid={session_cookie}; csrftoken={csrf}",
        }
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        try:
            connection.connect()
            barrier.wait(timeout=30)
            connection.request("POST", path, body, headers)
            response = connection.getresponse()
            answers[index] = Answer(
                response.status,
                response.getheader("Location") or "",
                response.read().decode("utf-8", "replace"),
            )
        except Exception as exc:  # reported below, in the test's own thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=send, args=(index, *post)) for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert not failures, failures
    assert all(answer is not None for answer in answers)
    return answers


def refused_with_reason(answer, reason):
    return answer.status == 403 and reason in answer.body


@pytest.fixture
def shared_group(supervisor):
    """A shared group record with eight people present."""
    people = [UserFactory(email=f"member{n}@example.org", name=f"Member {n}") for n in range(8)]
    session = GroupSessionFactory(
        supervisor=supervisor,
        record_state=RecordState.SHARED,
        attendees=[(person, True) for person in people],
    )
    return session, people


def test_eight_people_acknowledge_and_give_feedback_at_once_and_every_answer_is_saved(
    live_server, shared_group
):
    session, people = shared_group
    acknowledge = reverse("sessions:acknowledge", args=[session.pk])
    feedback = reverse("sessions:feedback", args=[session.pk])
    posts = []
    for person in people:
        cookie = signed_in(person)
        posts += [(cookie, acknowledge, {"response": "agree"}), (cookie, feedback, FEEDBACK)]
    answers = post_at_once(live_server, posts)
    assert [a.status for a in answers] == [302] * 16, [a.body[:300] for a in answers]
    everyone = sorted(p.pk for p in people)
    assert sorted(session.acknowledgements.values_list("person", flat=True)) == everyone
    assert sorted(session.feedback.values_list("person", flat=True)) == everyone


def test_double_submits_at_once_keep_one_answer_each_and_refuse_a_repeat_with_a_reason(
    live_server, shared_group
):
    session, people = shared_group
    acknowledge = reverse("sessions:acknowledge", args=[session.pk])
    feedback = reverse("sessions:feedback", args=[session.pk])
    acknowledging, giving_feedback = people[:4], people[4:]
    posts = []
    for person in acknowledging:
        posts += [(signed_in(person), acknowledge, {"response": "agree"})] * 2
    for person in giving_feedback:
        cookie = signed_in(person)
        posts += [(cookie, feedback, FEEDBACK), (cookie, feedback, {**FEEDBACK, "usefulness": "5"})]
    answers = post_at_once(live_server, posts)

    for first, second in zip(answers[:8:2], answers[1:8:2], strict=True):
        saved, repeat = sorted([first, second], key=lambda a: a.status)
        assert saved.status == 302, saved.body[:300]
        assert refused_with_reason(repeat, "You have already acknowledged this record."), repeat
    # A second feedback replaces the first: both are saved, one row is kept.
    assert [a.status for a in answers[8:]] == [302] * 8, [a.body[:300] for a in answers[8:]]
    assert sorted(session.acknowledgements.values_list("person", flat=True)) == sorted(
        p.pk for p in acknowledging
    )
    assert sorted(session.feedback.values_list("person", flat=True)) == sorted(
        p.pk for p in giving_feedback
    )


def test_two_simultaneous_saves_of_one_record_save_one_and_answer_the_other_with_the_conflict_page(
    live_server, supervisor, supervisee
):
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    path = reverse("sessions:edit", args=[session.pk])
    cookie = signed_in(supervisor)
    tabs = [
        session_post(
            supervisee=supervisee,
            date=session.date,
            version=session.version,
            items=[{"title": f"Tab {tab}'s item", "minutes": 10 + tab}],
        )
        for tab in (1, 2)
    ]
    answers = post_at_once(live_server, [(cookie, path, tab) for tab in tabs])
    assert sorted(a.status for a in answers) == [302, 409], [a.body[:300] for a in answers]
    saved_tab = 1 if answers[0].status == 302 else 2
    lost = answers[1] if saved_tab == 1 else answers[0]
    lost_tab = 3 - saved_tab
    assert "Your changes were not saved" in lost.body
    assert f'value="Tab {lost_tab}&#x27;s item"' in lost.body  # the typing is kept
    assert list(session.items.values_list("title", flat=True)) == [f"Tab {saved_tab}'s item"]
    session.refresh_from_db()
    assert session.version == 2


@pytest.fixture
def short_lock_wait(monkeypatch):
    """New connections of this thread give up waiting for a lock after a fifth of a second."""
    options = connection.settings_dict["OPTIONS"]
    if connection.vendor == "sqlite":
        monkeypatch.setitem(options, "timeout", 0.2)
    else:
        monkeypatch.setitem(options, "options", "-c lock_timeout=200")
    connection.close()
    yield
    connection.close()


@contextmanager
def record_held_by_another_request(session):
    """Another request holds `session` locked (its transaction open); `release()` ends it.

    It ends at the latest when the block does.
    """
    locked, done = threading.Event(), threading.Event()
    failures = []

    def hold():
        try:
            with transaction.atomic():
                Session.objects.select_for_update().get(pk=session.pk)
                locked.set()
                done.wait(timeout=30)
        except Exception as exc:  # reported in the test's thread
            failures.append(exc)
            locked.set()
        finally:
            connection.close()

    holder = threading.Thread(target=hold)

    def release():
        done.set()
        holder.join(timeout=30)

    holder.start()
    assert locked.wait(timeout=30)
    assert not failures, failures
    try:
        yield release
    finally:
        release()


def test_a_step_that_waits_too_long_for_the_record_is_refused_with_a_reason_not_a_500(
    shared_group, short_lock_wait, monkeypatch
):
    session, people = shared_group
    client = Client()
    sign_in_as(client, people[0])
    with record_held_by_another_request(session) as release:
        # The other request finishes as soon as this one has given up waiting: on SQLite the
        # lock is the whole database's, and the rest of this request (its session, saved when
        # its expiry moves on, the messages) must not meet it too.
        gave_up = records.is_busy

        def busy_then_the_other_finishes(exc):
            answer = gave_up(exc)
            release()
            return answer

        monkeypatch.setattr(records, "is_busy", busy_then_the_other_finishes)
        response = client.post(
            reverse("sessions:acknowledge", args=[session.pk]), {"response": "agree"}
        )
    assert response.status_code == 403
    assert "Nothing of yours was saved: please try again." in response.content.decode()
    assert not session.acknowledgements.exists()
    # Now that the other request is done, the same answer goes through.
    response = client.post(
        reverse("sessions:acknowledge", args=[session.pk]), {"response": "agree"}
    )
    assert response.status_code == 302
    assert session.acknowledgements.count() == 1


def test_sessions_recorded_at_once_for_the_same_people_keep_their_figures_right(
    live_server, supervisor, supervisee, other_supervisee, today
):
    """Three tabs record held sessions at the same moment: the same supervisee in the same
    month, and the same supervisor's sessions one after another. Each is saved, and what is
    kept from them (the minutes by month, what each session inherited from the one before
    it) is what the records give, whichever order they committed in."""
    new = reverse("sessions:new")
    cookie = signed_in(supervisor)
    day = today.replace(day=1) - datetime.timedelta(days=20)
    posts = [
        session_post(
            supervisee=person,
            date=day + datetime.timedelta(days=offset),
            items=[{"title": f"Item {offset}", "minutes": 30 + offset}],
            actions=[{"description": f"Action {offset}", "owner": "supervisor"}],
        )
        for offset, person in ((0, supervisee), (2, supervisee), (4, other_supervisee))
    ]
    for data in posts:
        data["form_token"] = str(uuid.uuid4())
    answers = post_at_once(live_server, [(cookie, new, data) for data in posts])
    assert [a.status for a in answers] == [302] * 3, [a.body[:300] for a in answers]
    assert Session.objects.count() == 3
    assert kept.differences() == []
    assert brought_forward.differences() == []


def test_sessions_recorded_at_once_on_the_same_day_keep_the_organisations_day_right(
    live_server, supervisor, supervisee, other_supervisor, today
):
    """Two supervisors record a one-to-one each, with different people, on the same day at the
    same moment: nothing of one write is the other's but the organisation's minutes of that
    day (sessions_app.kept), which hold both, whichever committed first: each writer waits for
    the other's day, then sums what it wrote."""
    new = reverse("sessions:new")
    kit = User.objects.get(email="kit@example.org")
    day = today - datetime.timedelta(days=5)
    posts = [
        (
            signed_in(who),
            new,
            session_post(supervisee=person, date=day, items=[{"title": "Cases", "minutes": n}]),
        )
        for who, person, n in ((supervisor, supervisee, 30), (other_supervisor, kit, 45))
    ]
    for _cookie, _url, data in posts:
        data["form_token"] = str(uuid.uuid4())
    for _round in range(3):
        answers = post_at_once(live_server, posts)
        assert [a.status for a in answers] == [302] * 2, [a.body[:300] for a in answers]
        for _cookie, _url, data in posts:
            data["form_token"] = str(uuid.uuid4())
    assert kept.differences() == []
    assert DayMinutes.objects.get(day=day, format=Format.ONE_TO_ONE).tagged == 3 * 75
