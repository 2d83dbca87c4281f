"""Reading an uploaded CSV and naming every problem by row and column (INTERFACES.md).

Both importers share this: the file is decoded, its header checked, and each cell read through
a small helper that records a problem instead of raising, so one pass over the file lists
everything that is wrong with it. Row numbers are the spreadsheet's: the header is row 1, and a
value spread over several lines inside quotes is still one row.
"""

import csv
import functools
import heapq
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from core.dates import parse_iso_date
from people.models import normalise_email

# A sanity bound on any minutes figure: a session (and so an item) lasts less than a day.
MAX_MINUTES = 24 * 60
MAX_EMAIL_LENGTH = 254

WHOLE_NUMBER_PATTERN = re.compile(r"[0-9]+")
# Bytes that are not UTF-8 are decoded with `surrogateescape`, which turns each into one of these.
UNDECODABLE = re.compile("[\udc80-\udcff]")
SAVE_AS_UTF8 = 'save the file as "CSV UTF-8" and try again'
# The contract (docs/interfaces.md) lists every problem of a file. The upload page shows the first
# PROBLEMS_SHOWN of them (a page of 400,000 lines helps nobody) and says the command lists them all.
PROBLEMS_SHOWN = 1000


@dataclass(frozen=True)
class Problem:
    row: int
    column: str
    message: str

    def __str__(self):
        return f"row {self.row}, column {self.column}: {self.message}"


class Problems:
    """The problems found in a file, listed in row order.

    Every problem is counted and, unless a `limit` is given (0: count only), kept to be listed.
    """

    def __init__(self, limit=None):
        self.limit = limit
        # A max-heap (by negated keys) of the `limit` problems earliest in the file.
        self._kept = []
        self._count = 0

    def add(self, row, column, message):
        self._count += 1
        # Within a row, problems keep the order they were found in.
        entry = (-row, -self._count, Problem(row, str(column), message))
        if self.limit is None or len(self._kept) < self.limit:
            heapq.heappush(self._kept, entry)
        elif self._kept and entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    def clear(self):
        self._kept, self._count = [], 0

    def entries(self):
        """The kept problems in row order, as (row, column, message)."""
        return [(p.row, p.column, p.message) for _, _, p in sorted(self._kept, reverse=True)]

    def __len__(self):
        return self._count

    def __bool__(self):
        return bool(self._count)

    def lines(self):
        return [str(problem) for _, _, problem in sorted(self._kept, reverse=True)]


@dataclass
class ImportResult:
    """What an import did (or, in a dry run, would do), or why it wrote nothing."""

    dry_run: bool
    problems: list[str] = field(default_factory=list)
    summary: str = ""
    # How many problems there are (all of them are in `problems`).
    problem_count: int = 0

    @classmethod
    def failed(cls, problems, *, dry_run):
        return cls(dry_run=dry_run, problems=problems.lines(), problem_count=len(problems))

    @property
    def ok(self):
        return not self.problems


def run_import(*, data: bytes, dry_run: bool, layout, read, plan, write) -> ImportResult:
    """The shape every import has: read the file, plan against the database, write or not.

    `read(rows, problems)` checks the file alone; `plan(lines, problems)` checks it against the
    database and returns a plan with `summary(dry_run=)`; `write(plan)` writes it. Nothing is
    written if any problem was found, or on a dry run; the plan and the writes share one
    transaction, so what was checked is what is written.
    """
    problems = Problems()
    rows = read_table(data, layout, problems)
    if rows is None:
        return ImportResult.failed(problems, dry_run=dry_run)
    lines = read(rows, problems)
    with transaction.atomic():
        planned = plan(lines, problems)
        if problems:
            return ImportResult.failed(problems, dry_run=dry_run)
        if not dry_run:
            write(planned)
    return ImportResult(dry_run=dry_run, summary=planned.summary(dry_run=dry_run))


def summary_sentence(text, *, dry_run):
    if dry_run:
        return f"Dry run: the file is valid; nothing was written. It would import {text}"
    return f"Imported {text}"


def shown(value, limit=60):
    """A value quoted for a message, shortened so a pasted paragraph stays readable."""
    if len(value) > limit:
        value = value[: limit - 3] + "..."
    return f'"{value}"'


def counted(number, singular, plural=None):
    return f"{number} {singular if number == 1 else (plural or singular + 's')}"


@dataclass
class Row:
    """One data row: each known column's value, stripped; "" when the cell or column is absent."""

    number: int
    cells: dict[str, str]
    # The columns whose value is not UTF-8 text (a set of its own only in a row that has one).
    unreadable: frozenset[str] | set[str] = frozenset()

    def __getitem__(self, column):
        return self.cells.get(column, "")

    def is_readable(self, column):
        return column not in self.unreadable


