"""Which of the product's roles a person holds. One person can hold several."""

from dataclasses import dataclass

from django.db import connection

from core.clock import today
from people.access import is_administrator, is_manager
from people.models import Relationship

from .models import Attendance, Session


@dataclass(frozen=True)
class Roles:
    supervisor: bool
    supervisee: bool
    manager: bool
    administrator: bool

    @property
    def any(self):
        return self.supervisor or self.supervisee or self.manager or self.administrator


def _supervises_and_is_supervised(user, day) -> tuple[bool, bool]:
    """Whether `user` supervises (supervises someone on `day`, or has led sessions: a
    facilitator, a past supervisor) and is supervised (has a supervisor on `day`, or has been
    invited to sessions).

    One query of four EXISTS, written as SQL: every page asks it (the navigation), and the same
    four `exists()` through the ORM took about 0.8 ms a page to build and compile, several
    times what the database takes to answer them (0.5 ms against 0.02 ms). Only quoted table
    and column names go into the SQL; the user and the day are parameters. "Current on `day`"
    is `RelationshipQuerySet.active_on`'s condition (people/models.py), written out;
    tests/sessions_app/test_roles.py holds the two to the same first and last day.
    """
    q = connection.ops.quote_name
    relationships = q(Relationship._meta.db_table)
    sessions, attendances = q(Session._meta.db_table), q(Attendance._meta.db_table)
    active = f"{q('start_date')} <= %s AND ({q('end_date')} IS NULL OR {q('end_date')} >= %s)"
    sql = (
        f"SELECT EXISTS (SELECT 1 FROM {relationships}"  # noqa: S608
        f" WHERE {q('supervisor_id')} = %s AND {active})"
        f" OR EXISTS (SELECT 1 FROM {sessions} WHERE {q('supervisor_id')} = %s),"
        f" EXISTS (SELECT 1 FROM {relationships} WHERE {q('supervisee_id')} = %s AND {active})"
        f" OR EXISTS (SELECT 1 FROM {attendances} WHERE {q('person_id')} = %s)"
    )
    day = connection.ops.adapt_datefield_value(day)
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk, day, day, user.pk, user.pk, day, day, user.pk])
        supervises, supervised = cursor.fetchone()
    return bool(supervises), bool(supervised)


def roles_of(user):
    cached = getattr(user, "_fourfold_roles", None)
    if cached is not None:
        return cached
    supervises, supervised = _supervises_and_is_supervised(user, today())
    result = Roles(
        supervisor=supervises,
        supervisee=supervised,
        manager=is_manager(user),
        administrator=is_administrator(user),
    )
    user._fourfold_roles = result
    return result
