"""`{% url %}` (core.links): Django's addresses, each worked out once and kept by all it
depends on."""

from unittest import mock

import pytest
from django.template import Context, Template
from django.urls import NoReverseMatch, reverse, set_script_prefix

from core import links


def render(source, **context):
    return Template(source).render(Context(context))


@pytest.fixture(autouse=True)
def nothing_kept():
    links._kept.clear()
    yield
    links._kept.clear()
    set_script_prefix("/")


def test_the_address_is_djangos():
    assert render("{% url 'sessions:detail' 7 %}") == reverse("sessions:detail", args=[7])
    assert render("{% url 'sessions:detail' pk=7 %}") == reverse("sessions:detail", args=[7])
    assert render("{% url 'home' %}") == "/"
    assert render("{% url 'sessions:detail' 7 as there %}[{{ there }}]") == "[/sessions/7/]"


def test_each_address_is_worked_out_once():
    with mock.patch.object(links, "reverse", wraps=reverse) as reversing:
        pages = [render("{% url 'sessions:detail' pk %}", pk=pk) for pk in (3, 4, 3, 4, 3)]
    assert pages == ["/sessions/3/", "/sessions/4/"] * 2 + ["/sessions/3/"]
    assert reversing.call_count == 2


def test_an_address_under_another_prefix_is_its_own():
    assert render("{% url 'sessions:detail' 3 %}") == "/sessions/3/"
    set_script_prefix("/fourfold/")
    assert render("{% url 'sessions:detail' 3 %}") == "/fourfold/sessions/3/"


def test_an_object_is_reversed_every_time():
    class Slug:
        def __init__(self, text):
            self.text = text

        def __str__(self):
            return self.text

    slug = Slug("5")
    assert render("{% url 'sessions:detail' s %}", s=slug) == "/sessions/5/"
    slug.text = "6"
    assert render("{% url 'sessions:detail' s %}", s=slug) == "/sessions/6/"


def test_no_such_address_fails_as_djangos_does():
    with pytest.raises(NoReverseMatch):
        render("{% url 'sessions:detail' %}")
    assert render("{% url 'no-such-view' as there %}[{{ there }}]") == "[]"
