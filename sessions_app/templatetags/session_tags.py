"""Rows of sessions written in one call: a list of them (home, the session list) wrote each row
through an included template (20 rows about 4.7 ms of template lookups and filters on home)."""

from django import template

from core import links
from core.dates import day_text, time_text
from core.markup import format_html, format_html_join

register = template.Library()

_ROW = (
    '<tr>\n  <td><a href="{}">{}</a>{}</td>\n  <td>{}</td>\n  <td>{}, {} min</td>'
    "\n  <td>{}{}{}</td>\n</tr>\n"
)


@register.simple_tag
def session_row(s):
    """One session in a table of sessions: its date (linked), who, how and its status, with
    its record's state once held and whether it is disputed (`with_disputes`' marks)."""
    href = links.address("sessions:detail", [s.pk], {}, None)
    when = (
        format_html(' <span class="text-body-secondary">{}</span>', time_text(s.start_time))
        if s.start_time
        else ""
    )
    attendances = s.attendances.all()
    if s.is_group:
        who = format_html("{} group ({})", s.get_group_type_display(), len(attendances))
    else:
        who = format_html_join("", "{}", ((a.person,) for a in attendances))
    state = (
        format_html(
            ' <span class="badge text-bg-light border">{}</span>', s.get_record_state_display()
        )
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
        s.get_mode_display(),
        s.duration_minutes,
        s.get_status_display(),
        state,
        disputed,
    )
