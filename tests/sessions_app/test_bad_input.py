"""No 500 from any input: junk in any field of any recording form gives a message, not an error.

Three layers, the fastest doing the most:

1. The form classes, every field, every junk value: validating never raises; a value that is
   refused has its message on its own field (the page shows it there); what was typed is
   written back into the field escaped.
2. The recording page (sessions_app.recording), new and edit, with junk in each field of the
   session page, without HTTP or templates: a value the forms accept goes on to the services,
   which save it or report a conflict; a refusal always says why; nothing is half-written;
   the live tally takes the same junk.
3. One HTTP smoke test per form: junk posted through the whole stack is answered with the
   page and its error shown, never a server error.
"""

import datetime

import pytest
from django.template.loader import get_template
from django.urls import reverse

from people.forms import FocusForm
from people.selectors import session_candidates
from sessions_app import recording
from sessions_app.forms import (
    AcknowledgeForm,
    ActionFormSet,
    AddendumForm,
    CancelForm,
    FeedbackForm,
    ItemFormSet,
    RescheduleForm,
    ReviewForm,
    SessionForm,
    owner_choices_for,
)
from sessions_app.models import Addendum, Feedback, RecordState, Session, Status
from tests.factories import ActionFactory, SessionFactory
from tests.sessions_app.forms_data import as_post, session_post

pytestmark = pytest.mark.django_db

JUNK = ["", "abc", "-1", "0", "99999999999999999999", "2026-13-45", "\x00", "<script>", "1e3"]


def junked(data, field, value):
    """`data` (a dict as session_post builds it) with `value` in `field`, as a browser posts it."""
    return as_post({**data, field: value})


def messages_of(errors):
    return [str(message) for message in errors]


def assert_clear(messages, where):
    """At least one message, each a sentence a person can read (not a code or an exception)."""
    assert messages, f"refused without a message: {where}"
    for message in messages:
        assert message[:1].isupper() and message.rstrip().endswith("."), (message, where)


def assert_written_back_escaped(bound_field, where):
    html = str(bound_field)
    assert "<script>" not in html, where


# 1. The form classes.


@pytest.fixture
def page_world(supervisor, supervisee, today):
    """A supervisor, their supervisee, and an open action from an earlier session to review."""
    earlier = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=today - datetime.timedelta(days=30)
    )
    action = ActionFactory(session=earlier, owner=supervisee)
    data = session_post(
        supervisee=supervisee,
        date=today,
        items=[
            {
                "title": "Caseload",
                "minutes": 30,
                "functions": ["management", "support"],
                "stages": ["reflection"],
                "stakeholders": ["people"],
                "notes": "Notes",
                "case_ref": "C-1",
                "risk": True,
                "confidential": True,
            }
        ],
        actions=[{"description": "Do it", "owner": "supervisee", "due_date": today}],
        reviews={action.pk: "done"},
    )
    candidates = session_candidates(supervisor, today)
    return {
        "supervisor": supervisor,
        "supervisee": supervisee,
        "candidates": candidates,
        "review_actions": [action],
        "owner_choices": owner_choices_for(
            supervisor=supervisor, present=[supervisee], one_to_one=True
        ),
        "data": data,
    }


MANAGEMENT = ("TOTAL_FORMS", "INITIAL_FORMS")


