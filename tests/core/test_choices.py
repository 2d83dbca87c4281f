"""`core.choices.label` says what Django's `get_FOO_display()` says, for every field with
choices in every app of ours, each choice and a value that is none of them."""

import pytest
from django.apps import apps

from core.choices import label

OURS = ("people", "sessions_app", "audit", "imports", "privacy", "inspection", "outbox", "api")


def fields_with_choices():
    for app in OURS:
        try:
            config = apps.get_app_config(app)
        except LookupError:
            continue
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if field.choices and not field.is_relation:
                    yield pytest.param(model, field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize(("model", "field"), list(fields_with_choices()))
def test_label_is_the_display_of_every_choice_and_of_a_stray_value(model, field):
    instance = model()
    display = getattr(instance, f"get_{field.name}_display")
    values = [value for value, _label in field.flatchoices]
    stray = 987654 if isinstance(values[0], int) else "not-a-choice"
    for value in [*values, stray, None]:
        setattr(instance, field.attname, value)
        assert label(instance, field.name) == display(), value


def test_the_session_fields_are_among_those_checked():
    checked = {param.id for param in fields_with_choices()}
    assert {"Session.status", "Session.mode", "Relationship.frequency"} <= checked
