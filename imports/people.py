"""`import_people`: people, their teams, team managers and line supervision relationships.

The file is the organisation's list of people. An import adds and updates; it never removes a
person or a manager's right to see a team. A line relationship ends only as the file says:
on its `end_date`, or the day before `supervised_from` when the supervisor changes
(INTERFACES.md). Importing the same file again changes nothing.

A person's line relationships, as the file describes them: the row's relationship is the
person's **current line relationship** (the one that started last) when its supervisor is the
row's `supervisor`; otherwise the supervisor changes, and a new one starts on
`supervised_from`. `start_date` is the start in post, never the relationship's start once it
exists, so a new `start_date` never restarts a relationship (nor, through a new relationship,
the gap the overdue rule measures from its start).

Team membership is dated (beyond the contract): when a person's team changes, their old
membership ends the day before `team_from` (an optional column; today when empty) and the new
one starts on it, so past windows show the teams of the time.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from core import clock
from people.models import Frequency, Kind, Relationship, Team, User
from people.services import team_memberships_move

from .csvfile import (
    ImportResult,
    Layout,
    counted,
    read_choice,
    read_date,
    read_email,
    read_text,
    run_import,
    shown,
    summary_sentence,
)

LAYOUT = Layout(
    what="people",
    required=("email", "name", "team", "role"),
    optional=("supervisor", "frequency", "start_date", "supervised_from", "end_date", "team_from"),
)
ROLES = ("practitioner", "manager")
NAME_LENGTH = User._meta.get_field("name").max_length
TEAM_NAME_LENGTH = Team._meta.get_field("name").max_length


@dataclass
class PersonLine:
    row: int
    email: str
    name: str
    team: str
    role: str
    supervisor: str  # "" for none
    frequency: str
    start_date: date | None
    supervised_from: date | None = None
    end_date: date | None = None
    # The file has an end_date column: an empty cell then means "it goes on" (no end).
    has_end_date: bool = False
    team_from: date | None = None


@dataclass
class PeoplePlan:
    """What the import writes: unsaved objects to create, changed objects to update."""

    new_teams: list[Team] = field(default_factory=list)
    teams: int = 0
    new_people: list[User] = field(default_factory=list)
    changed_people: list[User] = field(default_factory=list)
    unchanged_people: int = 0
    new_managers: list[tuple[Team, User]] = field(default_factory=list)
    managers: int = 0
    new_relationships: list[Relationship] = field(default_factory=list)
    changed_relationships: list[Relationship] = field(default_factory=list)
    unchanged_relationships: int = 0
    ended_relationships: int = 0
    # (person, their team before, their team now, day): the person joins the team on `day`
    # (None: since records began).
    team_moves: list[tuple[User, int | None, Team, date | None]] = field(default_factory=list)

    def summary(self, *, dry_run):
        people = len(self.new_people) + len(self.changed_people) + self.unchanged_people
        relationships = (
            len(self.new_relationships)
            + len(self.changed_relationships)
            + self.unchanged_relationships
        )
        text = (
            f"{counted(people, 'person', 'people')} ({len(self.new_people)} new, "
            f"{len(self.changed_people)} changed, {self.unchanged_people} unchanged), "
            f"{counted(self.teams, 'team')} ({len(self.new_teams)} new), "
            f"{counted(self.managers, 'team manager')} ({len(self.new_managers)} new), "
            f"{counted(relationships, 'line relationship')} "
            f"({len(self.new_relationships)} new, {len(self.changed_relationships)} changed, "
            f"{self.unchanged_relationships} unchanged)"
        )
        if self.ended_relationships:
            text += f", of which {counted(self.ended_relationships, 'relationship')} ended"
        text += "."
        return summary_sentence(text, dry_run=dry_run)


def people_import(*, data: bytes, dry_run: bool = False) -> ImportResult:
    """Create or update everyone in a people CSV; write nothing unless the whole file is valid."""
    return run_import(
        data=data,
        dry_run=dry_run,
        layout=LAYOUT,
        read=_read_lines,
        plan=lambda read, problems: _plan(*read, problems),
        write=_write,
    )


def _read_lines(rows, problems):
    """The valid rows as PersonLines, and every email the file names in its email column."""
    lines = []
    first_row_of = {}
    for row in rows:
        before = len(problems)
        email = read_email(row, "email", problems)
        if email and email in first_row_of:
            problems.add(row.number, "email", f"{email} is already on row {first_row_of[email]}")
        elif email:
            first_row_of[email] = row.number
        name = read_text(row, "name", problems, max_length=NAME_LENGTH)
        team = read_text(row, "team", problems, max_length=TEAM_NAME_LENGTH)
        role = read_choice(row, "role", problems, choices=ROLES)
        supervisor = read_email(row, "supervisor", problems, required=False)
        if supervisor and supervisor == email:
            problems.add(row.number, "supervisor", "a person cannot be their own supervisor")
        frequency = read_choice(
            row, "frequency", problems, choices=Frequency.values, required=False
        )
        start_date = read_date(row, "start_date", problems, required=False)
        if supervisor and not row["start_date"] and row.is_readable("start_date"):
            problems.add(
                row.number,
                "start_date",
                "a date is required when supervisor is set (the start in post, from which "
                "the newly-qualified schedule counts)",
            )
        supervised_from = read_date(row, "supervised_from", problems, required=False)
        end_date = read_date(row, "end_date", problems, required=False)
        team_from = read_date(row, "team_from", problems, required=False)
        for column in ("supervised_from", "end_date"):
            if row[column] and not row["supervisor"] and row.is_readable("supervisor"):
                problems.add(
                    row.number,
                    column,
                    "needs a supervisor: it is a date of the line relationship with them",
                )
        if supervised_from and end_date and end_date < supervised_from:
            problems.add(
                row.number,
                "end_date",
                f"{end_date.isoformat()} is before supervised_from "
                f"({supervised_from.isoformat()}): a relationship ends after it starts",
            )
        if len(problems) == before:
            lines.append(
                PersonLine(
                    row=row.number,
                    email=email,
                    name=name,
                    team=team,
                    role=role,
                    supervisor=supervisor,
                    frequency=frequency or Frequency.MONTHLY,
                    start_date=start_date,
                    supervised_from=supervised_from,
                    end_date=end_date,
                    has_end_date="end_date" in row.cells,
                    team_from=team_from,
                )
            )
    return lines, set(first_row_of)


def _plan(lines, emails_in_file, problems):
    emails = {line.email for line in lines} | {line.supervisor for line in lines}
    people = {user.email: user for user in User.objects.filter(email__in=emails - {""})}
    for line in lines:
        if line.supervisor and line.supervisor not in emails_in_file | people.keys():
            problems.add(
                line.row,
                "supervisor",
                f"{shown(line.supervisor)} is neither in the file nor a person who exists",
            )
    if problems:
        return None

    plan = PeoplePlan()
    # Team names are unique whatever their capitals. An organisation has few teams, so they are
    # matched here rather than with SQL LOWER, which leaves non-ASCII letters alone on SQLite.
    teams = {}
    for team in Team.objects.all():
        teams.setdefault(team.name.lower(), team)
    team_of = {}
    for line in lines:
        key = line.team.lower()
        if key not in teams:
            teams[key] = Team(name=line.team)
            plan.new_teams.append(teams[key])
        team_of[line.email] = teams[key]
    plan.teams = len({id(team) for team in team_of.values()})

    for line in lines:
        team = team_of[line.email]
        person = people.get(line.email)
        if person is None:
            person = User(
                email=line.email, name=line.name, team=team, start_date_in_post=line.start_date
            )
            person.set_unusable_password()
            people[line.email] = person
            plan.new_people.append(person)
            plan.team_moves.append((person, None, team, line.team_from))
            continue
        before = person.team_id
        moved = team.pk is None or before != team.pk
        if _update_person(person, line, team):
            plan.changed_people.append(person)
        else:
            plan.unchanged_people += 1
        if moved:
            plan.team_moves.append((person, before, team, line.team_from or clock.today()))

    existing_pks = [person.pk for person in people.values() if person.pk]
    managing = set(
        Team.managers.through.objects.filter(user_id__in=existing_pks).values_list(
            "team_id", "user_id"
        )
    )
    for line in lines:
        if line.role != "manager":
            continue
        team, person = team_of[line.email], people[line.email]
        plan.managers += 1
        if team.pk is None or person.pk is None or (team.pk, person.pk) not in managing:
            plan.new_managers.append((team, person))

    # Each person's line relationships, the one that started last first.
    line_relationships = {}
    for rel in Relationship.objects.filter(kind=Kind.LINE, supervisee_id__in=existing_pks).order_by(
        "-start_date", "-pk"
    ):
        line_relationships.setdefault(rel.supervisee_id, []).append(rel)
    for line in lines:
        if line.supervisor:
            _plan_relationship(
                plan,
                line,
                people[line.supervisor],
                people[line.email],
                line_relationships.get(people[line.email].pk, []),
                problems,
            )
    return plan


def _plan_relationship(plan, line, supervisor, supervisee, existing, problems):
    """The row's line relationship (INTERFACES.md's `supervised_from` and `end_date`)."""
    current = existing[0] if existing else None
    if current is not None and current.supervisor_id != supervisor.pk:
        # The supervisor changes: the current relationship ends the day before the new one.
        if line.supervised_from is None:
            problems.add(
                line.row,
                "supervised_from",
                f"required when the supervisor changes: {supervisee.email}'s current line "
                f"supervisor is {current.supervisor.email}, whose relationship ends the day "
                "before this date",
            )
            return
        ends = line.supervised_from - timedelta(days=1)
        if ends < current.start_date:
            problems.add(
                line.row,
                "supervised_from",
                f"{line.supervised_from.isoformat()} is not after the start of the current line "
                f"relationship with {current.supervisor.email} "
                f"({current.start_date.isoformat()})",
            )
            return
        if current.end_date is None or current.end_date > ends:
            current.end_date = ends
            plan.changed_relationships.append(current)
            plan.ended_relationships += 1
        _plan_new(plan, line, supervisor, supervisee, line.supervised_from, problems)
        return
    starts = line.supervised_from
    if current is None:
        _plan_new(plan, line, supervisor, supervisee, starts or line.start_date, problems)
        return
    if starts is not None and current.end_date is not None and current.end_date < starts:
        # Back with the same supervisor after the relationship ended: a new one.
        _plan_new(plan, line, supervisor, supervisee, starts, problems)
        return
    changed = False
    if starts is not None and starts != current.start_date:
        current.start_date = starts
        changed = True
    if current.frequency != line.frequency:
        current.frequency = line.frequency
        changed = True
    if line.has_end_date and current.end_date != line.end_date:
        if line.end_date is not None and current.end_date is None:
            plan.ended_relationships += 1
        current.end_date = line.end_date
        changed = True
    if current.end_date is not None and current.end_date < current.start_date:
        problems.add(
            line.row,
            "end_date",
            f"{current.end_date.isoformat()} is before the relationship with "
            f"{supervisor.email} starts ({current.start_date.isoformat()})",
        )
        return
    if changed:
        plan.changed_relationships.append(current)
    else:
        plan.unchanged_relationships += 1


def _plan_new(plan, line, supervisor, supervisee, starts, problems):
    if line.end_date is not None and line.end_date < starts:
        problems.add(
            line.row,
            "end_date",
            f"{line.end_date.isoformat()} is before the relationship starts ({starts.isoformat()})",
        )
        return
    if line.end_date is not None:
        plan.ended_relationships += 1
    plan.new_relationships.append(
        Relationship(
            supervisor=supervisor,
            supervisee=supervisee,
            kind=Kind.LINE,
            frequency=line.frequency,
            start_date=starts,
            end_date=line.end_date,
        )
    )


def _update_person(person, line, team):
    """Bring an existing person in line with the file; True if anything changed."""
    changed = False
    if person.name != line.name:
        person.name = line.name
        changed = True
    if team.pk is None or person.team_id != team.pk:
        person.team = team
        changed = True
    # An empty start_date leaves the one already recorded alone.
    if line.start_date and person.start_date_in_post != line.start_date:
        person.start_date_in_post = line.start_date
        changed = True
    return changed


def _write(plan):
    Team.objects.bulk_create(plan.new_teams)
    User.objects.bulk_create(plan.new_people)
    User.objects.bulk_update(plan.changed_people, ["name", "team", "start_date_in_post"])
    Team.managers.through.objects.bulk_create(
        [Team.managers.through(team=team, user=person) for team, person in plan.new_managers]
    )
    # Ended first: a relationship that ends makes room for the one that follows it.
    Relationship.objects.bulk_update(
        plan.changed_relationships, ["frequency", "start_date", "end_date"]
    )
    Relationship.objects.bulk_create(plan.new_relationships)
    team_memberships_move(plan.team_moves)
