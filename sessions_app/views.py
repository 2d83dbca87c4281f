"""Recording supervision: the supervisor's home, the session record and its changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.clock import today
from core.numbers import minutes_text, percent_text
from core.tally import ItemTags, tally_items
from core.vocabulary import FUNCTION_LABELS, FUNCTIONS
from people.models import Relationship, group_sessions_count
from people.selectors import session_candidates

from . import records, selectors, services
from .access import (
    Audience,
    content_readable_sessions,
    get_session_for_read,
    own_records,
)
from .forms import (
    ATTENDANCE_CHOICES,
    OWNER_OTHER,
    OWNER_SUPERVISEE,
    OWNER_SUPERVISOR,
    AcknowledgeForm,
    ActionFormSet,
    AddendumForm,
    CancelForm,
    FeedbackForm,
    ItemFormSet,
    RescheduleForm,
    ReviewForm,
    SessionForm,
    attendee_field_name,
    check_item_minutes,
    owner_choices_for,
)
from .history import record_history
from .models import (
    Acknowledgement,
    Action,
    ActionReview,
    Addendum,
    Attendance,
    Feedback,
    Format,
    Item,
    Session,
    Status,
)
from .roles import roles_of
from .selectors import supervisee_relationships, supervisor_relationships


@login_required
def home(request):
    """'My supervision': what needs doing now, for each role the person holds."""
    user = request.user
    day = today()
    group_counts = group_sessions_count()
    relationships = _with_due_dates(
        supervisee_relationships(user, day, group_counts=group_counts), day, group_counts
    )
    my_supervisors = _with_due_dates(
        supervisor_relationships(user, day, group_counts=group_counts), day, group_counts
    )
    my_records = list(
        selectors.with_people(own_records(user))
        .annotate(
            i_was_present=Exists(
                Attendance.objects.filter(session=OuterRef("pk"), person=user, present=True)
            )
        )
        .prefetch_related(
            Prefetch(
                "acknowledgements",
                queryset=Acknowledgement.objects.filter(person=user),
                to_attr="my_acknowledgements",
            )
        )
        .order_by("-date", "-pk")[:10]
    )
    context = {
        "today": day,
        "relationships": relationships,
        "upcoming": list(selectors.upcoming_led_by(user, day)),
        "recent": list(selectors.recent_led_by(user, day)),
        "my_supervisors": my_supervisors,
        "my_records": my_records,
        "my_upcoming": list(selectors.upcoming_for(user, day)),
        "my_actions": list(
            Action.objects.open()
            .filter(owner=user, session__in=content_readable_sessions(user))
            .select_related("session__supervisor")
            .order_by("due_date", "pk")
        ),
    }
    return render(request, "sessions_app/home.html", context)


def _with_due_dates(relationships, day, group_counts):
    """Each relationship's next due date and days overdue today, by the one overdue rule."""
    relationships = list(relationships)
    for rel in relationships:
        gap = rel.gap_to(day, rel.last_held, group_counts=group_counts)
        rel.next_due = gap.next_due
        rel.overdue_days = gap.days_over
        rel.focus = next(iter(rel.focus_agreements.all()), None)
    return relationships


