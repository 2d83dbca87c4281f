"""The demo organisation for the tests that read it, built once per test process.

Loading the demo through the services takes seconds. `tests/demo/test_seed_demo.py` and
`tests/demo/test_demo_arrangements.py` both read it, so it is built once and, on SQLite, kept as
a copy of the whole database (SQLite's backup API, into memory): a module that needs the demo
copies it in, and copies the empty database back after its last test, so that no other test
ever sees the demo. Both modules go to the same xdist worker (`WORLDS` in tests/conftest.py).

Elsewhere (PostgreSQL) the demo is loaded in a transaction for each module and rolled back.
"""

import contextlib
import sqlite3
from dataclasses import dataclass, field
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase

from tests.cast import shared_rows


@dataclass
class DemoLoad:
    """What loading the demo printed, and what it asked to run after its commit."""

    output: str = ""
    on_commit_callbacks: list = field(default_factory=list)
    _empty: sqlite3.Connection | None = None
    _loaded: sqlite3.Connection | None = None


def _load(load: DemoLoad) -> None:
    with TestCase.captureOnCommitCallbacks() as callbacks:
        out = StringIO()
        call_command("seed_demo", "--if-empty", stdout=out)
    load.output, load.on_commit_callbacks = out.getvalue(), list(callbacks)


@pytest.fixture(scope="session")
def demo_world(django_db_setup, django_db_blocker):
    """`with demo_world() as load:` the demo is in the database until the block ends."""
    _demo_load = DemoLoad()

    @contextlib.contextmanager
    def loaded():
        if connection.vendor != "sqlite":
            with shared_rows(django_db_blocker):
                _load(_demo_load)
                yield _demo_load
            return
        with django_db_blocker.unblock():
            connection.ensure_connection()
            raw = connection.connection
            if _demo_load._loaded is None:
                _demo_load._empty = sqlite3.connect(":memory:")
                raw.backup(_demo_load._empty)
                with transaction.atomic():
                    _load(_demo_load)
                _demo_load._loaded = sqlite3.connect(":memory:")
                raw.backup(_demo_load._loaded)
            else:
                _demo_load._loaded.backup(raw)
            try:
                yield _demo_load
            finally:
                _demo_load._empty.backup(raw)

    return loaded
