"""Fixtures for the import tests: CSV files written to tmp_path."""

import pytest

from tests.imports.helpers import PEOPLE_HEADER, SESSIONS_HEADER, csv_text


@pytest.fixture
def write_file(tmp_path):
    """Write `content` (str as UTF-8, or bytes) to a new file and return its path."""
    made = []

    def write(content, name=None):
        path = tmp_path / (name or f"file{len(made)}.csv")
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        made.append(path)
        return path

    return write


@pytest.fixture
def people_file(write_file):
    def make(rows, header=PEOPLE_HEADER):
        return write_file(csv_text(header, rows))

    return make


@pytest.fixture
def sessions_file(write_file):
    def make(rows, header=SESSIONS_HEADER):
        return write_file(csv_text(header, rows))

    return make
