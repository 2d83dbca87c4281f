"""The suite's own arrangements: what keeps `make test` from building a world twice."""

from pathlib import Path

from tests.conftest import WORLDS

TESTS = Path(__file__).parent


def test_every_module_with_a_module_world_is_scheduled_whole():
    """A module-scoped fixture split across xdist workers is built once per worker."""
    needle = "fixture(scope=" + '"module"'  # spelt apart, so that this file does not match
    with_module_worlds = {
        path.relative_to(TESTS.parent).as_posix()
        for path in TESTS.rglob("test_*.py")
        if needle in path.read_text()
    }
    assert with_module_worlds <= WORLDS.keys()


def test_the_modules_that_read_the_demo_share_one_build():
    """tests/demo/conftest.py keeps one copy of the demo per worker: its readers go together."""
    readers = {
        path.relative_to(TESTS.parent).as_posix()
        for path in TESTS.rglob("test_*.py")
        if "demo_world" in path.read_text() and path.name != Path(__file__).name
    }
    assert readers
    assert {WORLDS.get(reader) for reader in readers} == {"demo"}


def test_every_world_names_a_module_that_exists():
    assert all((TESTS.parent / path).is_file() for path in WORLDS)
