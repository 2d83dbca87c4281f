"""`core.db.PerGroup`: a subquery of a grouped query read once per group, not grouped by."""

import pytest
from django.db.models import Count, OuterRef

from core.db import PerGroup
from people.models import User
from sessions_app.models import Session
from tests.factories import SessionFactory

pytestmark = pytest.mark.django_db


def by_supervisor():
    supervisor = User.objects.filter(pk=OuterRef("supervisor")).order_by()
    return (
        Session.objects.order_by()
        .values("supervisor")
        .annotate(email=PerGroup(supervisor.values("email")), sessions=Count("pk"))
    )


def test_each_group_has_its_supervisors_email(supervisor, supervisee, other_supervisor):
    SessionFactory(supervisor=supervisor, supervisee=supervisee)
    SessionFactory(supervisor=supervisor, supervisee=supervisee)
    SessionFactory(supervisor=other_supervisor)

    rows = {row["email"]: row["sessions"] for row in by_supervisor()}

    assert rows == {supervisor.email: 2, other_supervisor.email: 1}


def test_the_grouping_is_by_the_key_alone():
    sql = str(by_supervisor().query)
    group_by = sql[sql.index("GROUP BY") + len("GROUP BY") :]

    # One key (by its place in the select list or by name), no subquery.
    assert "," not in group_by
    assert "SELECT" not in group_by