@dataclass(frozen=True)
class Layout:
    """The columns a kind of file has: what it is called, which columns it must and may have."""

    what: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    def describe(self):
        return (
            f"row 1 must name the columns {', '.join(self.required)}"
            f" (and may add {', '.join(self.optional)})"
        )


class Unreadable(Exception):
    """The file as a whole cannot be read: its problems are the only ones reported."""

    def __init__(self, row=1, column="", message="", *, problems=None):
        super().__init__(message)
        self.problems = problems.entries() if problems is not None else [(row, column, message)]


def open_source(source):
    """A binary stream of `source`: the bytes of an upload, or the path of a file."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(source)
    return open(source, "rb")  # noqa: SIM115 (closed by stream_table)


def read_table(data, layout: Layout, problems: Problems) -> list[Row] | None:
    """The file's data rows, or None after recording why the file cannot be read at all."""
    try:
        return list(stream_table(data, layout, problems))
    except Unreadable as unreadable:
        _only(problems, unreadable)
        return None


def _only(problems, unreadable):
    """Keep only the problems that make the file unreadable, as if nothing else was read."""
    problems.clear()
    for problem in unreadable.problems:
        problems.add(*problem)


def stream_table(source, layout: Layout, problems: Problems):
    """The file's data rows, one at a time, read as they are needed.

    `source` is bytes or a path. Problems with a row's cells are recorded as the row is read;
    a problem with the whole file (not UTF-8 text, binary, not CSV, a missing column) raises
    `Unreadable`, whatever was found before it, and such a problem is found wherever it is in
    the file (the rows before it may already have been read).
    """
    first = layout.required[0]
    with open_source(source) as stream:
        if stream.read(2) in (b"\xff\xfe", b"\xfe\xff"):
            raise Unreadable(1, first, f"the file is UTF-16 text, not UTF-8; {SAVE_AS_UTF8}")
        stream.seek(0)
        text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
        lines = _Lines(text, layout)
        reader = csv.reader(lines)
        read = 0
        try:
            header = next(reader, None)
            if header is None or not lines.content:
                lines.drain()
            if not lines.content:
                raise Unreadable(1, first, f"the file is empty; {layout.describe()}")
            read = 1
            header_problems = Problems()
            positions = _read_header(header, layout, header_problems)
            if positions is None:
                # The header decides nothing if the file is binary further on.
                lines.drain()
                raise Unreadable(problems=header_problems)
            width = len(header)
            for number, record in enumerate(reader, start=2):
                read = number
                if not any(cell.strip() for cell in record):
                    continue
                yield _row(number, record, positions, width, problems)
        except csv.Error as exc:
            lines.drain()
            raise Unreadable(read + 1, first, f"this is not readable as CSV ({exc})") from None


class _Lines:
    """The text's lines for the CSV reader, refusing binary data wherever it is."""

    def __init__(self, text, layout):
        self.text = text
        self.layout = layout
        self.content = False

    def __iter__(self):
        return self

    def __next__(self):
        line = next(self.text)
        if "\x00" in line:
            raise Unreadable(
                1,
                self.layout.required[0],
                f"this is not a CSV file (it holds binary data); {self.layout.describe()}",
            )
        if not self.content and line.strip():
            self.content = True
        return line

    def drain(self):
        """Read the rest of the file only to find binary data in it (or any content at all)."""
        for _line in self:
            pass


def _row(number, record, positions, width, problems):
    count = len(record)
    cells = {
        column: record[index].strip() if index < count else ""
        for column, index in positions.items()
    }
    row = Row(number=number, cells=cells)
    # Bytes that are not UTF-8 are looked for in the whole row at once: they are rare, and
    # the import reads hundreds of thousands of rows.
    if UNDECODABLE.search("".join(cells.values())):
        row.unreadable = set()
        for column, value in cells.items():
            if UNDECODABLE.search(value):
                problems.add(number, column, f"this value is not UTF-8 text; {SAVE_AS_UTF8}")
                row.unreadable.add(column)
                cells[column] = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    if count > width:
        extra = [cell for cell in record[width:] if cell.strip()]
        if extra:
            problems.add(
                number,
                width + 1,
                f"{shown(extra[0].strip())} is beyond the last column of the header "
                "(a value that contains a comma must be in double quotes)",
            )
    return row


