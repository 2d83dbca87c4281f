"""A row of a table of sessions (home, the session list), written by `session_row`."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

from people.models import FocusAgreement
from sessions_app.models import Format, GroupType, RecordState, Session, Status
from sessions_app.selectors import attach_listed_attendances, listed_attendees, with_disputes
from sessions_app.templatetags.session_tags import record_to_finish, relationship_row, session_row
from tests.factories import RelationshipFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _row(session):
    found = with_disputes(Session.objects.filter(pk=session.pk)).prefetch_related(
        *listed_attendees()
    )
    return str(session_row(found.get()))


def test_a_held_one_to_one_names_its_supervisee_escaped_with_its_state(supervisor):
    person = UserFactory(name="Sam <b>Social</b>")
    session = SessionFactory(
        supervisor=supervisor,
        supervisee=person,
        date=datetime.date(2026, 11, 3),
        start_time=datetime.time(9, 30),
        duration_minutes=60,
        record_state=RecordState.SHARED,
    )
    href = reverse("sessions:detail", args=[session.pk])
    assert _row(session) == (
        f'<tr>\n  <td><a href="{href}">3 Nov 2026</a> <span class="text-body-secondary">'
        "09:30</span></td>\n  <td>Sam &lt;b&gt;Social&lt;/b&gt;</td>\n"
        f"  <td>{session.get_mode_display()}, 60 min</td>\n"
        '  <td>Held <span class="badge text-bg-light border">Shared</span></td>\n</tr>\n'
    )


def test_a_planned_group_gives_its_kind_and_number_and_no_state(supervisor):
    members = UserFactory.create_batch(3)
    session = SessionFactory(
        supervisor=supervisor,
        format=Format.GROUP,
        group_type=GroupType.PEER,
        status=Status.PLANNED,
        start_time=None,
        attendees=[(m, True) for m in members],
    )
    row = _row(session)
    assert "<td>Peer group (3)</td>" in row
    assert "badge" not in row
    assert "text-body-secondary" not in row


# The home page's row of a supervisee, as its template wrote it before `relationship_row`.
RELATIONSHIP_TEMPLATE = """
      <tr>
        <th scope="row">{{ rel.supervisee }}</th>
        <td>{{ rel.get_kind_display }}, {{ rel.get_frequency_display|lower }}{% if rel.focus %}<br><span class="small">Focus: {{ rel.focus.function_labels|join:", " }}</span>{% endif %}</td>
        <td>{{ rel.last_held|day|default:"None yet" }}</td>
        <td>
          {{ rel.next_due|day }}
          {% if rel.overdue_days %}<span class="badge text-bg-danger ms-1">Overdue by {{ rel.overdue_days }} day{{ rel.overdue_days|pluralize }}</span>{% endif %}
        </td>
        <td>{{ rel.next_planned|day|default:"Not booked" }}</td>
        <td class="text-nowrap">
          <a href="{% url 'sessions:new' %}?supervisee={{ rel.supervisee_id }}&amp;held=1">Record<span class="visually-hidden"> a session with {{ rel.supervisee }}</span></a> ·
          <a href="{% url 'sessions:new' %}?supervisee={{ rel.supervisee_id }}">Schedule<span class="visually-hidden"> a session with {{ rel.supervisee }}</span></a> ·
          <a href="{% url 'people:focus' rel.pk %}">Focus<span class="visually-hidden"> agreement with {{ rel.supervisee }}</span></a>
        </td>
      </tr>"""  # noqa: E501


@pytest.mark.parametrize(
    "last_held, next_planned, overdue_days, functions",
    [
        (None, None, 0, ()),
        (datetime.date(2026, 10, 1), datetime.date(2026, 12, 9), 1, ("support",)),
        (datetime.date(2026, 9, 1), None, 12, ("development", "mediation")),
    ],
)
def test_a_supervisees_row_reads_as_its_template_did(
    supervisor, last_held, next_planned, overdue_days, functions
):
    rel = RelationshipFactory(
        supervisor=supervisor, supervisee=UserFactory(name='Ann "A" <Lee> & Co')
    )
    rel.last_held, rel.next_planned, rel.overdue_days = last_held, next_planned, overdue_days
    rel.next_due = datetime.date(2026, 11, 28)
    rel.focus = (
        FocusAgreement(relationship=rel, **dict.fromkeys(functions, True)) if functions else None
    )
    before = Template(RELATIONSHIP_TEMPLATE).render(Context({"rel": rel}))
    assert str(relationship_row(rel)) == before.strip()


# A record waiting for its supervisor on home, as its template wrote it before
# `record_to_finish`.
TO_FINISH_TEMPLATE = (
    '<li class="mb-2"><a href="{% url \'sessions:detail\' s.pk %}">{{ verb }} the record of '
    "{{ s.date|day }} with {% if s.is_group %}the {{ s.get_group_type_display|lower }} group"
    "{% else %}{% for a in s.listed_attendances %}{{ a.person }}{% endfor %}{% endif %}</a>: "
    "{{ why }}</li>"
)


@pytest.mark.parametrize("verb,why", [("Share", "still a draft"), ("Sign off", "all <in>")])
def test_a_record_to_finish_reads_as_its_template_did(supervisor, verb, why):
    person = UserFactory(name="Sam <b>Social</b>")
    one = SessionFactory(supervisor=supervisor, supervisee=person, record_state=RecordState.DRAFT)
    group = SessionFactory(
        supervisor=supervisor,
        format=Format.GROUP,
        group_type=GroupType.PEER,
        attendees=[(person, True), (UserFactory(), False)],
    )
    for session in (one, group):
        found = found_one(session)
        context = {"s": found, "verb": verb, "why": why}
        assert str(record_to_finish(found, verb, why)) == Template(TO_FINISH_TEMPLATE).render(
            Context(context)
        )
    assert "Sam &lt;b&gt;Social&lt;/b&gt;</a>" in str(record_to_finish(found_one(one), verb, why))
    assert "with the peer group</a>" in str(record_to_finish(found_one(group), verb, why))


def found_one(session):
    return Session.objects.filter(pk=session.pk).prefetch_related(*listed_attendees()).get()


# The home page reads its lists' attendees in one query of values (`attach_listed_attendances`),
# not by the prefetch: each row must read as the prefetch's would.


def test_attached_attendances_read_as_the_prefetch_in_every_row(supervisor):
    named = UserFactory(name="Sam <b>Social</b>")
    unnamed = UserFactory(name="", email="kit@example.org")
    one = SessionFactory(supervisor=supervisor, supervisee=named, record_state=RecordState.SHARED)
    by_email = SessionFactory(supervisor=supervisor, supervisee=unnamed)
    group = SessionFactory(
        supervisor=supervisor,
        format=Format.GROUP,
        group_type=GroupType.PEER,
        attendees=[(named, True), (unnamed, False), (UserFactory(), True)],
    )
    nobody = SessionFactory(supervisor=supervisor, supervisee=named)
    nobody.attendances.all().delete()
    sessions = [one, by_email, group, nobody]
    # The same session in two lists (a record to sign off that is also among the recent).
    listed = [Session.objects.get(pk=s.pk) for s in [*sessions, one]]
    attach_listed_attendances(listed)
    for session, attached in zip([*sessions, one], listed, strict=True):
        prefetched = found_one(session)
        assert str(session_row(attached)) == str(session_row(prefetched))
        assert str(record_to_finish(attached, "Share", "why")) == str(
            record_to_finish(prefetched, "Share", "why")
        )
    assert "kit@example.org" in str(session_row(listed[1]))
    assert "Peer group (3)" in str(session_row(listed[2]))
    assert listed[3].listed_attendances == []


def test_attached_attendances_take_one_query_however_many_sessions(
    supervisor, django_assert_num_queries
):
    for count in (1, 6):
        sessions = [
            SessionFactory(supervisor=supervisor, supervisee=UserFactory()) for _ in range(count)
        ]
        listed = list(Session.objects.filter(pk__in=[s.pk for s in sessions]))
        with django_assert_num_queries(1):
            attach_listed_attendances(listed)
        assert all(len(s.listed_attendances) == 1 for s in listed)
    with django_assert_num_queries(0):
        attach_listed_attendances([])
