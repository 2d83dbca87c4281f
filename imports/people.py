"""`import_people`: people, their teams, team managers and line supervision relationships.

The file is the organisation's list of people. An import adds and updates; it never removes a
person, a manager's right to see a team or a relationship (end those in the admin), so importing
the same file again changes nothing.
"""

from dataclasses import dataclass, field
from datetime import date

from people.models import Frequency, Kind, Relationship, Team, User

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
    optional=("supervisor", "frequency", "start_date"),
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
            f"{self.unchanged_relationships} unchanged)."
        )
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
                "a date is required when supervisor is set (the relationship starts then)",
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
        elif _update_person(person, line, team):
            plan.changed_people.append(person)
        else:
            plan.unchanged_people += 1

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

    existing = {
        (rel.supervisor_id, rel.supervisee_id, rel.start_date): rel
        for rel in Relationship.objects.filter(kind=Kind.LINE, supervisee_id__in=existing_pks)
    }
    for line in lines:
        if not line.supervisor:
            continue
        supervisor, supervisee = people[line.supervisor], people[line.email]
        relationship = existing.get((supervisor.pk, supervisee.pk, line.start_date))
        if supervisor.pk is None or supervisee.pk is None or relationship is None:
            plan.new_relationships.append(
                Relationship(
                    supervisor=supervisor,
                    supervisee=supervisee,
                    kind=Kind.LINE,
                    frequency=line.frequency,
                    start_date=line.start_date,
                )
            )
        elif relationship.frequency != line.frequency:
            relationship.frequency = line.frequency
            plan.changed_relationships.append(relationship)
        else:
            plan.unchanged_relationships += 1
    return plan


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
    Relationship.objects.bulk_create(plan.new_relationships)
    Relationship.objects.bulk_update(plan.changed_relationships, ["frequency"])
