"""The recording page: forms bound to a session, what was typed, the tally.

`RecordingPage` binds the session page's four forms (the session, its items, its actions, the
actions brought forward) to a saved session or to what was posted, checks them together and
saves through the services; the views only render it or redirect. `tally_rows` is the balance
card of one session: the recording page (as typed, `posted_tally`) and the record page (as
saved) both show its strings, and every number in it is written by core.numbers.
"""

import json
import uuid
from functools import cached_property

from django.db.models import Prefetch, prefetch_related_objects

from core.clock import today
from core.numbers import minutes_text, percent_text
from core.tally import ItemTags, tally_items
from core.vocabulary import FUNCTION_LABELS, FUNCTIONS, model_layers
from people.models import Relationship
from people.selectors import current_supervisees, session_candidates

from . import selectors, services
from .forms import (
    ATTENDANCE_CHOICES,
    OWNER_OTHER,
    OWNER_SUPERVISEE,
    OWNER_SUPERVISOR,
    ActionFormSet,
    ItemFormSet,
    ReviewForm,
    SessionForm,
    attendee_field_name,
    check_item_minutes,
    owner_choices_for,
)
from .models import Action, ActionReview, Format, Item, Session, Status


def recorded_with():
    """What the page reads of a saved session, in one query each (the record page reads these
    and more: `views._detail_queryset`)."""
    return (
        selectors.attendees(),
        Prefetch("items", queryset=Item.objects.order_by("position", "pk")),
        Prefetch("actions", queryset=Action.objects.select_related("owner", "session")),
        Prefetch("action_reviews", queryset=ActionReview.objects.select_related("action")),
    )


def recording_queryset():
    """The sessions to edit on the page, with what it reads (`recorded_with`)."""
    return Session.objects.select_related("supervisor").prefetch_related(*recorded_with())


