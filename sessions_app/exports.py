"""Take it with you: a supervisee's own log as CSV or a printable page, planned sessions as .ics.

Each shows the logged-in person their own sessions only (`sessions_app.access.own_records` and
`own_planned`), whatever else their roles let them read: an administrator's or a manager's export
is still just their own, and what each holds of a record is what `SessionAccess` lets them read.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from core.clock import local_date, today
from core.clock import now as clock_now
from core.dates import one_year_before, parse_iso_date
from core.spreadsheet import csv_response

from .access import SessionAccess, own_planned, own_records
from .models import (
    Acknowledgement,
    Action,
    Addendum,
    Attendance,
    Format,
    Item,
    Session,
)

# ---------------------------------------------------------------------------------------------
# The log: which records, in which date range


@dataclass(frozen=True)
class LogRange:
    start: date
    end: date
    # What the person typed, echoed back into the form when it was not a date.
    raw_start: str
    raw_end: str
    errors: tuple


def _parse_day(raw, label, errors):
    raw = raw.strip()
    if not raw:
        return None
    day = parse_iso_date(raw)
    if day is not None:
        return day
    errors.append(f"The {label} date “{raw}” is not a date. Use YYYY-MM-DD, such as 2026-01-31.")
    return None


def log_range(params, day):
    """The range from the `from` and `to` parameters; by default the 12 months to `day`."""
    raw_start, raw_end = params.get("from", ""), params.get("to", "")
    errors = []
    end = _parse_day(raw_end, "“to”", errors) or day
    start = _parse_day(raw_start, "“from”", errors) or one_year_before(end)
    if not errors and start > end:
        errors.append("The “from” date is after the “to” date. Swap them and try again.")
    return LogRange(start, end, raw_start, raw_end, tuple(errors))


def my_records(user, start, end):
    """The user's own shared or signed-off records in [start, end], everything prefetched.

    Sessions they attended, present or absent; never drafts, never another person's.
    """
    return (
        own_records(user)
        .filter(date__gte=start, date__lte=end)
        .select_related("supervisor")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("person")),
            Prefetch("items", queryset=Item.objects.order_by("position", "pk")),
            Prefetch("actions", queryset=Action.objects.select_related("owner")),
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.filter(person=user),
                to_attr="my_acknowledgement",
            ),
            Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
        )
        .order_by("date", "start_time", "pk")
    )


@dataclass(frozen=True)
class LogItem:
    title: str
    notes: str
    minutes: int
    functions: list
    hidden: bool


@dataclass(frozen=True)
class LogEntry:
    session: Session
    present: bool
    acknowledgement: Acknowledgement | None
    items: list
    actions: list
    addenda: list


def log_entries(user, sessions):
    """What the person may read of each record (`SessionAccess`): in a one-to-one they are the
    supervisee and read its confidential items; in a group a confidential item stays hidden.
    """
    entries = []
    for session in sessions:
        access = SessionAccess(user, session)
        items = []
        for item in session.items.all():
            hidden = access.item_is_hidden(item)
            items.append(
                LogItem(
                    title="Confidential item" if hidden else item.title,
                    notes="" if hidden else item.notes,
                    minutes=item.minutes,
                    functions=item.function_labels,
                    hidden=hidden,
                )
            )
        entries.append(
            LogEntry(
                session=session,
                present=access.is_present,
                acknowledgement=(
                    session.my_acknowledgement[0] if session.my_acknowledgement else None
                ),
                items=items,
                actions=list(session.actions.all()),
                addenda=list(session.addenda.all()),
            )
        )
    return entries


def _log_page(request, log, entries, status=200):
    query = f"?from={log.start.isoformat()}&to={log.end.isoformat()}"
    return render(
        request,
        "sessions_app/my_log.html",
        {
            "log": log,
            "entries": entries,
            "csv_url": reverse("sessions:my_log_csv") + query,
        },
        status=status,
    )


@login_required
@require_GET
def my_log_print(request):
    """The person's records as one printable page: the browser's Print saves it as a PDF."""
    log = log_range(request.GET, today())
    if log.errors:
        return _log_page(request, log, [], status=400)
    entries = log_entries(request.user, my_records(request.user, log.start, log.end))
    return _log_page(request, log, entries)


# ---------------------------------------------------------------------------------------------
# CSV

CSV_HEADER = [
    "Date",
    "Start time",
    "Supervisor",
    "Format",
    "Group type",
    "Duration (minutes)",
    "Your attendance",
    "Status",
    "Record state",
    "Your acknowledgement",
    "Your acknowledgement comments",
    "Items",
    "Actions",
    "Addenda",
]


def _item_line(item):
    return f"{item.title} ({item.minutes} min: {', '.join(item.functions)})"


def _action_line(action):
    due = f", due {action.due_date.isoformat()}" if action.due_date else ""
    return f"{action.description} ({action.owner_display}{due}, {action.get_status_display()})"


def _addendum_line(addendum):
    return f"{local_date(addendum.created_at).isoformat()} {addendum.author}: {addendum.text}"


def csv_row(entry):
    session = entry.session
    ack = entry.acknowledgement
    return [
        session.date.isoformat(),
        session.start_time.strftime("%H:%M") if session.start_time else "",
        str(session.supervisor),
        session.get_format_display(),
        session.get_group_type_display() if session.group_type else "",
        session.duration_minutes,
        "Present" if entry.present else "Absent",
        session.get_status_display(),
        session.get_record_state_display(),
        ack.get_response_display() if ack else "Not yet",
        ack.comments if ack else "",
        "\n".join(_item_line(i) for i in entry.items),
        "\n".join(_action_line(a) for a in entry.actions),
        "\n".join(_addendum_line(a) for a in entry.addenda),
    ]


@login_required
@require_GET
def my_log_csv(request):
    """The person's records as a spreadsheet, one row per session."""
    log = log_range(request.GET, today())
    if log.errors:
        return _log_page(request, log, [], status=400)
    entries = log_entries(request.user, my_records(request.user, log.start, log.end))
    filename = f"fourfold-supervision-log-{log.start.isoformat()}-{log.end.isoformat()}.csv"
    return csv_response(filename, CSV_HEADER, (csv_row(entry) for entry in entries))


