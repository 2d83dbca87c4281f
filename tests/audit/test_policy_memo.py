"""The audit policy is read once per request (core.memo), and a change is seen at once."""

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import _POLICY_ROW, AuditPolicy, group_counts_for_regularity
from core.memo import remembering


def policy_reads(queries):
    """The queries that read the policy: its SQL, or (PostgreSQL) its prepared statement."""
    statements = {f"EXECUTE {plan.name}" for plan in _POLICY_ROW._plans.values()}
    return [q for q in queries if 'FROM "audit_auditpolicy"' in q["sql"] or q["sql"] in statements]


def test_outside_a_request_every_call_reads_the_policy(db):
    AuditPolicy.current()
    with CaptureQueriesContext(connection) as queries:
        AuditPolicy.current()
        AuditPolicy.in_force()
        group_counts_for_regularity()
    assert len(policy_reads(queries)) == 3


def test_within_one_request_the_policy_is_read_once_and_a_change_is_seen_at_once(db):
    AuditPolicy.current()
    with remembering(), CaptureQueriesContext(connection) as queries:
        first = AuditPolicy.current()
        assert AuditPolicy.in_force().dominance_threshold == first.dominance_threshold
        assert group_counts_for_regularity() is False
        assert len(policy_reads(queries)) == 1
        # Each caller has its own copy: changing one, unsaved, changes nothing for the others.
        first.dominance_threshold = Decimal("0.9")
        assert AuditPolicy.current().dominance_threshold != Decimal("0.9")
        # Saved, the change is what the rest of the request reads.
        first.group_counts_for_regularity = True
        first.save()
        assert group_counts_for_regularity() is True
        assert AuditPolicy.in_force().dominance_threshold == Decimal("0.9")


def test_the_home_page_of_a_manager_who_supervises_reads_the_policy_once(
    login, manager, supervisor, supervisee
):
    """Its lists, the team's flags and the relationships' due dates all ask for the policy."""
    AuditPolicy.current()
    client = login(manager)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    assert len(policy_reads(queries)) == 1
