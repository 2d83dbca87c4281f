"""The garbage collector as the web workers run it (core.collector)."""

import gc
import importlib

import pytest

from core import collector


@pytest.fixture
def collector_restored():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_settle_freezes_what_is_loaded_and_collects_the_young_less_often(collector_restored):
    gc.unfreeze()
    collector.settle()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold()[0] == collector.YOUNG_THRESHOLD > 700


def test_the_wsgi_application_settles_the_collector(collector_restored, monkeypatch):
    # Django is set up already: loading the module again must not configure logging again.
    monkeypatch.setattr("django.setup", lambda **kwargs: None)
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)
    import supervision.wsgi

    importlib.reload(supervision.wsgi)
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, 10, 10)
