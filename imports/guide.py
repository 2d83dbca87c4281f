"""The in-app import guide: each column of each file, from the layouts the importers read
(`imports.people.LAYOUT`, `imports.sessions.LAYOUT`), with what to write in it (the same rules
as docs/imports.md, for the people who prepare the files). A column the importers read but the
guide does not describe fails the tests."""

from dataclasses import dataclass

from .people import LAYOUT as PEOPLE_LAYOUT
from .sessions import LAYOUT as SESSIONS_LAYOUT

PEOPLE_COLUMNS = {
    "email": "The person's email address, which is also their login; once per file.",
    "name": "Their name, as colleagues know them.",
    "team": "Their team's name; a team that does not exist yet is created.",
    "role": "practitioner or manager; a manager sees their team's dashboards.",
    "supervisor": "Email of their line supervisor; empty for none. The supervisor must be in "
    "the same file or already in Fourfold.",
    "frequency": "How often one-to-one supervision is expected: weekly, fortnightly, monthly, "
    "six_weekly or newly_qualified. Empty means monthly.",
    "start_date": "The date they started in post (needed when supervisor is set), such as "
    "2026-01-08.",
    "supervised_from": "The day the line relationship with supervisor starts. Needed when the "
    "supervisor changes: the current relationship ends the day before.",
    "end_date": "The day the line relationship ends (they left or moved on). Empty: it goes on.",
    "team_from": "The day they joined team, when that differs from Fourfold. Empty: today.",
}

SESSIONS_COLUMNS = {
    "session_ref": "The session's id in your spreadsheet. Rows with the same reference are one "
    "session; importing it again updates that session.",
    "date": "The session's date, such as 2026-01-08.",
    "format": "one_to_one or group.",
    "group_type": "Empty for a one-to-one; for a group: team, peer, multi_agency or "
    "newly_qualified.",
    "supervisor": "Email of the supervisor, or of the group's facilitator.",
    "supervisees": "Emails separated by ;. A one-to-one has exactly one; a group lists the "
    "members who were present.",
    "absent": "Groups only: emails of invited members who were absent, separated by ;.",
    "status": "held, planned, cancelled_by_supervisor, cancelled_by_supervisee or rescheduled.",
    "duration_minutes": "The session's length in whole minutes.",
    "item_title": "What was discussed (empty for a session without items).",
    "item_minutes": "Minutes spent on the item; a session's items may not add up to more than "
    "its duration.",
    "functions": "One to four of management;development;support;mediation.",
    "stages": "None to four of experience;reflection;analysis;plans_actions.",
    "stakeholders": "None to four of supervisee;people;organisation;partners.",
    "case_ref": "A case reference, never the name of someone who draws on care and support.",
    "risk": "yes or no (empty means no).",
    "notes": "Free text.",
}


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    what: str


@dataclass(frozen=True)
class FileGuide:
    kind: str  # "people" or "sessions": the template's name
    title: str
    columns: tuple[Column, ...]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def _guide(kind, title, layout, words):
    columns = [Column(name, True, words[name]) for name in layout.required]
    columns += [Column(name, False, words[name]) for name in layout.optional]
    return FileGuide(kind, title, tuple(columns))


def guides() -> dict[str, FileGuide]:
    return {
        "people": _guide(
            "people", "The people file: one row per person", PEOPLE_LAYOUT, PEOPLE_COLUMNS
        ),
        "sessions": _guide(
            "sessions",
            "The sessions file: one row per discussion item",
            SESSIONS_LAYOUT,
            SESSIONS_COLUMNS,
        ),
    }