class SessionPageForms:
    """The four forms of the session page, bound to `data`, and where each field's errors go."""

    def __init__(self, world, data):
        self.form = SessionForm(
            data,
            candidates=world["candidates"],
            supervisor=world["supervisor"],
            supervisees=world["candidates"].exclude(pk=world["supervisor"].pk),
        )
        self.items = ItemFormSet(data, prefix="items")
        self.actions = ActionFormSet(data, prefix="actions", owner_choices=world["owner_choices"])
        self.review = ReviewForm(data, actions=world["review_actions"])

    def is_valid(self):
        return all(
            [
                self.form.is_valid(),
                self.items.is_valid(),
                self.actions.is_valid(),
                self.review.is_valid(),
            ]
        )

    def _formset_and_name(self, field):
        for formset in (self.items, self.actions):
            prefix = f"{formset.prefix}-"
            if field.startswith(prefix):
                return formset, field.removeprefix(prefix)
        return None, field

    def messages_for(self, field):
        formset, name = self._formset_and_name(field)
        if formset is None:
            form = self.review if field.startswith("review_") else self.form
            return messages_of(form.errors.get(field, []))
        if name in MANAGEMENT:
            return messages_of(formset.non_form_errors())
        index, _, name = name.partition("-")
        forms = formset.forms
        if int(index) >= len(forms):
            return []
        return messages_of(forms[int(index)].errors.get(name, []))

    def bound_field(self, field):
        formset, name = self._formset_and_name(field)
        if formset is None:
            form = self.review if field.startswith("review_") else self.form
            return form[field]
        if name in MANAGEMENT:
            return formset.management_form[name]
        index, _, name = name.partition("-")
        forms = formset.forms
        return forms[int(index)][name] if int(index) < len(forms) else None

    def field_names(self):
        names = list(self.form.fields) + list(self.review.fields)
        for formset in (self.items, self.actions):
            names += [f"{formset.prefix}-{n}" for n in MANAGEMENT]
            names += [f"{formset.prefix}-0-{n}" for n in formset.forms[0].fields]
        return names


def test_every_field_of_the_session_page_forms_takes_junk(page_world):
    baseline = SessionPageForms(page_world, as_post(page_world["data"]))
    assert baseline.is_valid()
    fields = baseline.field_names()
    assert {"items-0-functions", "actions-0-owner", "items-0-DELETE", "format"} <= set(fields)
    assert any(name.startswith("attendee_") for name in fields)
    assert any(name.startswith("review_") for name in fields)
    checked = 0
    for field in fields:
        for value in JUNK:
            where = (field, value)
            forms = SessionPageForms(page_world, junked(page_world["data"], field, value))
            if not forms.is_valid():
                # The baseline is valid, so the junk is what was refused: said on its field.
                assert_clear(forms.messages_for(field), where)
            bound = forms.bound_field(field)
            if bound is not None:
                assert_written_back_escaped(bound, where)
            checked += 1
    assert checked == len(fields) * len(JUNK)


def test_session_page_says_which_field_is_wrong_in_words(page_world):
    """The messages a supervisor meets most, in the page's own words."""
    data = page_world["data"]

    def messages(field, value):
        posted = junked(data, field, value)
        if value is None:  # not posted at all, as a browser leaves out unticked boxes
            del posted[field]
        forms = SessionPageForms(page_world, posted)
        assert not forms.is_valid()
        return forms.messages_for(field)

    assert messages("supervisee", "") == ["Choose who this one-to-one session is with."]
    assert messages("items-0-functions", None) == ["Choose at least one function for this item."]
    assert messages("duration_minutes", "99999999999999999999") == [
        "Ensure this value is less than or equal to 720."
    ]
    assert messages("date", "2026-13-45") == ["Enter a valid date."]
    assert messages("items-0-minutes", "0") == ["Ensure this value is greater than or equal to 1."]
    assert messages("items-0-title", "\x00") == ["Null characters are not allowed."]


def bound_form(form_class, data, **kwargs):
    return form_class(as_post(data), **kwargs)


@pytest.fixture
def other_forms(supervisor, supervisee, today):
    shared = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
    )
    feedback = Feedback(session=shared, person=supervisee)
    # (form class, a valid post, keyword arguments)
    return {
        "cancel": (CancelForm, {"cancelled_by": "supervisor", "reason": "Off sick"}, {}),
        "reschedule": (
            RescheduleForm,
            {"date": today.isoformat(), "start_time": "10:00", "reason": "Clash"},
            {},
        ),
        "acknowledge": (AcknowledgeForm, {"response": "agree", "comments": ""}, {}),
        "feedback": (
            FeedbackForm,
            {
                "management": "too_much",
                "development": "about_right",
                "support": "too_little",
                "mediation": "about_right",
                "dominated": "management",
                "wants_more": "support",
                "usefulness": "4",
                "comments": "Helpful",
            },
            {"instance": feedback},
        ),
        "addendum": (AddendumForm, {"text": "A correction"}, {}),
        "focus": (
            FocusForm,
            {"functions": ["support"], "agreed_on": today.isoformat(), "notes": ""},
            {},
        ),
    }


