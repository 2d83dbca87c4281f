"""A row of a table of sessions (home, the session list), written by `session_row`."""

import datetime

import pytest
from django.urls import reverse

from sessions_app.models import Format, GroupType, RecordState, Status
from sessions_app.selectors import attendees, with_disputes
from sessions_app.templatetags.session_tags import session_row
from tests.factories import SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _row(session):
    from sessions_app.models import Session

    found = with_disputes(Session.objects.filter(pk=session.pk)).prefetch_related(attendees())
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
