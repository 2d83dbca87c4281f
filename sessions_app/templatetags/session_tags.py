"""Rows of sessions written in one call: a list of them (home, the session list) wrote each row
through an included template (20 rows about 4.7 ms of template lookups and filters on home)."""

from django import template

from core import links
from core.choices import label
from core.dates import day_text, time_text
from core.markup import format_html, format_html_join
from sessions_app.selectors import LISTED_ATTENDANCES

register = template.Library()

_ROW = (
    '<tr>\n  <td><a href="{}">{}</a>{}</td>\n  <td>{}</td>\n  <td>{}, {} min</td>'
    "\n  <td>{}{}{}</td>\n</tr>\n"
)


@register.simple_tag
def session_row(s):
    """One session in a table of sessions: its date (linked), who, how and its status, with
    its record's state once held and whether it is disputed (`with_disputes`' marks). Its
    attendances as `selectors.listed_attendees` or `attach_listed_attendances` reads them."""
    href = links.address("sessions:detail", [s.pk], {}, None)
    when = (
        format_html(' <span class="text-body-secondary">{}</span>', time_text(s.start_time))
        if s.start_time
        else ""
    )
    attendances = getattr(s, LISTED_ATTENDANCES)
    if s.is_group:
        who = format_html("{} group ({})", label(s, "group_type"), len(attendances))
    else:
        who = format_html_join("", "{}", ((a.person,) for a in attendances))
    state = (
        format_html(' <span class="badge text-bg-light border">{}</span>', label(s, "record_state"))
        if s.is_held
        else ""
    )
    disputed = ""
    if getattr(s, "disputed", False):
        disputed = format_html(
            ' <a class="badge text-bg-warning" href="{}#ack-heading">{}</a>',
            href,
            "Disputed: reply needed" if getattr(s, "dispute_open", False) else "Disputed, replied",
        )
    return format_html(
        _ROW,
        href,
        day_text(s.date),
        when,
        who,
        label(s, "mode"),
        s.duration_minutes,
        label(s, "status"),
        state,
        disputed,
    )


def _who(s) -> str:
    """Who a session was with, as a line of text names them: a one-to-one's supervisee, or
    "the team group"."""
    if s.is_group:
        return "the " + label(s, "group_type").lower() + " group"
    return "".join(str(a.person) for a in getattr(s, LISTED_ATTENDANCES))


_TO_FINISH = '<li class="mb-2"><a href="{}">{} the record of {} with {}</a>: {}</li>'


@register.simple_tag
def record_to_finish(s, verb, why):
    """A record waiting for its supervisor in home's "needs your attention": "Share the record
    of 3 Nov 2026 with Sam Social: still a draft", linked to it. Written in one call, as
    `session_row` is: twenty of them were about a millisecond of template lookups and filters."""
    href = links.address("sessions:detail", [s.pk], {}, None)
    return format_html(_TO_FINISH, href, verb, day_text(s.date), _who(s), why)


_RELATIONSHIP_ROW = (
    '<tr>\n        <th scope="row">{0}</th>\n        <td>{1}, {2}{3}</td>'
    "\n        <td>{4}</td>\n        <td>\n          {5}\n          {6}\n        </td>"
    '\n        <td>{7}</td>\n        <td class="text-nowrap">'
    '\n          <a href="{8}?supervisee={9}&amp;held=1">Record'
    '<span class="visually-hidden"> a session with {0}</span></a> ·'
    '\n          <a href="{8}?supervisee={9}">Schedule'
    '<span class="visually-hidden"> a session with {0}</span></a> ·'
    '\n          <a href="{10}">Focus'
    '<span class="visually-hidden"> agreement with {0}</span></a>\n        </td>\n      </tr>'
)


@register.simple_tag
def relationship_row(rel):
    """One supervisee in the supervisor's table on home: the relationship, its focus, the last
    one-to-one, when the next is due (and by how long overdue), the next booked, and links to
    record, schedule and agree a focus (`views._with_due_dates` gives the figures)."""
    focus = ""
    if rel.focus:
        focus = format_html(
            '<br><span class="small">Focus: {}</span>',
            format_html_join(", ", "{}", ((label,) for label in rel.focus.function_labels)),
        )
    overdue = ""
    if rel.overdue_days:
        overdue = format_html(
            '<span class="badge text-bg-danger ms-1">Overdue by {} day{}</span>',
            rel.overdue_days,
            "" if rel.overdue_days == 1 else "s",
        )
    return format_html(
        _RELATIONSHIP_ROW,
        rel.supervisee,
        label(rel, "kind"),
        label(rel, "frequency").lower(),
        focus,
        day_text(rel.last_held) or "None yet",
        day_text(rel.next_due),
        overdue,
        day_text(rel.next_planned) or "Not booked",
        links.address("sessions:new", [], {}, None),
        rel.supervisee_id,
        links.address("people:focus", [rel.pk], {}, None),
    )