FORMS = ["cancel", "reschedule", "acknowledge", "feedback", "addendum", "focus"]


@pytest.mark.parametrize("name", FORMS)
def test_every_field_of_the_other_forms_takes_junk(other_forms, name):
    form_class, valid, kwargs = other_forms[name]
    assert bound_form(form_class, valid, **kwargs).is_valid(), name
    fields = list(form_class.base_fields)
    assert set(valid) == set(fields)
    for field in fields:
        for value in JUNK:
            where = (name, field, value)
            form = bound_form(form_class, {**valid, field: value}, **kwargs)
            if not form.is_valid():
                assert_clear(messages_of(form.errors.get(field, [])), where)
            assert_written_back_escaped(form[field], where)


@pytest.mark.parametrize("name", FORMS)
def test_junk_in_every_field_at_once_of_the_other_forms(other_forms, name):
    """As a bot posts: one junk value in all the fields together."""
    form_class, valid, kwargs = other_forms[name]
    for value in JUNK:
        form = bound_form(form_class, dict.fromkeys(valid, value), **kwargs)
        if not form.is_valid():
            for field, errors in form.errors.items():
                assert_clear(messages_of(errors), (name, field, value))


# 2. The recording page, without HTTP: what the forms accept reaches the services.

PAGE_FIELDS = [
    "format",
    "group_type",
    "supervisee",
    "status",
    "date",
    "start_time",
    "duration_minutes",
    "mode",
    "version",
    "items-TOTAL_FORMS",
    "items-INITIAL_FORMS",
    "items-0-minutes",
    "items-0-functions",
    "items-0-id",
    "actions-TOTAL_FORMS",
    "actions-0-owner",
    "actions-0-due_date",
    "actions-0-status",
    "actions-0-id",
]


def has_errors(page):
    return bool(
        page.form.errors
        or page.items.total_error_count()
        or page.items.non_form_errors()
        or page.actions.total_error_count()
        or page.review_form.errors
    )


@pytest.mark.parametrize("field", PAGE_FIELDS)
def test_junk_in_a_session_page_field_is_saved_refused_or_a_conflict(supervisor, supervisee, field):
    existing = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    data = session_post(
        supervisee=supervisee,
        version=existing.version,
        items=[{"title": "Item", "minutes": 10}],
        actions=[{"description": "Do it"}],
    )
    card = get_template("sessions_app/session_form.html#tally")
    for value in JUNK:
        for session in (None, existing):
            where = (field, value, "edit" if session else "new")
            posted = junked(data, field, value)
            page = recording.RecordingPage(user=supervisor, session=session, data=posted)
            assert page.submitted
            saved = page.save()
            context = page.context()  # what the page shows, the tally included
            if saved is None:
                assert page.conflict or has_errors(page), where
            else:
                assert isinstance(saved, Session), where
            tally = recording.posted_tally(posted)  # the live tally on the same junk
            assert tally["functions"] and context["tally"]["functions"], where
            assert 'id="tally"' in card.render({"tally": tally})
            existing.refresh_from_db()
    # Nothing half-written: every session saved has its supervisee and at most the one item.
    for session in Session.objects.all():
        assert [a.person for a in session.attendances.all()] == [supervisee]
        assert session.items.count() <= 1


# 3. One HTTP smoke test per form: the whole stack answers junk with the error shown.