@login_required
def session_list(request):
    """Every session the user leads, newest first, optionally by status."""
    sessions = selectors.with_people(Session.objects.led_by(request.user))
    status = request.GET.get("status", "")
    if status in Status.values:
        sessions = sessions.filter(status=status)
    page = Paginator(sessions.order_by("-date", "-start_time", "-pk"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sessions_app/session_list.html",
        {"page": page, "status": status, "statuses": Status.choices},
    )


def _detail_queryset():
    return Session.objects.select_related("supervisor", "rescheduled_to").prefetch_related(
        Prefetch("attendances", queryset=Attendance.objects.select_related("person")),
        Prefetch("items", queryset=Item.objects.order_by("position", "pk")),
        Prefetch("actions", queryset=Action.objects.select_related("owner", "session")),
        Prefetch("action_reviews", queryset=ActionReview.objects.select_related("action")),
        Prefetch("acknowledgements", queryset=Acknowledgement.objects.select_related("person")),
        Prefetch("feedback", queryset=Feedback.objects.select_related("person")),
        Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
    )


def _relationship_focus(session):
    """The supervision agreement and latest focus between a one-to-one's pair, if any."""
    supervisee = session.supervisee
    if supervisee is None:
        return None
    return (
        Relationship.objects.filter(supervisor_id=session.supervisor_id, supervisee=supervisee)
        .active_on(session.date)
        .prefetch_related("focus_agreements")
        .first()
    )


@login_required
def session_detail(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    # Managers and administrators read records too; every such read is on record.
    records.record_read_log(session=session, by=request.user)
    acknowledged = {a.person_id: a for a in session.acknowledgements.all()}
    answering = [a.person for a in access.attendances if a.person_id in access.acknowledger_ids]
    context = {
        "session": session,
        "access": access,
        "items": [(item, access.item_is_hidden(item)) for item in session.items.all()],
        "tally": _tally_rows(
            [(i.minutes, i.functions) for i in session.items.all()], session.duration_minutes
        ),
        "acknowledgement_rows": [(p, acknowledged.get(p.pk)) for p in answering],
        "visible_feedback": access.visible_feedback(session.feedback.all()),
        "addendum_form": AddendumForm(),
        "audience": Audience(session) if access.can_add_addendum else None,
        "relationship": _relationship_focus(session),
        "history": record_history(session, access) if access.can_read_content else [],
    }
    return render(request, "sessions_app/session_detail.html", context)


@login_required
def session_new(request):
    """Schedule a session or record one that was held, on one page."""
    roles = roles_of(request.user)
    # Managers can run team sessions even when they supervise nobody individually.
    if not (roles.supervisor or roles.manager):
        return render(request, "sessions_app/no_role.html", status=200)
    return _session_form_page(request, session=None)


@login_required
def session_edit(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("edit")
    return _session_form_page(request, session=session)


def _session_initial(session):
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


def _item_initial(session):
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


def _action_initial(session):
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


def _with_extra_form(data, prefix):
    """The no-JavaScript 'add another' button: the same data with one more empty form."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(int(data.get(key, 0)) + 1)
    except ValueError:
        data[key] = "1"
    return data


def _people_for_review(form, session):
    """Whose open actions to bring forward: the attendees as posted, else as saved."""
    if form.is_bound and form.is_valid():
        return list(form.attendance())
    if session is not None:
        return [a.person_id for a in session.attendances.all()]
    if form.is_bound:
        return _posted_people(form.data, form)
    supervisee = form.initial.get("supervisee")
    return [supervisee] if supervisee else []


def _session_form_page(request, *, session):
    user = request.user
    day = today()
    attendee_ids = [a.person_id for a in session.attendances.all()] if session else []
    candidates = session_candidates(user, day, including=attendee_ids)

    data = request.POST if request.method == "POST" else None
    adding_item = data is not None and "add_item" in data
    adding_action = data is not None and "add_action" in data
    if adding_item:
        data = _with_extra_form(data, "items")
    if adding_action:
        data = _with_extra_form(data, "actions")

    if session is None:
        initial = {"format": request.GET.get("format", Format.ONE_TO_ONE), "date": day}
        initial["status"] = Status.HELD if request.GET.get("held") else Status.PLANNED
        initial["duration_minutes"] = 90
        supervisee_param = request.GET.get("supervisee", "")
        if supervisee_param.isdigit() and candidates.filter(pk=supervisee_param).exists():
            initial["supervisee"] = int(supervisee_param)
        item_initial, action_initial, review_initial = [], [], {}
    else:
        initial = _session_initial(session)
        item_initial = _item_initial(session)
        action_initial = _action_initial(session)
        review_initial = {f"review_{r.action_id}": r.outcome for r in session.action_reviews.all()}

    form = SessionForm(
        data,
        initial=initial,
        candidates=candidates,
        supervisor=user,
    )
    people_ids = _people_for_review(form, session)
    review_day = form.cleaned_data.get("date") if form.is_bound and form.is_valid() else None
    review_actions = selectors.actions_for_review(
        supervisor=user,
        people_ids=people_ids,
        session_date=review_day or (session.date if session else day),
        session=session,
    )
    review_form = ReviewForm(data, initial=review_initial, actions=review_actions)

    people = [p for p in candidates if p.pk != user.pk]
    owner_choices = owner_choices_for(supervisor=user, people=people, one_to_one=True)
    items = ItemFormSet(data, prefix="items", initial=item_initial)
    actions = ActionFormSet(
        data, prefix="actions", initial=action_initial, owner_choices=owner_choices
    )

    conflict = None
    if data is not None and not (adding_item or adding_action):
        valid = all([form.is_valid(), items.is_valid(), actions.is_valid(), review_form.is_valid()])
        if valid:
            valid = check_item_minutes(form, items) & _check_action_owners(form, actions)
        if valid:
            attendance = form.attendance()
            supervisee_id = (
                form.cleaned_data["supervisee"].pk
                if form.cleaned_data["format"] == Format.ONE_TO_ONE
                else None
            )
            action_data = [
                f.action_data(supervisor=user, supervisee_id=supervisee_id)
                for f in actions.kept_forms()
            ]
            try:
                if session is None:
                    saved = services.session_create(
                        supervisor=user,
                        details=form.details(),
                        attendance=attendance,
                        items=items.item_data(),
                        actions=action_data,
                        reviews=review_form.reviews(),
                    )
                    messages.success(request, "The session is saved.")
                else:
                    saved = services.session_update(
                        session=session,
                        by=user,
                        expected_version=form.cleaned_data.get("version") or 0,
                        details=form.details(),
                        attendance=attendance,
                        items=items.item_data(),
                        actions=action_data,
                        reviews=review_form.reviews(),
                    )
                    messages.success(request, "Your changes are saved.")
                return redirect("sessions:detail", pk=saved.pk)
            except services.StaleRecord as stale:
                conflict = _conflict_context(stale.session)
                # Keep everything typed; the next save, made knowingly, replaces theirs.
                data = data.copy()
                data["version"] = str(stale.session.version)
                form = SessionForm(
                    data,
                    initial=initial,
                    candidates=candidates,
                    supervisor=user,
                )
                form.is_valid()
            except services.InvalidSession as invalid:
                form.add_error("date", str(invalid))

    focus_relationship = None
    supervisee_id = str(
        (form.data.get("supervisee") if form.is_bound else form.initial.get("supervisee")) or ""
    )
    if supervisee_id.isdigit() and int(supervisee_id) in {p.pk for p in form.candidates}:
        focus_relationship = (
            Relationship.objects.filter(supervisor=user, supervisee_id=int(supervisee_id))
            .active_on(day)
            .prefetch_related("focus_agreements")
            .first()
        )
    context = {
        "session": session,
        "relationship": focus_relationship,
        "form": form,
        "items": items,
        "actions": actions,
        "review_form": review_form,
        "tally": _tally_rows(_posted_item_tags(items), _posted_duration(form)),
        "conflict": conflict,
        "attendance_choices": ATTENDANCE_CHOICES,
    }
    status = 409 if conflict else 200
    return render(request, "sessions_app/session_form.html", context, status=status)


def _posted_people(data, form):
    if data.get("format") == Format.GROUP:
        return [
            person.pk
            for person in form.group_people
            if data.get(attendee_field_name(person)) in ("present", "absent")
        ]
    value = data.get("supervisee", "")
    candidate_ids = {person.pk for person in form.candidates}
    return [int(value)] if value.isdigit() and int(value) in candidate_ids else []


def _check_action_owners(form, actions):
    """An action's owner must be the supervisor, an attendee, or a named other."""
    ok = True
    fmt = form.cleaned_data["format"]
    attendees = set(form.attendance())
    for f in actions.kept_forms():
        owner = f.cleaned_data["owner"]
        if owner == OWNER_SUPERVISEE and fmt == Format.GROUP:
            f.add_error("owner", "In a group session, choose which member owns the action.")
            ok = False
        elif owner.startswith("person:") and int(owner.removeprefix("person:")) not in attendees:
            f.add_error("owner", "The owner must be someone in this session, or someone named.")
            ok = False
    return ok


def _conflict_context(current):
    latest = current.history.select_related("history_user").first()
    return {
        "session": current,
        "changed_by": latest.history_user if latest else None,
        "changed_at": latest.history_date if latest else current.updated_at,
        "items": list(current.items.order_by("position", "pk")),
    }


def _posted_item_tags(items):
    """(minutes, functions) for each item still on the page, typed or saved."""
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
        try:
            minutes = int(minutes)
        except (TypeError, ValueError):
            continue
        rows.append((minutes, [fn for fn in functions if fn in FUNCTIONS]))
    return rows


def _posted_duration(form):
    raw = (
        form.data.get("duration_minutes") if form.is_bound else form.initial.get("duration_minutes")
    )
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _tally_rows(items, duration):
    """Minutes per function (m / k each, by the audit's own rule), tagged and unallocated."""
    tally = tally_items(
        ItemTags(minutes, frozenset(functions)) for minutes, functions in items if functions
    )
    total = sum(minutes for minutes, _functions in items)
    return {
        "functions": [
            {
                "key": fn,
                "label": FUNCTION_LABELS[fn],
                "minutes": minutes_text(tally.by_function[fn]),
                "share": percent_text(tally.shares[fn]) if tally.shares else None,
            }
            for fn in FUNCTIONS
        ],
        "total": total,
        "duration": duration,
        "unallocated": (duration - total) if duration is not None else None,
    }


@login_required
def session_cancel(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("cancel")
    form = CancelForm(request.POST or None, initial={"cancelled_by": "supervisor"})
    if not access.is_supervisor:
        form.fields["cancelled_by"].choices = [("supervisee", "I did (the supervisee)")]
        form.fields["cancelled_by"].initial = "supervisee"
    if request.method == "POST" and form.is_valid():
        services.session_cancel(
            session=session,
            by=request.user,
            by_supervisee=form.cleaned_data["cancelled_by"] == "supervisee",
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, "The session is cancelled.")
        if not access.is_supervisor:
            # A cancelled session is not a record the supervisee reads: back to their home.
            return redirect("home")
        return redirect("sessions:detail", pk=session.pk)
    return render(request, "sessions_app/session_cancel.html", {"session": session, "form": form})


@login_required
def session_reschedule(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("reschedule")
    form = RescheduleForm(
        request.POST or None, initial={"date": session.date, "start_time": session.start_time}
    )
    if request.method == "POST" and form.is_valid():
        new = services.session_reschedule(
            session=session,
            by=request.user,
            new_date=form.cleaned_data["date"],
            new_start_time=form.cleaned_data["start_time"],
            reason=form.cleaned_data["reason"],
        )
        messages.success(request, f"The session is moved to {new.date:%A %-d %B %Y}.")
        return redirect("sessions:detail", pk=new.pk)
    return render(
        request, "sessions_app/session_reschedule.html", {"session": session, "form": form}
    )


# The record lifecycle: share, withdraw, acknowledge, feedback, sign off, addenda.
# Each step is refused (403, with the reason) by the record service through the access policy.


def _supervisor_step(request, pk, step, done_message):
    """A lifecycle step taken with one button: the service checks it and says why not."""
    session, _access = get_session_for_read(request.user, pk)
    step(session=session, by=request.user)
    messages.success(request, done_message)
    return redirect("sessions:detail", pk=session.pk)


@login_required
@require_POST
def record_share(request, pk):
    return _supervisor_step(
        request,
        pk,
        records.record_share,
        "The record is shared. Everyone present has been told by email.",
    )


@login_required
@require_POST
def record_withdraw(request, pk):
    return _supervisor_step(
        request,
        pk,
        records.record_withdraw,
        "The record is withdrawn and back to draft; you can edit it.",
    )


@login_required
@require_POST
def record_sign_off(request, pk):
    return _supervisor_step(
        request, pk, records.record_sign_off, "The record is signed off and locked."
    )


@login_required
def record_acknowledge(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("acknowledge")
    form = AcknowledgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        records.record_acknowledge(
            session=session,
            by=request.user,
            response=form.cleaned_data["response"],
            comments=form.cleaned_data["comments"],
        )
        messages.success(request, "Thank you. Your response is recorded and your supervisor told.")
        return redirect("sessions:detail", pk=session.pk)
    return render(
        request,
        "sessions_app/record_acknowledge.html",
        {"session": session, "form": form, "audience": Audience(session)},
    )


@login_required
def record_feedback(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("give_feedback")
    existing = next((f for f in session.feedback.all() if f.person_id == request.user.pk), None)
    form = FeedbackForm(request.POST or None, instance=existing)
    if request.method == "POST" and form.is_valid():
        records.feedback_save(session=session, by=request.user, values=form.values())
        messages.success(request, "Thank you. Your feedback is saved and your supervisor told.")
        return redirect("sessions:detail", pk=session.pk)
    return render(
        request,
        "sessions_app/record_feedback.html",
        {"session": session, "form": form, "existing": existing, "audience": Audience(session)},
    )


@login_required
@require_POST
def record_addendum(request, pk):
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("add_addendum")
    form = AddendumForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the addendum before adding it.")
        return redirect("sessions:detail", pk=session.pk)
    records.addendum_add(session=session, by=request.user, text=form.cleaned_data["text"])
    messages.success(request, "Your addendum is added to the record.")
    return redirect("sessions:detail", pk=session.pk)


@login_required
@require_POST
def action_done(request, pk):
    """The owner marks their own open action done; anyone else's action is not found."""
    action = get_object_or_404(
        Action.objects.filter(
            owner=request.user, session__in=content_readable_sessions(request.user)
        ),
        pk=pk,
    )
    records.action_mark_done(action=action, by=request.user)
    messages.success(request, f"Marked done: {action.description}")
    return redirect("home")
