"""Small helpers for the inspection pack's PDF; every number is written by core.numbers."""

from django import template

from core.numbers import plain_text, round_half_away
from core.vocabulary import FUNCTIONS

register = template.Library()

# The four functions' colours, as on the dashboards (audit/_svg_defs.html); every chart also
# writes its figures as text, and a table beside it gives them again.
FUNCTION_COLOURS = {
    "management": "#1b4f8a",
    "development": "#2e7d32",
    "support": "#8e3b8e",
    "mediation": "#a05a00",
}


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag
def functions():
    return FUNCTIONS


@register.filter
def fn_colour(key):
    return FUNCTION_COLOURS.get(key, "#666666")


@register.filter
def decimal2(value):
    """A figure to 2 decimals at most, rounded once, half away from zero: 3.67, 4."""
    return plain_text(round_half_away(value, 2))
