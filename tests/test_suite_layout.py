"""The suite's own arrangements: what keeps `make test` from building a world twice."""

from pathlib import Path

from tests.conftest import MODULE_WORLDS

TESTS = Path(__file__).parent


def test_every_module_with_a_module_world_is_scheduled_whole():
    """A module-scoped fixture split across xdist workers is built once per worker."""
    needle = "fixture(scope=" + '"module"'  # spelt apart, so that this file does not match
    with_module_worlds = {
        path.relative_to(TESTS.parent).as_posix()
        for path in TESTS.rglob("test_*.py")
        if needle in path.read_text()
    }
    assert with_module_worlds == MODULE_WORLDS
