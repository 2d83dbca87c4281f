"""Any values in any form: `is_valid()` answers yes or no, and never raises.

Every form class (and formset) of the apps' forms modules is found by looking, so a new form is
covered the day it is added; one that needs a constructor argument the table below does not know
fails `test_every_form_can_be_built_here` until it is taught how to build it.
"""

import datetime
import inspect
from types import ModuleType

import pytest
from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

import audit.forms
import imports.forms
import people.forms
import privacy.forms
import sessions_app.forms
from core import clock
from people.models import User
from tests.factories import ActionFactory, SessionFactory
from tests.robustness.hostile import HOSTILE_SETTINGS, hostile_values, texts

pytestmark = pytest.mark.django_db

FORM_MODULES = [sessions_app.forms, people.forms, audit.forms, imports.forms, privacy.forms]


def _defined_in(module: ModuleType):
    for obj in vars(module).values():
        if not isinstance(obj, type):
            continue
        if issubclass(obj, forms.BaseForm) and obj.__module__ == module.__name__:
            yield obj
        elif issubclass(obj, forms.BaseFormSet) and getattr(obj, "form", None) is not None:
            yield obj  # a formset_factory() class, named in the module


FORM_CLASSES = sorted(
    {cls for module in FORM_MODULES for cls in _defined_in(module)},
    key=lambda cls: f"{cls.__module__}.{cls.__name__}",
)


@pytest.fixture
def arguments(supervisor, supervisee, other_supervisee, team):
    """What each constructor argument is, by name, as the views pass it."""
    session = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    return {
        "candidates": User.objects.filter(pk__in=[supervisee.pk, other_supervisee.pk]),
        "supervisees": User.objects.filter(pk__in=[supervisee.pk, other_supervisee.pk]),
        "supervisor": supervisor,
        "owner_choices": sessions_app.forms.owner_choices_for(
            supervisor=supervisor, present=[supervisee], one_to_one=True
        ),
        "actions": [ActionFactory(session=session, owner=supervisee)],
        "today": clock.today(),
        "teams": [team],
        "team": None,
        "request": _sign_in_request(),
        # The answer to a focus request: whether the supervisee proposed a focus to agree.
        "proposal": True,
    }


def _sign_in_request():
    request = RequestFactory().post("/accounts/login/")
    request.session = SessionStore()
    request.user = AnonymousUser()
    return request


def _keyword_arguments(cls, arguments):
    """The keyword arguments of `cls` that the table knows; every required one must be there."""
    kwargs = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if parameter.kind != parameter.KEYWORD_ONLY:
            continue
        if name in arguments:
            kwargs[name] = arguments[name]
        elif parameter.default is parameter.empty:
            raise LookupError(f"{cls.__name__} needs {name}=: add it to `arguments`")
    return kwargs


def build(cls, arguments, data=None, files=None):
    kwargs = _keyword_arguments(cls, arguments)
    if issubclass(cls, LoginForm):
        # allauth's forms take the request as a keyword of **kwargs, as its views pass it.
        kwargs["request"] = arguments["request"]
    if issubclass(cls, forms.BaseFormSet):
        return cls(data, files, prefix="set", **kwargs)
    if "files" in inspect.signature(cls.__init__).parameters or _takes_args(cls):
        return cls(data, files, **kwargs)
    return cls(data, **kwargs)


def _takes_args(cls):
    return any(
        p.kind == p.VAR_POSITIONAL for p in inspect.signature(cls.__init__).parameters.values()
    )


def plausible(field):
    """Values close to what the field expects, near its edges."""
    if isinstance(field, forms.EmailField):
        return st.sampled_from(["sam@example.org", "SAM@Example.ORG", "nobody@example.org"])
    if isinstance(field, forms.ModelChoiceField):
        keys = [str(pk) for pk in field.queryset.values_list("pk", flat=True)]
        return st.sampled_from([*keys, "0", "-1", "99999999999999999999"])
    if isinstance(field, forms.ChoiceField):
        keys = [str(key) for key, _label in field.choices] or ["x"]
        return st.sampled_from(keys)
    if isinstance(field, forms.DateField):
        return st.one_of(
            st.dates().map(datetime.date.isoformat),
            st.sampled_from(["0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30"]),
        )
    if isinstance(field, forms.TimeField):
        return st.sampled_from(["00:00", "23:59", "24:00", "12:60", "9", "-1:00"])
    if isinstance(field, forms.IntegerField):
        low, high = field.min_value, field.max_value
        return st.one_of(
            st.integers(min_value=low if low is not None else -5, max_value=high or 500).map(str),
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.sampled_from(["1e309", "NaN", "inf", "0x10", "٣"]),
        )
    if isinstance(field, forms.BooleanField):
        return st.sampled_from(["on", "true", "false", "0", ""])
    if isinstance(field, forms.CharField):
        return texts(60)
    return hostile_values()


