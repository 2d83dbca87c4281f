"""The backup scripts refuse what they cannot do; the row-count comparison names each difference.

The round trip itself (demo -> backup -> restore -> same rows) needs PostgreSQL and runs in
.ci/run (scripts/check_backup_restore.sh).
"""

import importlib.util
import os
import subprocess
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"


def load_compare():
    spec = importlib.util.spec_from_file_location(
        "compare_row_counts", SCRIPTS / "compare_row_counts.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(script, *args, database_url):
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(  # noqa: S603 - our own script, fixed arguments
        [str(SCRIPTS / script), *args], env=env, capture_output=True, text=True, check=False
    )


def test_the_same_counts_are_no_difference():
    assert load_compare().differences({"a": 1, "b": 2}, {"a": 1, "b": 2}) == []


def test_each_difference_is_named():
    problems = load_compare().differences({"a": 1, "b": 2, "c": 0}, {"a": 1, "b": 3, "d": 0})
    assert problems == [
        "b: 2 rows, then 3",
        "c: only in the first database",
        "d: only in the second database",
    ]


def test_backup_needs_a_postgresql_url():
    result = run("backup.sh", database_url="")
    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr
    result = run("backup.sh", database_url="sqlite:////tmp/x.sqlite3")
    assert result.returncode == 2
    assert ".backup FILE" in result.stderr


def test_restore_needs_a_backup_file(tmp_path):
    result = run("restore.sh", str(tmp_path / "missing.dump"), database_url="postgres://h/fourfold")
    assert result.returncode == 2
    assert "no backup file" in result.stderr
