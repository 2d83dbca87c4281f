"""The worked example of INTERFACES.md: a copy of ../shared/examples kept in the repository,
so that a clone tests itself."""

import io
import json
from pathlib import Path

from django.core.management import call_command

EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "worked_example"
PEOPLE_CSV = EXAMPLES / "people.csv"
SESSIONS_CSV = EXAMPLES / "sessions.csv"
EXPECTED_JSON = EXAMPLES / "balance_2026-01-01_2026-03-31.json"


def expected_balance():
    return json.loads(EXPECTED_JSON.read_text(encoding="utf-8"))


def import_example():
    """Load the example the way an organisation would: through the import commands."""
    call_command("import_people", str(PEOPLE_CSV), stdout=io.StringIO())
    call_command("import_sessions", str(SESSIONS_CSV), stdout=io.StringIO())


def contract_part(rows):
    """The report's rows cut down to the keys the expected JSON has: new keys are additions
    to the contract (INTERFACES.md), and every key it has must still be exactly the same."""
    keys = set(expected_balance()[0])
    return [{key: value for key, value in row.items() if key in keys} for row in rows]
