"""Widgets written in Python write what Django's templates write (core.widgets)."""

import datetime

import pytest
from django import forms

from core.widgets import ManyOptionsSelect, PlainDateInput

CHOICES = [("", "Any"), ("1", "Adults & <Older> People"), ("2", 'The "North" team'), (3, "Three")]


@pytest.mark.parametrize("value", [None, "", "1", "2", 3, "missing"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "filter-team", "class": "select form-select"}, {"required": True, "x": False}],
)
def test_the_same_html_as_djangos_select(value, attrs):
    ours = ManyOptionsSelect(choices=CHOICES).render("team", value, attrs=attrs)
    django = forms.Select(choices=CHOICES).render("team", value, attrs=attrs)
    assert ours == django
    assert "&lt;Older&gt;" in ours  # labels escaped


def test_option_groups_are_left_to_django():
    grouped = [("North", [("1", "One"), ("2", "Two")]), ("South", [("3", "Three")])]
    ours = ManyOptionsSelect(choices=grouped).render("team", "2")
    assert ours == forms.Select(choices=grouped).render("team", "2")
    assert "<optgroup" in ours


def test_a_form_field_renders_with_it():
    class Form(forms.Form):
        team = forms.ChoiceField(choices=CHOICES, widget=ManyOptionsSelect)

    form = Form({"team": "2"}, auto_id="filter-%s")
    assert '<option value="2" selected>The &quot;North&quot; team</option>' in str(form["team"])


@pytest.mark.parametrize("value", [None, "", "2026-01-31", datetime.date(2026, 1, 31), "31/1/x"])
@pytest.mark.parametrize(
    "attrs",
    [None, {"id": "filter-from", "class": "form-control", "aria-describedby": 'x"y'}],
)
def test_the_same_html_as_djangos_date_input(value, attrs):
    ours = PlainDateInput(attrs={"type": "date"}, format="%Y-%m-%d").render("from", value, attrs)
    django = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d").render("from", value, attrs)
    assert ours == django
