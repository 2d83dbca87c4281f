"""The frozen clock, and a small fixed cast (STYLE.md): who is who in every access test."""

import datetime
import gc
import logging
import os
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.test.utils import override_settings

from core import clock
from core.middleware import SESSION_TOUCHED_KEY
from tests.cast import (
    make_administrator,
    make_manager,
    make_other_manager,
    make_other_supervisee,
    make_other_supervisor,
    make_other_team,
    make_outsider,
    make_supervisee,
    make_supervisor,
    make_team,
)

# The moment every test runs at, in the organisation's time zone: a Wednesday, unless
# FOURFOLD_TEST_NOW says otherwise (.ci/run reruns the date-sensitive tests, marked `dated`,
# on a Sunday, a Monday, 29 February, 31 December and the nights the clocks change).
DEFAULT_TEST_NOW = "2026-11-25T10:30"


# The tests whose answers depend on what day it is: .ci/run runs these at each of the dates above.
# Modules whose tests share a world built once (a module-scoped fixture, or the demo of
# tests/demo/conftest.py): with -n each module here goes whole to one worker, with the other
# modules of the same world, so the world is built once (pytest_xdist_make_scheduler below).
# tests/test_suite_layout.py keeps this complete.
WORLDS = {
    "tests/test_access_matrix.py": "access matrix",
    "tests/test_content_matrix.py": "content matrix",
    "tests/people/test_sso.py": "identity provider",
    "tests/audit/test_scale_equivalence.py": "seeded 30 x 3 years",
    "tests/demo/test_seed_bulk.py": "seeded 30 x 2 years",
    "tests/demo/test_demo_arrangements.py": "demo",
    "tests/demo/test_seed_demo.py": "demo",
    # Not a fixture: WeasyPrint loads pango and the fonts once per process (about 0.7 s), so
    # the module that draws real PDFs draws them all on one worker.
    "tests/inspection/test_pack.py": "WeasyPrint",
}

DATED_MODULES = {
    "tests.demo.test_seed_demo",
    "tests.demo.test_demo_arrangements",
    "tests.sessions_app.test_reminders",
    "tests.sessions_app.test_home",
    "tests.sessions_app.test_exports",
    "tests.sessions_app.test_record_session",
    "tests.audit.test_pages",
    "tests.audit.test_pages_focus",
    "tests.audit.test_pages_filters",
    "tests.audit.test_policy_admin",
    "tests.audit.test_selectors",
    "tests.audit.test_balance",
    "tests.audit.test_balance_report",
    "tests.test_access_matrix",
    "tests.privacy.test_retention",
}


TEST_SESSION_ENGINE = "django.contrib.sessions.backends.cache"
# The backend a password sign-in goes through (people.security.LockoutBackend lets it in).
SIGN_IN_BACKEND = "allauth.account.auth_backends.AuthenticationBackend"
# What supervision/settings.py configures, read before pytest_configure replaces it.
PRODUCTION_SESSION_ENGINE = settings.SESSION_ENGINE

TEST_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


def frozen_moment():
    raw = os.environ.get("FOURFOLD_TEST_NOW") or DEFAULT_TEST_NOW
    return datetime.datetime.fromisoformat(raw).replace(tzinfo=ZoneInfo(settings.TIME_ZONE))


def pytest_configure(config):
    # Real hashing costs ~0.3 s a password; tests need a password, not its strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Managers and administrators must set up two-step sign-in (MFA_REQUIRED_FOR); the cast
    # has none, so tests not about it run without the requirement. tests/people turn it on.
    settings.MFA_REQUIRED_FOR = []
    # Sessions in the local-memory cache, not in the database: every request reads its session
    # (and saves it when its expiry moves on, core.middleware.keep_sessions_alive) and every
    # sign-in cycles it, about an eighth of the run's time on the request-heavy modules.
    # Production keeps sessions in the database (tests/deploy checks it), and the tests about
    # signing in and sessions use that engine (tests/people/conftest.py).
    settings.SESSION_ENGINE = TEST_SESSION_ENGINE
    # No test reads the real clock: the whole run starts at one fixed moment and ticks on
    # from it, so "today" is the same date on any day the suite runs.
    time_machine.travel(frozen_moment(), tick=True).start()
    # Tasks (the outbox's sending) run at once, in the test, when enqueued: a queued email is
    # in `mailoutbox` as soon as its transaction commits. The worker's own database backend
    # is tested in tests/sessions_app/test_worker.py.
    override_settings(TASKS=TEST_TASKS).enable()


def pytest_collection_finish(session):
    """Fewer, later garbage collections: the suite makes millions of short-lived ORM objects,
    and with Python's default threshold (a collection every 700 allocations) about 7% of its
    time went to collecting them. What is loaded by now (Django, the apps, the test modules)
    lives for the whole run, so it is frozen out of every collection."""
    _log_handlers[:] = _configured_log_handlers()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 10, 10)