# ---------------------------------------------------------------------------------------------
# iCalendar (RFC 5545), written by hand: it is a few lines of text.

ICS_TIME_ZONE = "Europe/London"
# RFC 5545 3.6.5: every TZID used needs its VTIMEZONE. UK clocks since 1996: BST from 01:00
# UTC on the last Sunday in March to 01:00 UTC on the last Sunday in October.
EUROPE_LONDON_VTIMEZONE = [
    "BEGIN:VTIMEZONE",
    "TZID:Europe/London",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0000",
    "TZOFFSETTO:+0100",
    "TZNAME:BST",
    "DTSTART:19700329T010000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0000",
    "TZNAME:GMT",
    "DTSTART:19701025T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
]


def ics_escape(text):
    """RFC 5545 3.3.11 TEXT: backslash, semicolon, comma and newline are escaped."""
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def ics_fold(line):
    """RFC 5545 3.1: lines longer than 75 octets continue on a line starting with a space.

    Split between characters, never inside a UTF-8 sequence.
    """
    if len(line.encode()) <= 75:
        return line
    parts, current, size = [], "", 0
    for char in line:
        width = len(char.encode())
        limit = 75 if not parts else 74  # a continuation line's leading space is one octet
        if size + width > limit:
            parts.append(current)
            current, size = "", 0
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def _utc_stamp(moment):
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _dtstart(session):
    if session.start_time is None:
        return f"DTSTART;VALUE=DATE:{session.date:%Y%m%d}"
    local = datetime.combine(session.date, session.start_time)
    if settings.TIME_ZONE == ICS_TIME_ZONE:
        return f"DTSTART;TZID={ICS_TIME_ZONE}:{local:%Y%m%dT%H%M%S}"
    # Another organisation time zone: say the moment in UTC rather than ship its rules.
    return f"DTSTART:{_utc_stamp(local.replace(tzinfo=ZoneInfo(settings.TIME_ZONE)))}"


def _event_summary(session, user):
    if session.format == Format.GROUP:
        return f"{session.get_group_type_display()} group supervision"
    if SessionAccess(user, session).is_supervisor:
        supervisee = session.supervisee
        return f"Supervision with {supervisee}" if supervisee else "One-to-one supervision"
    return f"Supervision with {session.supervisor}"


def ics_event(session, user, stamp):
    url = settings.SITE_URL + reverse("sessions:detail", args=[session.pk])
    description = (
        f"{session.get_format_display()} supervision"
        f"{' (' + session.get_group_type_display() + ')' if session.group_type else ''}, "
        f"{session.get_mode_display().lower()}, {session.duration_minutes} minutes. "
        f"Supervisor: {session.supervisor}.\n{url}"
    )
    lines = [
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@fourfold",
        f"DTSTAMP:{stamp}",
        _dtstart(session),
    ]
    # RFC 5545 3.8.2.5: an all-day (DATE) event takes a duration in days or none at all.
    if session.start_time is not None:
        lines.append(f"DURATION:PT{session.duration_minutes}M")
    lines += [
        f"SUMMARY:{ics_escape(_event_summary(session, user))}",
        f"DESCRIPTION:{ics_escape(description)}",
        f"URL:{url}",
        f"SEQUENCE:{session.version}",
        f"LAST-MODIFIED:{_utc_stamp(session.updated_at)}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]
    return lines


def planned_sessions(user, day):
    """Planned sessions from `day` on that the user leads or is invited to."""
    return (
        own_planned(user)
        .filter(date__gte=day)
        .select_related("supervisor")
        .prefetch_related(
            Prefetch("attendances", queryset=Attendance.objects.select_related("person"))
        )
        .order_by("date", "start_time", "pk")
    )


def planned_calendar(user, day, now):
    sessions = list(planned_sessions(user, day))
    stamp = _utc_stamp(now)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Fourfold//Supervision sessions//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:Fourfold supervision",
    ]
    if settings.TIME_ZONE == ICS_TIME_ZONE and any(s.start_time for s in sessions):
        lines += EUROPE_LONDON_VTIMEZONE
    for session in sessions:
        lines += ics_event(session, user, stamp)
    lines.append("END:VCALENDAR")
    return "".join(ics_fold(line) + "\r\n" for line in lines)


@login_required
@require_GET
def planned_ics(request):
    """The person's planned sessions as a calendar file to import."""
    text = planned_calendar(request.user, today(), clock_now())
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="fourfold-planned-sessions.ics"'
    return response