class RecordingPage:
    """The session page, new (`session` None) or editing `session`, as saved or as posted.

    `data` is the POST (None for a first look); `query` the GET parameters that prefill a new
    session (format, held, supervisee). Build it, call `save()` when `submitted`, then render
    `context()`.
    """

    def __init__(self, *, user, session=None, data=None, query=None):
        query = query or {}
        self.user = user
        self.session = session
        self.day = day = today()
        if session is not None:  # a no-op for what `recording_queryset` has read already
            prefetch_related_objects([session], *recorded_with())
        attendee_ids = [a.person_id for a in session.attendances.all()] if session else []
        self.candidates = session_candidates(user, day, including=attendee_ids)
        # A one-to-one is with someone this user supervises (or its supervisee as saved).
        one_to_one_ids = attendee_ids if session and session.format == Format.ONE_TO_ONE else []
        self.supervisees = current_supervisees(user, day, including=one_to_one_ids)

        self.adding_item = data is not None and "add_item" in data
        self.adding_action = data is not None and "add_action" in data
        if self.adding_item:
            data = with_extra_form(data, "items")
        if self.adding_action:
            data = with_extra_form(data, "actions")
        self.data = data
        self.conflict = None
        self._valid = None

        if session is None:
            initial = {"format": query.get("format", Format.ONE_TO_ONE), "date": day}
            initial["status"] = Status.HELD if query.get("held") else Status.PLANNED
            initial["duration_minutes"] = 90
            initial["form_token"] = uuid.uuid4()
            supervisee_param = query.get("supervisee", "")
            if supervisee_param.isdigit() and int(supervisee_param) in self.supervisee_ids:
                initial["supervisee"] = int(supervisee_param)
            item_initial, action_initial, review_initial = [], [], {}
        else:
            initial = session_initial(session)
            item_initial = item_initial_rows(session)
            action_initial = action_initial_rows(session)
            review_initial = {
                f"review_{r.action_id}": r.outcome for r in session.action_reviews.all()
            }
        self.initial = initial

        self.form = form = self._session_form(data)
        review_day = form.cleaned_data.get("date") if form.is_bound and form.is_valid() else None
        review_actions = selectors.actions_for_review(
            supervisor=user,
            people_ids=people_for_review(form, session),
            session_date=review_day or (session.date if session else day),
            session=session,
        )
        self.review_form = ReviewForm(data, initial=review_initial, actions=review_actions)

        owner_choices = self._owner_choices(action_initial)
        self.items = ItemFormSet(data, prefix="items", initial=item_initial)
        self.actions = ActionFormSet(
            data, prefix="actions", initial=action_initial, owner_choices=owner_choices
        )

    @cached_property
    def supervisee_ids(self):
        """Whom a one-to-one may be with, by id: `supervisees` read once, for every use."""
        return {person.pk for person in self.supervisees}

    def _session_form(self, data):
        return SessionForm(
            data,
            initial=self.initial,
            candidates=self.candidates,
            supervisor=self.user,
            supervisees=self.supervisees,
            new=self.session is None,
        )

    def _owner_choices(self, action_initial):
        """The supervisor, the people present as known now (as typed, or as saved, or as the
        new page starts), and anyone who owns a saved action; or someone named."""
        form = self.form
        people = {p.pk: p for p in [*form.candidates, *self.supervisees]}
        if form.is_bound:
            fmt = form.data.get("format")
            present_ids = present_people(form)
        else:
            fmt = form.initial.get("format")
            if fmt == Format.GROUP:
                present_ids = [
                    p.pk
                    for p in form.group_people
                    if form[attendee_field_name(p)].value() == "present"
                ]
            else:
                supervisee = form.initial.get("supervisee")
                present_ids = [supervisee] if supervisee else []
        saved_owners = [
            people[int(row["owner"].removeprefix("person:"))]
            for row in action_initial
            if row["owner"].startswith("person:")
            and int(row["owner"].removeprefix("person:")) in people
        ]
        return owner_choices_for(
            supervisor=self.user,
            present=[people[pk] for pk in present_ids if pk in people],
            one_to_one=fmt != Format.GROUP,
            also=saved_owners,
        )

    @property
    def submitted(self):
        """Posted to be saved, not an 'Add an item/action' round trip without JavaScript."""
        return self.data is not None and not (self.adding_item or self.adding_action)

    def is_valid(self):
        """Every form checked, and the checks across them, in one round: whatever else is
        wrong, the items over the duration and the owners who are not in the session are
        reported with it, so that one correction is enough."""
        if self._valid is None:
            form, items, actions = self.form, self.items, self.actions
            checks = [
                form.is_valid(),
                items.is_valid(),
                actions.is_valid(),
                self.review_form.is_valid(),
                check_item_minutes(form, items),
                check_action_owners(form, actions),
            ]
            self._valid = all(checks)
        return self._valid

    def save(self):
        """Save what was posted through the services; the saved session, or None if not saved.

        None when something needs correcting (the errors are on the forms, the services' own
        refusals of the details beside the date) or when someone else saved the session first:
        then `conflict` describes their version, and the form keeps everything typed, set to
        replace theirs when saved again knowingly. An edit this user may not make raises
        access.Refused (403), as the services decide.
        """
        if not self.is_valid():
            return None
        form, user = self.form, self.user
        attendance = form.attendance()
        supervisee_id = (
            form.cleaned_data["supervisee"].pk
            if form.cleaned_data["format"] == Format.ONE_TO_ONE
            else None
        )
        action_data = [
            f.action_data(supervisor=user, supervisee_id=supervisee_id)
            for f in self.actions.kept_forms()
        ]
        try:
            if self.session is None:
                return services.session_create(
                    supervisor=user,
                    details=form.details(),
                    attendance=attendance,
                    items=self.items.item_data(),
                    actions=action_data,
                    reviews=self.review_form.reviews(),
                    creation_token=form.cleaned_data.get("form_token"),
                )
            return services.session_update(
                session=self.session,
                by=user,
                expected_version=form.cleaned_data.get("version") or 0,
                details=form.details(),
                attendance=attendance,
                items=self.items.item_data(),
                actions=action_data,
                reviews=self.review_form.reviews(),
            )
        except services.StaleRecord as stale:
            self.conflict = conflict_context(stale.session)
            # Keep everything typed; the next save, made knowingly, replaces theirs.
            data = self.data.copy()
            data["version"] = str(stale.session.version)
            self.data = data
            self.form = self._session_form(data)
            self.form.is_valid()
            return None
        except services.InvalidSession as invalid:
            self.form.add_error("date", str(invalid))
            return None

    def focus_relationship(self):
        """The relationship with the chosen supervisee, for its agreed focus, if any."""
        form = self.form
        supervisee_id = str(
            (form.data.get("supervisee") if form.is_bound else form.initial.get("supervisee")) or ""
        )
        if not (supervisee_id.isdigit() and int(supervisee_id) in self.supervisee_ids):
            return None
        found = list(
            Relationship.objects.filter(supervisor=self.user, supervisee_id=int(supervisee_id))
            .active_on(self.day)
            .order_by("pk")[:1]
        )
        selectors.attach_latest_focus(found)
        return found[0] if found else None

    def context(self):
        return {
            "session": self.session,
            "relationship": self.focus_relationship(),
            "form": self.form,
            "items": self.items,
            "actions": self.actions,
            "review_form": self.review_form,
            "tally": tally_rows(posted_item_tags(self.items), posted_duration(self.form)),
            "conflict": self.conflict,
            # The error summary: after a save that failed, not after "Add an item" without JS.
            "show_errors": self.submitted and self.conflict is None,
            "attendance_choices": ATTENDANCE_CHOICES,
            "model_layers": model_layers(),
            # Names by id, for the script that offers as owners the people present as typed.
            "people_json": json.dumps(
                {str(p.pk): str(p) for p in [*self.form.candidates, *self.supervisees]}
            ),
        }


