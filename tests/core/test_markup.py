"""Markup written in Python (`core.markup`) escapes exactly as Django's `format_html` does."""

from django import forms
from django.utils import html as django_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy

from core import markup

AWKWARD = [
    '<script>alert("x")</script>',
    "O'Brien & Sons",
    mark_safe("<b>already safe</b>"),
    gettext_lazy("Management"),
    42,
    3.5,
    -0.25,
    1e-07,
    float("inf"),
    float("nan"),
    10**30,
    True,
    None,
    forms.CharField().widget.render("q", "a<b"),
]


def test_format_html_escapes_as_djangos_does():
    for value in AWKWARD:
        ours = markup.format_html("<td title='{}'>{}</td>", value, value)
        assert ours == django_html.format_html("<td title='{}'>{}</td>", value, value)
        assert isinstance(ours, SafeString)
    assert "&lt;script&gt;" in markup.format_html("{}", AWKWARD[0])
    assert markup.format_html("{}", AWKWARD[1]) == "O&#x27;Brien &amp; Sons"


def test_format_html_join_escapes_each_row_as_djangos_does():
    rows = [(value, index) for index, value in enumerate(AWKWARD)]
    ours = markup.format_html_join("\n", "<li>{} ({})</li>", rows)
    assert ours == django_html.format_html_join("\n", "<li>{} ({})</li>", rows)
    assert isinstance(ours, SafeString)
    assert markup.format_html_join("", "{}", []) == ""
