"""Rows of the audit tables written by tags (`totals_cells`, `rate_row`): what a manager reads
and opens."""

import re
from datetime import date
from fractions import Fraction

from django.template import Context, Template

from audit.balance import Reliability, Totals
from audit.views import FLAG_COLUMNS
from core.tally import Minutes
from core.vocabulary import FUNCTIONS

TEMPLATE = Template(
    "{% load audit_tags %}{% if team %}{% totals_cells totals drill=True drill_team=team %}"
    "{% else %}{% totals_cells totals drill=drill %}{% endif %}"
)


def cells(totals, *, team=None, drill=False):
    context = {
        "totals": totals,
        "team": team,
        "drill": drill,
        "flag_columns": FLAG_COLUMNS,
        "drill_url": "/audit/counts/",
        "query": "window=3&format=both",
    }
    return TEMPLATE.render(Context(context))


def totals(flag_counts, tagged=120):
    minutes = Minutes(
        by_function={"management": Fraction(tagged), **dict.fromkeys(FUNCTIONS[1:], Fraction(0))}
        if tagged
        else {},
        tagged=Fraction(tagged),
        short_circuit=Fraction(0),
        sessions_held=3 if tagged else 0,
    )
    return Totals(
        start=date(2026, 9, 1),
        end=date(2026, 11, 30),
        people=4,
        minutes=minutes,
        flag_counts=flag_counts,
    )


def test_a_teams_counts_link_to_its_flagged_people_and_say_so_to_a_screen_reader():
    html = cells(totals({"management_dominant": 2}), team=7)
    assert '<td class="text-end">4</td>' in html  # people
    assert '<td class="text-end">100%</td>' in html  # management's share
    label = dict(FLAG_COLUMNS)["management_dominant"].lower()
    link = (
        '<a href="/audit/counts/?window=3&amp;format=both&amp;count=management_dominant'
        f'&amp;team=7">2<span class="visually-hidden"> {label} in this team: '
        "show them</span></a>"
    )
    assert link in html
    # A flag nobody has reads 0, not a link.
    assert html.count("show them") == 1
    assert html.count('<td class="text-end">0</td>') == len(FLAG_COLUMNS) - 1


def test_the_organisations_counts_link_without_a_team_and_no_team_row_does_not_link():
    html = cells(totals({"supervision_overdue": 3}), drill=True)
    assert "count=supervision_overdue" in html
    assert "&amp;team=" not in html
    assert "in this team" not in html
    assert "show them" not in cells(totals({"supervision_overdue": 3}))


def test_counts_not_worked_out_are_marked_and_no_minutes_read_no_data():
    html = cells(totals(None, tagged=0), drill=True)
    assert html.count("not counted here: see the download") == len(FLAG_COLUMNS)
    # Markup, not text: a dash for the eye, the words for a screen reader.
    not_counted = (
        '<td class="text-end"><span aria-hidden="true">-</span>'
        '<span class="visually-hidden">not counted here: see the download</span></td>'
    )
    assert html.count(not_counted) == len(FLAG_COLUMNS)
    assert '<td colspan="4">no data</td>' in html


RATE = Template("{% load audit_tags %}{% rate_row rate audit_links query %}")


def rate_row(rate, audit_links):
    return RATE.render(Context({"rate": rate, "audit_links": audit_links, "query": "window=3"}))


def test_a_supervisors_cancellations_link_to_their_audit_only_where_the_reader_may_open_it():
    rate = Reliability(
        supervisor="sue@example.org",
        name="Sue <Supervisor>",
        scheduled=8,
        cancelled_by_supervisor=2,
        cancelled_by_supervisee=1,
        rescheduled=1,
        moved_by_supervisor=3,
        supervisor_id=12,
    )
    html = rate_row(rate, {12})
    assert (
        '<th scope="row"><a href="/audit/supervisors/12/?window=3">Sue &lt;Supervisor&gt;</a>'
        in html
    )
    # In the columns' order: scheduled, cancelled by the supervisor, the rate, by the
    # supervisee, rescheduled, moved by the supervisor, by others, unrecorded.
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', html)
    assert cells == ["8", "2", "25%", "1", "1", "3", "0", "0"]
    assert "<a " not in rate_row(rate, {13})
    assert "<a " not in rate_row(rate, "")  # a page without links: its own supervisor's
    nothing = Reliability(
        supervisor="sam@example.org", name="", scheduled=0, cancelled_by_supervisor=0
    )
    html = rate_row(nothing, set())
    assert '<th scope="row">sam@example.org</th>' in html
    assert '<td class="text-end">no data</td>' in html