def field_values(field):
    """The values a POST carries for one field: often one plausible value, sometimes anything."""
    if isinstance(field, forms.MultipleChoiceField):
        keys = [str(key) for key, _label in field.choices]
        sensible = st.lists(st.sampled_from(keys), max_size=len(keys), unique=True)
    else:
        sensible = plausible(field).map(lambda value: [value])
    return st.one_of(
        sensible, sensible, st.lists(st.one_of(plausible(field), hostile_values()), max_size=3)
    )


def _query_dict(values):
    data = QueryDict(mutable=True)
    for name, value_list in values.items():
        data.setlist(name, value_list)
    return data


# Strategies that do not depend on the form, built once: Hypothesis checks every strategy it is
# given, so building them anew in each example costs more than the example itself.
MANAGEMENT_VALUE = st.one_of(st.integers(-2, 4).map(str), st.sampled_from(["99999", "x", ""]))
FORMS_IN_A_SET = st.integers(0, 3)
STRAY_NAMES = st.lists(st.sampled_from(["extra", "\x00", "csrfmiddlewaretoken"]))
HOSTILE_VALUE = hostile_values()
UPLOAD_NAME = st.sampled_from(["people.csv", "", "../../x.csv", "a\x00.csv", "é.txt"])
UPLOAD_BYTES = st.binary(min_size=1, max_size=200)
SOMETIMES = st.booleans()


def post_shape(cls, arguments):
    """What a POST to `cls` can carry, with each field's strategy, read once from the empty form."""
    empty = build(cls, arguments)
    if isinstance(empty, forms.BaseFormSet):
        management = empty.management_form
        template = empty.empty_form
        return {
            "formset": True,
            "management": [
                management.add_prefix(name)
                for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
            ],
            "prefix": empty.prefix,
            "fields": [(name, field_values(field)) for name, field in template.fields.items()],
        }
    fields = empty.fields.items()
    return {
        "formset": False,
        "fields": [
            (empty.add_prefix(name), field.required, field_values(field))
            for name, field in fields
            if not isinstance(field, forms.FileField)
        ],
        "files": [
            (name, field.required) for name, field in fields if isinstance(field, forms.FileField)
        ],
    }


@st.composite
def posted(draw, shape):
    """A POST body (and files) for a form of `shape`: every field, perhaps left out, perhaps
    repeated."""
    values = {}
    if shape["formset"]:
        for name in shape["management"]:
            values[name] = [draw(MANAGEMENT_VALUE)]
        for index in range(draw(FORMS_IN_A_SET)):
            for name, strategy in shape["fields"]:
                values[f"{shape['prefix']}-{index}-{name}"] = draw(strategy)
    else:
        for name, required, strategy in shape["fields"]:
            if required or draw(SOMETIMES):
                values[name] = draw(strategy)
    # A stray parameter or two, as a tampered request carries.
    for name in draw(STRAY_NAMES):
        values[name] = [draw(HOSTILE_VALUE)]
    files = {}
    if not shape["formset"]:
        for name, required in shape["files"]:
            if required or draw(SOMETIMES):
                files[name] = SimpleUploadedFile(
                    draw(UPLOAD_NAME) or "upload",
                    draw(UPLOAD_BYTES),
                )
    return _query_dict(values), files


def test_every_form_can_be_built_here(arguments):
    assert FORM_CLASSES, "no form classes found"
    for cls in FORM_CLASSES:
        build(cls, arguments)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_any_values_in_any_form_are_valid_or_invalid_never_an_exception(cls, arguments):
    @settings(HOSTILE_SETTINGS, max_examples=25)
    @given(body=posted(post_shape(cls, arguments)))
    def check(body):
        data, files = body
        form = build(cls, arguments, data, files)
        assert form.is_valid() in (True, False)
        # What the page then shows: the errors, and the form again.
        str(form.errors)
        if isinstance(form, audit.forms.AuditFilterForm):
            form.filters()

    check()