def session_initial(session):
    initial = {
        "format": session.format,
        "group_type": session.group_type,
        "status": session.status,
        "date": session.date,
        "start_time": session.start_time,
        "duration_minutes": session.duration_minutes,
        "mode": session.mode,
        "version": session.version,
    }
    attendances = list(session.attendances.all())
    if session.format == Format.ONE_TO_ONE and attendances:
        initial["supervisee"] = attendances[0].person_id
    for a in attendances:
        initial[f"attendee_{a.person_id}"] = "present" if a.present else "absent"
    return initial


def item_initial_rows(session):
    return [
        {
            "id": i.pk,
            "title": i.title,
            "minutes": i.minutes,
            "functions": i.functions,
            "stages": i.stages,
            "stakeholders": i.stakeholders,
            "notes": i.notes,
            "case_ref": i.case_ref,
            "risk": i.risk,
            "confidential": i.confidential,
        }
        for i in session.items.all()
    ]


def action_initial_rows(session):
    supervisee = session.supervisee
    rows = []
    for a in session.actions.all():
        if a.owner_id is None:
            owner = OWNER_OTHER
        elif a.owner_id == session.supervisor_id:
            owner = OWNER_SUPERVISOR
        elif supervisee is not None and a.owner_id == supervisee.pk:
            owner = OWNER_SUPERVISEE
        else:
            owner = f"person:{a.owner_id}"
        rows.append(
            {
                "id": a.pk,
                "description": a.description,
                "owner": owner,
                "owner_name": a.owner_name,
                "due_date": a.due_date,
                "status": a.status,
            }
        )
    return rows


