"""Administrators edit the audit policy in admin, and every figure follows at once."""

import datetime
import re

import pytest
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from tests.factories import GroupSessionFactory, ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db


def flag_count(response, label):
    """How many people the team page counts with a flag (the count may be a link)."""
    text = re.sub(r"<[^>]+>", "", response.content.decode())
    return int(re.search(rf"{label}: (\d+)", text).group(1))


def test_changing_the_policy_in_admin_changes_the_team_page(
    login, supervisor, supervisee, manager, administrator
):
    today = clock.today()
    for days_ago in (10, 20):
        session = SessionFactory(
            supervisor=supervisor, supervisee=supervisee, date=today - datetime.timedelta(days_ago)
        )
        ItemFactory(session=session, minutes=55, functions=["management"])
        ItemFactory(session=session, minutes=45, functions=["support", "development", "mediation"])
    team_page = reverse("audit:team_balance")
    assert flag_count(login(manager).get(team_page), "Management dominant") == 1

    policy = AuditPolicy.current()
    response = login(administrator).post(
        reverse("admin:audit_auditpolicy_change", args=[policy.pk]),
        {
            "dominance_threshold": "0.60",
            "neglect_threshold": "0.10",
            "short_circuit_threshold": "0.50",
            "min_sessions": "2",
            "min_session_minutes": "90",
            "share_deadline_days": "7",
            "stakeholder_threshold": "0",
            "feedback_open_days": "14",
            "feedback_visibility": "counts",
        },
    )
    assert response.status_code == 302
    assert flag_count(login(manager).get(team_page), "Management dominant") == 0


def test_a_threshold_outside_0_to_1_is_refused_beside_the_field(login, administrator):
    policy = AuditPolicy.current()
    response = login(administrator).post(
        reverse("admin:audit_auditpolicy_change", args=[policy.pk]),
        {
            "dominance_threshold": "1.5",
            "neglect_threshold": "0.10",
            "short_circuit_threshold": "0.50",
            "min_sessions": "2",
            "min_session_minutes": "90",
            "share_deadline_days": "7",
            "stakeholder_threshold": "0",
            "feedback_open_days": "14",
            "feedback_visibility": "counts",
        },
    )
    assert response.status_code == 200
    assert "dominance_threshold" in response.context["adminform"].form.errors
    policy.refresh_from_db()
    assert str(policy.dominance_threshold) == "0.5000"


def test_group_sessions_can_count_for_regularity_from_the_admin(
    login, supervisor, supervisee, manager, administrator
):
    today = clock.today()
    SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=today - datetime.timedelta(40)
    )
    GroupSessionFactory(
        supervisor=supervisor, date=today - datetime.timedelta(5), attendees=[(supervisee, True)]
    )
    team_page = reverse("audit:team_balance")
    assert flag_count(login(manager).get(team_page), "Supervision overdue") == 1

    policy = AuditPolicy.current()
    change_page = reverse("admin:audit_auditpolicy_change", args=[policy.pk])
    admin = login(administrator)
    assert 'name="group_counts_for_regularity"' in admin.get(change_page).content.decode()
    response = admin.post(
        change_page,
        {
            "dominance_threshold": "0.50",
            "neglect_threshold": "0.10",
            "short_circuit_threshold": "0.50",
            "min_sessions": "2",
            "min_session_minutes": "90",
            "share_deadline_days": "7",
            "stakeholder_threshold": "0",
            "feedback_open_days": "14",
            "feedback_visibility": "counts",
            "group_counts_for_regularity": "on",
        },
    )
    assert response.status_code == 302
    assert flag_count(login(manager).get(team_page), "Supervision overdue") == 0