# CPython (3.11 and later) keeps its frames on a stack of chunks of 16 KiB and returns a chunk
# to the system (munmap) as soon as the stack unwinds below it. A Django request runs about as
# deep as a chunk, so each test crossed a boundary back and forth thousands of times: 100,000
# mmap/munmap pairs in tests/audit/test_pages.py alone, about a ninth of the suite's CPU as
# system time. Each test's setup and call therefore start at the bottom of a fresh chunk of
# 128 KiB, opened by a frame of 8,300 locals: everything the test calls fits in what is left.
_HEADROOM_LOCALS = 8300
_namespace = {}
exec(  # noqa: S102 - the source is the line below, written here
    "def _with_headroom(call):\n    "
    + " = ".join(f"_{i}" for i in range(_HEADROOM_LOCALS))
    + " = None\n    return call()\n",
    _namespace,
)
_with_headroom = _namespace["_with_headroom"]


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # pytest's own hook then finds the item set up already and does nothing more.
    _with_headroom(lambda: item.session._setupstate.setup(item))


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    from _pytest.python import pytest_pyfunc_call as call_the_test

    return _with_headroom(lambda: call_the_test(pyfuncitem))


# The logging handlers Django configured at start-up, set aside in pytest_collection_finish.
_log_handlers = []


def _is_pytests(handler):
    """pytest's own capturing handlers, added around each phase of each test."""
    return type(handler).__module__.startswith("_pytest")


def _configured_log_handlers():
    return [h for h in logging.getLogger().handlers if not _is_pytests(h)]


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item):
    """A test that sets Django up again (ManagementUtility, django.setup()) configures logging
    again, and the new console handler writes to that test's captured stderr, closed when the
    test ends: every later log line of the process then fails and prints its stack instead
    (a few seconds of the run, and no log). Caught here, at the test that did it."""
    if _log_handlers and _configured_log_handlers() != _log_handlers:
        root = logging.getLogger()
        root.handlers[:] = [*_log_handlers, *(h for h in root.handlers if _is_pytests(h))]
        pytest.fail(f"{item.nodeid} configured logging again (django.setup()?): patch it out")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.module is not None and item.module.__name__ in DATED_MODULES:
            item.add_marker(pytest.mark.dated)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """With -n, each test class goes whole to one worker, and so do the modules that share a
    world (`WORLDS`); every other test goes alone, which balances the workers best.

    A class or a module may build its world once for all its tests (a class- or module-scoped
    fixture: the demo, the access matrix's cast, the audit pages' grown team); split between
    two workers it would be built twice. xdist's --dist loadgroup would do this with a mark,
    but with pytest 9.2 it no longer groups (pytest-xdist#1386). --dist options other than the
    default are left as they are.
    """
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class ClassesTogether(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            parts = nodeid.split("::")
            if parts[0] in WORLDS:
                return WORLDS[parts[0]]
            if len(parts) > 2:
                return "::".join(parts[:2])
            return nodeid

    return ClassesTogether(config, log)


@pytest.fixture
def today():
    """Today, as the product sees it (core.clock, frozen for the run)."""
    return clock.today()


@pytest.fixture
def team(db):
    return make_team()


@pytest.fixture
def other_team(db):
    return make_other_team()


@pytest.fixture
def supervisor(team):
    return make_supervisor(team)


@pytest.fixture
def supervisee(team, supervisor):
    return make_supervisee(team, supervisor)


@pytest.fixture
def other_supervisee(team, supervisor):
    return make_other_supervisee(team, supervisor)


@pytest.fixture
def other_supervisor(other_team):
    return make_other_supervisor(other_team)


@pytest.fixture
def manager(team):
    return make_manager(team)


@pytest.fixture
def other_manager(other_team):
    return make_other_manager(other_team)


@pytest.fixture
def administrator(db):
    return make_administrator()


@pytest.fixture
def outsider(db):
    return make_outsider()


def sign_in_as(client, user):
    """`client` (a test client) signed in as `user`, and returned.

    The session is written as signing in leaves it (the user, the backend that let them in and
    their password's hash), without going through the sign-in: the password check and the
    sign-in's records (the lockout counter's success, the security log, last_login) belong to
    the tests of signing in (tests/people), which sign in through the form. Django's
    `force_login` runs those records (a few milliseconds a time: the access matrix spent a
    third of its time signing in)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    session[BACKEND_SESSION_KEY] = SIGN_IN_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    # As the sign-in's response leaves it: its expiry just moved on (keep_sessions_alive).
    session[SESSION_TOUCHED_KEY] = int(clock.now().timestamp())
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    return client


@pytest.fixture
def login(client):
    """`login(user)`: the test client signed in as `user` (`sign_in_as`), and returned."""
    return lambda user: sign_in_as(client, user)
