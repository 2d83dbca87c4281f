"""The home page's lists, each a query built once and run for whoever reads it (`core.prepared`).

Each list is the access policy's own queryset (`attention`, `selectors`), built for a stand-in
reader carrying what the policy's querysets read of a person (`people.access.for_readers`):
their id, whether they are an administrator, the teams they manage. The lists of the sessions
someone leads and of their own records read only the id; the actions to do read the records
they may open, and so the rest. tests/sessions_app/test_home_lists.py holds each list equal to
its queryset for every role.

Built by the ORM at every request, the home page's dozen lists cost about 1 ms of Python each to
build and compile, and PostgreSQL about 1 ms each to plan: more than running them.
"""

from django.db.models import Exists, OuterRef, Subquery

from people.access import for_readers
from people.models import FocusRequest

from . import attention, selectors
from .access import own_records
from .models import Acknowledgement, Attendance, Response

MY_REQUESTS_SHOWN = 5
MY_RECORDS_SHOWN = 10


def _my_records(user):
    """The user's last shared or signed-off records, as a supervisee, with whether they were
    present and their own acknowledgement's response and id, if they gave one (one at most a
    record: `acknowledgement_once`)."""
    mine = Acknowledgement.objects.filter(session=OuterRef("pk"), person=user)
    return (
        selectors.with_disputes(selectors.with_supervisor(own_records(user)))
        .annotate(
            i_was_present=Exists(
                Attendance.objects.filter(session=OuterRef("pk"), person=user, present=True)
            ),
            my_response=Subquery(mine.values("response")[:1]),
            my_acknowledgement=Subquery(mine.values("pk")[:1]),
        )
        .order_by("-date", "-pk")[:MY_RECORDS_SHOWN]
    )


def _my_requests(user):
    """What this supervisee raised lately, with the answers."""
    return (
        FocusRequest.objects.filter(relationship__supervisee=user)
        .select_related("relationship__supervisor", "focus_agreement")
        .order_by("-raised_at", "-pk")[:MY_REQUESTS_SHOWN]
    )


disputes = for_readers(lambda user: attention.shortlisted(attention.disputes_to_answer(user)))
to_share = for_readers(
    lambda user, day: attention.shortlisted(attention.records_to_share(user, day))
)
to_sign_off = for_readers(lambda user: attention.shortlisted(attention.records_to_sign_off(user)))
# Planned each run: one plan for any moment guessed a third of the supervisor's feedback ever
# given and hashed every person to name them (3.5 ms at a council's ten years, against 0.3 ms
# planned for its moment: a few rows by the index of supervisor and time).
_feedback_received = for_readers(attention.feedback_received, server=False)
requests = for_readers(attention.focus_requests_to_answer)
to_acknowledge = for_readers(attention.records_to_acknowledge)
_feedback_to_give = for_readers(attention.feedback_open_since_to_give)
upcoming = for_readers(selectors.upcoming_led_by)
recent = for_readers(selectors.recent_led_by)
my_upcoming = for_readers(selectors.upcoming_for)
_my_records_rows = for_readers(_my_records)
my_requests = for_readers(_my_requests)
open_actions = for_readers(attention.open_actions)


def feedback_received(user):
    return _feedback_received(user, attention.feedback_recent_since())


def feedback_to_give(user, day):
    return _feedback_to_give(user, attention.feedback_open_since(day))


def my_records(user):
    """`_my_records`, each with the label of the user's own response (`my_response_label`, ""
    when they gave none): read with the rows, not by a prefetch of their acknowledgements (a
    query more on every supervisee's home)."""
    rows = list(_my_records_rows(user))
    for row in rows:
        row.my_response_label = Response(row.my_response).label if row.my_response else ""
    return rows