def test_new_session_page_answers_junk_with_its_errors(login, supervisor, supervisee):
    client = login(supervisor)
    existing = SessionFactory(supervisor=supervisor, supervisee=supervisee)
    data = session_post(
        supervisee=supervisee,
        version=existing.version,
        items=[{"title": "<script>", "minutes": 10}],
        actions=[{"description": "Do it"}],
    )
    data.update(
        {
            "status": "<script>",
            "date": "2026-13-45",
            "duration_minutes": "99999999999999999999",
            "items-0-minutes": "1e3",
            "actions-0-due_date": "\x00",
            "actions-0-id": "abc",
        }
    )
    for url in (reverse("sessions:new"), reverse("sessions:edit", args=[existing.pk])):
        response = client.post(url, as_post(data))
        assert response.status_code == 200, url
        body = response.content.decode()
        assert "The session is not saved yet" in body
        assert "Select a valid choice. &lt;script&gt; is not one of the available" in body
        assert "Enter a valid date." in body
        assert "Ensure this value is less than or equal to 720." in body
        # The minutes and the action's hidden id: each beside its field and in the summary.
        assert body.count("Enter a whole number.") == 4
        assert "Item 1: Minutes: Enter a whole number." in body
        assert 'value="&lt;script&gt;"' in body and "<script>" not in body
    assert Session.objects.count() == 1


def test_live_tally_answers_junk_with_a_card(login, supervisor, supervisee):
    data = session_post(supervisee=supervisee, items=[{"minutes": 10}])
    data.update({"items-TOTAL_FORMS": "abc", "duration_minutes": "\x00"})
    response = login(supervisor).post(reverse("sessions:tally"), as_post(data))
    assert response.status_code == 200
    assert 'id="tally"' in response.content.decode()


def test_cancel_page_answers_junk_with_its_errors(login, supervisor, supervisee):
    planned = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    response = login(supervisor).post(
        reverse("sessions:cancel", args=[planned.pk]), {"cancelled_by": "abc", "reason": "\x00"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice. abc is not one of the available choices." in body
    assert "Null characters are not allowed." in body
    planned.refresh_from_db()
    assert planned.status == Status.PLANNED


def test_reschedule_page_answers_junk_with_its_errors(login, supervisor, supervisee):
    planned = SessionFactory(supervisor=supervisor, supervisee=supervisee, status=Status.PLANNED)
    response = login(supervisor).post(
        reverse("sessions:reschedule", args=[planned.pk]),
        {"date": "2026-13-45", "start_time": "1e3", "reason": "<script>"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a valid date." in body
    assert "Enter a valid time." in body
    assert Session.objects.count() == 1


@pytest.fixture
def shared(supervisor, supervisee):
    return SessionFactory(
        supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
    )


def test_acknowledge_page_answers_junk_with_its_errors(login, supervisee, shared):
    response = login(supervisee).post(
        reverse("sessions:acknowledge", args=[shared.pk]),
        {"response": "<script>", "comments": "\x00"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice. &lt;script&gt; is not one of the available choices." in body
    assert "Null characters are not allowed." in body
    assert not shared.acknowledgements.exists()


def test_feedback_page_answers_junk_with_its_errors(login, supervisee, shared):
    response = login(supervisee).post(
        reverse("sessions:feedback", args=[shared.pk]),
        {
            "management": "abc",
            "development": "",
            "dominated": "<script>",
            "usefulness": "99999999999999999999",
            "wants_more": "1e3",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice. abc is not one of the available choices." in body
    assert "This field is required." in body
    assert not Feedback.objects.exists()


def test_addendum_answers_junk_with_its_error_and_keeps_markup_as_text(login, supervisor, shared):
    client = login(supervisor)
    url = reverse("sessions:addendum", args=[shared.pk])
    refused = client.post(url, {"text": "\x00"}, follow=True)
    assert refused.status_code == 200
    assert "Write the addendum before adding it." in refused.content.decode()
    assert not Addendum.objects.exists()
    kept = client.post(url, {"text": "<script>alert(1)</script>"}, follow=True)
    assert kept.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in kept.content.decode()


def test_focus_page_answers_junk_with_its_errors(login, supervisor, supervisee):
    relationship = supervisee.supervisor_relationships.get()
    response = login(supervisor).post(
        reverse("people:focus", args=[relationship.pk]),
        {"functions": "<script>", "agreed_on": "2026-13-45", "notes": "\x00"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "Select a valid choice. &lt;script&gt; is not one of the available choices." in body
    assert "Enter a valid date." in body
    assert not relationship.focus_agreements.exists()