def with_extra_form(data, prefix):
    """The no-JavaScript 'add another' button: the same data with one more empty form."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key, 0)) + 1)
    except ValueError:
        data[key] = "1"
    return data


def people_for_review(form, session):
    """Whose open actions to bring forward: the attendees as posted, else as saved."""
    if form.is_bound and form.is_valid():
        return list(form.attendance())
    if session is not None:
        return [a.person_id for a in session.attendances.all()]
    if form.is_bound:
        return posted_people(form, marks=("present", "absent"))
    supervisee = form.initial.get("supervisee")
    return [supervisee] if supervisee else []


def posted_people(form, marks):
    """The ids of the people as typed in `form`, which did not validate, and only those it
    offers: a group's members marked with one of `marks`, or the one-to-one's supervisee."""
    data = form.data
    if data.get("format") == Format.GROUP:
        return [
            person.pk
            for person in form.group_people
            if data.get(attendee_field_name(person)) in marks
        ]
    value = data.get("supervisee", "")
    offered = {person.pk for person in form.supervisees}
    return [int(value)] if value.isdigit() and int(value) in offered else []


def check_action_owners(form, actions):
    """An action's owner must be the supervisor, someone present, or a named other.

    Checked whatever else is wrong with the page, against the people present as typed.
    """
    ok = True
    fmt = form.cleaned_data.get("format") or form.data.get("format")
    present = set(present_people(form))
    for f in actions.kept_forms():
        owner = f.cleaned_data.get("owner")
        if not owner:
            continue
        if owner == OWNER_SUPERVISEE and fmt == Format.GROUP:
            f.add_error("owner", "In a group session, choose which member owns the action.")
            ok = False
        elif owner.startswith("person:") and int(owner.removeprefix("person:")) not in present:
            f.add_error(
                "owner", "The owner must be you, someone present at this session, or someone named."
            )
            ok = False
    return ok


def present_people(form):
    """The ids of the people present, as typed: from the valid form, else from what was posted
    (only people the form offers)."""
    if not form.is_bound:
        return []
    if form.is_valid():
        return [pk for pk, present in form.attendance().items() if present]
    return posted_people(form, marks=("present",))


def conflict_context(current):
    """Who saved `current` last, when, and what it now holds: shown beside what was typed."""
    latest = current.history.select_related("history_user").first()
    return {
        "session": current,
        "changed_by": latest.history_user if latest else None,
        "changed_at": latest.history_date if latest else current.updated_at,
        "items": list(current.items.order_by("position", "pk")),
    }


def posted_item_tags(items):
    """(minutes, functions) for each item still on the page, typed or saved.

    Only what could be an item counts: whole minutes of at least 1, known functions.
    """
    rows = []
    for f in items.forms:
        if f.is_bound:
            if f.data.get(f.add_prefix("DELETE")):
                continue
            minutes = f.data.get(f.add_prefix("minutes"), "")
            functions = f.data.getlist(f.add_prefix("functions"))
        else:
            minutes = f.initial.get("minutes", "")
            functions = f.initial.get("functions", [])
        minutes = _whole_number(minutes)
        if minutes is None or minutes < 1:
            continue
        rows.append((minutes, sorted({fn for fn in functions if fn in FUNCTIONS})))
    return rows


def posted_duration(form):
    """The session's duration as typed (or saved), when it is a whole number."""
    if form.is_bound:
        return _whole_number(form.data.get("duration_minutes"))
    return _whole_number(form.initial.get("duration_minutes"))


def posted_tally(data):
    """The balance card for the session page's data as typed so far; nothing is saved."""
    items = ItemFormSet(data, prefix="items")
    return tally_rows(posted_item_tags(items), _whole_number(data.get("duration_minutes")))


def _whole_number(raw):
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def tally_rows(items, duration):
    """The balance card of one session: `items` as (minutes, functions), `duration` or None.

    Minutes per function by the audit's own rule (m / k to each of an item's k functions);
    shares of the TAGGED minutes (items with at least one function), as the audit counts
    them, and none while nothing is tagged; unallocated: the duration less every item's
    minutes. Every number is written by core.numbers, so the page and the record agree.
    """
    items = list(items)
    tally = tally_items(
        ItemTags(minutes, frozenset(functions)) for minutes, functions in items if functions
    )
    total = sum(minutes for minutes, _functions in items)
    shares = tally.shares
    untagged = total - tally.tagged
    return {
        "functions": [
            {
                "key": fn,
                "label": FUNCTION_LABELS[fn],
                "minutes": minutes_text(tally.by_function[fn]),
                "share": percent_text(shares[fn]) if shares else None,
            }
            for fn in FUNCTIONS
        ],
        "tagged": minutes_text(tally.tagged),
        "untagged": minutes_text(untagged) if untagged else None,
        "total": total,
        "duration": duration,
        "unallocated": (duration - total) if duration is not None else None,
    }
