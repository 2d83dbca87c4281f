"""A field's choice label as `get_FOO_display()` gives it, from a table made once per field.

Django's `get_FOO_display()` makes a dictionary of the field's choices on every call (about
10 microseconds): the rows of home's lists (`session_row`, `relationship_row`) called it about
a hundred times a page.
"""

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_labels: dict = {}


def label(instance, name: str):
    """`instance.get_<name>_display()`: the label of the value's choice, else the value."""
    field = instance._meta.get_field(name)
    labels = _labels.get(field)
    if labels is None:
        labels = _labels[field] = dict(make_hashable(field.flatchoices))
    value = getattr(instance, field.attname)
    return force_str(labels.get(make_hashable(value), value), strings_only=True)