def _read_header(header, layout, problems):
    """{column: position} for the layout's columns, or None if the header is unusable."""
    known = layout.required + layout.optional
    before = len(problems)
    names = [cell.strip().lower() for cell in header]
    if not any(column in names for column in layout.required):
        hint = ""
        if any(UNDECODABLE.search(name) for name in names):
            hint = " (and it is not UTF-8 text)"
        elif len(names) == 1 and ";" in names[0]:
            hint = " (columns must be separated by commas, not semicolons)"
        problems.add(
            1,
            layout.required[0],
            f"this is not a {layout.what} CSV file with a header row{hint}; {layout.describe()}",
        )
        return None
    positions = {}
    for index, name in enumerate(names):
        if UNDECODABLE.search(name):
            problems.add(1, index + 1, f"this column name is not UTF-8 text; {SAVE_AS_UTF8}")
        elif name in known and name in positions:
            problems.add(
                1, name, f"the column appears twice (columns {positions[name] + 1} and {index + 1})"
            )
        elif name in known:
            positions[name] = index
    for column in layout.required:
        if column not in positions:
            problems.add(1, column, "this column is missing")
    if len(problems) > before:
        return None
    return positions


# Cell readers: each returns the parsed value, or None after recording a problem (or when the
# cell was not UTF-8, which is already recorded). An empty optional cell gives its `empty` value.


def read_text(row, column, problems, *, required=True, max_length=None):
    value = row[column]
    if not row.is_readable(column):
        return None
    if not value and required:
        problems.add(row.number, column, "a value is required")
        return None
    if max_length and len(value) > max_length:
        problems.add(
            row.number, column, f"{counted(len(value), 'character')}; at most {max_length} fit"
        )
        return None
    return value


def read_choice(row, column, problems, *, choices, required=True):
    """A key from `choices`, compared without regard to capitals; "" when empty and optional."""
    value = row[column].lower()
    if not row.is_readable(column):
        return None
    if not value:
        if required:
            problems.add(row.number, column, f"a value is required: one of {', '.join(choices)}")
            return None
        return ""
    if value not in choices:
        problems.add(row.number, column, f"{shown(row[column])} is not one of {', '.join(choices)}")
        return None
    return value


def read_date(row, column, problems, *, required=True):
    value = row[column]
    if not row.is_readable(column):
        return None
    if not value:
        if required:
            problems.add(row.number, column, "a date is required (YYYY-MM-DD)")
        return None
    day = parse_iso_date(value)
    if day is not None:
        return day
    problems.add(row.number, column, f"{shown(value)} is not a date in the form YYYY-MM-DD")
    return None


def read_minutes(row, column, problems):
    value = row[column]
    if not row.is_readable(column):
        return None
    if not value:
        problems.add(row.number, column, "a number of minutes is required")
        return None
    if not WHOLE_NUMBER_PATTERN.fullmatch(value) or int(value) == 0:
        problems.add(
            row.number, column, f"{shown(value)} is not a whole number of minutes greater than 0"
        )
        return None
    if int(value) > MAX_MINUTES:
        problems.add(row.number, column, f"{value} minutes is more than a day ({MAX_MINUTES})")
        return None
    return int(value)


def split_list(value):
    """A `;`-separated list: spaces around values and empty values are ignored."""
    return [part.strip() for part in value.split(";") if part.strip()]


def read_key_list(row, column, problems, *, keys, what, required=False):
    """Keys from `keys`, each at most once, in the file's order; `required`: at least one."""
    if not row.is_readable(column):
        return None
    found = []
    ok = True
    for part in split_list(row[column]):
        key = part.lower()
        if key not in keys:
            problems.add(
                row.number, column, f"{shown(part)} is not a {what} (use {';'.join(keys)})"
            )
            ok = False
        elif key in found:
            problems.add(row.number, column, f"{shown(part)} is repeated")
            ok = False
        else:
            found.append(key)
    if ok and required and not found:
        problems.add(
            row.number,
            column,
            f"at least one {what} is required (one to four of {';'.join(keys)})",
        )
        ok = False
    return found if ok else None


@functools.lru_cache(maxsize=65536)
def is_email(value):
    if len(value) > MAX_EMAIL_LENGTH:
        return False
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def read_email(row, column, problems, *, required=True):
    """A lower-case email address; "" when empty and optional."""
    if not row.is_readable(column):
        return None
    value = normalise_email(row[column])
    if not value:
        if required:
            problems.add(row.number, column, "an email address is required")
            return None
        return ""
    if not is_email(value):
        problems.add(row.number, column, f"{shown(row[column])} is not an email address")
        return None
    return value


def read_email_list(row, column, problems):
    """Lower-case email addresses, each at most once, in the file's order."""
    if not row.is_readable(column):
        return None
    found = []
    ok = True
    for part in split_list(row[column]):
        email = normalise_email(part)
        if not is_email(email):
            problems.add(row.number, column, f"{shown(part)} is not an email address")
            ok = False
        elif email in found:
            problems.add(row.number, column, f"{shown(part)} is repeated")
            ok = False
        else:
            found.append(email)
    return found if ok else None
