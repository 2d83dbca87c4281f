"""Recording supervision: the supervisor's home, the session record and its changes."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.clock import today
from core.prepared import Prepared
from people.models import Relationship, group_sessions_count

from . import attention, home_lists, records, selectors, services
from .access import (
    Audience,
    content_readable_sessions,
    get_session_for_read,
)
from .forms import (
    AcknowledgeForm,
    AddendumForm,
    CancelForm,
    DisputeReplyForm,
    FeedbackForm,
    RescheduleForm,
)
from .history import record_history
from .models import (
    Acknowledgement,
    Action,
    Addendum,
    DisputeReply,
    Feedback,
    Response,
    Session,
    Status,
)
from .recording import RecordingPage, posted_tally, recorded_with, recording_queryset
from .recording import tally_rows as _tally_rows  # the record page's balance card
from .roles import roles_of
from .selectors import relationships_of


@login_required
def home(request):
    """Each person's home: what waits for them first, then their work in each role they hold.

    A list that belongs to a role is read only for someone who holds it (`roles_of`): a
    supervisee who leads nothing has no sessions to share or sign off, and a supervisor who is
    nobody's supervisee has no records to acknowledge, so neither pays for the other's lists.
    """
    user = request.user
    day = today()
    roles = roles_of(user)
    supervising, supervised = roles.supervisor, roles.supervisee
    group_counts = group_sessions_count() if supervising or supervised else False
    as_supervisor, as_supervisee = (
        relationships_of(user, day, group_counts=group_counts)
        if supervising or supervised
        else ([], [])
    )
    # Someone with a relationship active today holds its role (`roles_of` reads the same
    # condition), so each side is empty for anyone who does not.
    relationships = _with_due_dates(as_supervisor, day, group_counts)
    my_supervisors = _with_due_dates(as_supervisee, day, group_counts)
    # An action's owner is its session's supervisor or someone present at it.
    my_actions = _listed(supervising or supervised, home_lists.open_actions, user)
    # What waits for this person, each through the access policy's scoped querysets (built
    # once for a reader standing in for them: `home_lists`).
    waiting = {
        "disputes": _listed(supervising, home_lists.disputes, user, take=attention.shortlist_of),
        "to_share": _listed(
            supervising, home_lists.to_share, user, day, take=attention.shortlist_of
        ),
        "to_sign_off": _listed(
            supervising, home_lists.to_sign_off, user, take=attention.shortlist_of
        ),
        "feedback_received": _listed(supervising, home_lists.feedback_received, user),
        "overdue": [rel for rel in relationships if rel.overdue_days],
        # A request stays to answer after its relationship ends: read for everyone.
        "requests": home_lists.requests(user),
        "to_acknowledge": _listed(supervised, home_lists.to_acknowledge, user),
        "actions_due": attention.due_soon(my_actions, day),
        "feedback_to_give": _listed(supervised, home_lists.feedback_to_give, user, day),
        "team": attention.team_attention(user, day) if roles.manager else [],
    }
    context = {
        "today": day,
        "heading": _home_heading(roles),
        "waiting": waiting,
        "anything_waiting": any(waiting.values()),
        "relationships": relationships,
        "upcoming": _listed(supervising, home_lists.upcoming, user, day),
        "recent": _listed(supervising, home_lists.recent, user, day),
        "my_supervisors": my_supervisors,
        "my_records": _listed(supervised, home_lists.my_records, user),
        "my_upcoming": _listed(supervised, home_lists.my_upcoming, user, day),
        "my_actions": my_actions,
        # What this supervisee raised lately, with the answers (read for everyone, like the
        # requests to answer: the relationship may have ended).
        "my_requests": home_lists.my_requests(user),
    }
    # The attendees of every session the lists name them in, read once for them all (a
    # supervisee's own records and sessions name their supervisor, not who else attended).
    listed_sessions = [
        *waiting["to_share"],
        *waiting["to_sign_off"],
        *context["upcoming"],
        *context["recent"],
    ]
    selectors.attach_listed_attendances(listed_sessions)
    return render(request, "sessions_app/home.html", context)


def _listed(holds_role, rows, *args, take=list):
    """`take(rows(*args))` (a list, or `attention.shortlist_of`: the first and how many more) for
    someone who holds the role the list belongs to; else []."""
    return take(rows(*args)) if holds_role else []


def _home_heading(roles):
    """The home page's heading, for the role a person mostly works in here."""
    if roles.manager:
        return "Your teams"
    if roles.supervisor:
        return "Your supervisees"
    if roles.supervisee:
        return "Your supervision"
    if roles.administrator:
        return "Your organisation"
    return "Welcome to Fourfold"


def _with_due_dates(relationships, day, group_counts):
    """Each relationship's next due date and days overdue today, by the one overdue rule."""
    relationships = list(relationships)
    for rel in relationships:
        gap = rel.gap_to(day, rel.last_held, group_counts=group_counts)
        rel.next_due = gap.next_due
        rel.overdue_days = gap.days_over
        rel.focus = next(iter(rel.latest_focus), None)
    return relationships


# The session list's filters for the records waiting for their supervisor (the home page
# links to them when it lists only the first).
WAITING_LISTS = {
    "to_share": (
        "Held, record still a draft",
        lambda user: attention.records_to_share(user, today()),
    ),
    "to_sign_off": ("Acknowledged by everyone present, to sign off", attention.records_to_sign_off),
}


@login_required
def session_list(request):
    """Every session the user leads, newest first, optionally by status."""
    user = request.user
    sessions = selectors.with_disputes(
        Session.objects.led_by(user).prefetch_related(*selectors.listed_attendees())
    )
    status = request.GET.get("status", "")
    if status in Status.values:
        sessions = sessions.filter(status=status)
    elif status == "disputed":
        sessions = sessions.filter(disputed=True)
    elif status == "to_reply":
        # The home page's disagreements to reply to (`attention.disputes_to_answer`), by record:
        # one replied to is no longer waiting.
        sessions = sessions.filter(dispute_open=True)
    elif status in WAITING_LISTS:
        # The home page's lists of records waiting for this supervisor, in full.
        sessions = sessions.filter(pk__in=WAITING_LISTS[status][1](user).values("pk"))
    page = Paginator(sessions.order_by("-date", "-start_time", "-pk"), 25).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sessions_app/session_list.html",
        {
            "page": page,
            "status": status,
            "statuses": [
                *Status.choices,
                ("disputed", "Disputed by someone present"),
                ("to_reply", "A disagreement still to reply to"),
                *[(value, label) for value, (label, _rows) in WAITING_LISTS.items()],
            ],
        },
    )


def _detail_queryset():
    return Session.objects.select_related(
        "supervisor", "rescheduled_to", "moved_by"
    ).prefetch_related(
        *recorded_with(),
        Prefetch(
            "acknowledgements",
            queryset=Acknowledgement.objects.select_related("person").prefetch_related(
                Prefetch("replies", queryset=DisputeReply.objects.select_related("author"))
            ),
        ),
        Prefetch("feedback", queryset=Feedback.objects.select_related("person")),
        Prefetch("addenda", queryset=Addendum.objects.select_related("author")),
    )


def _relationship_focus(session):
    """The supervision agreement and latest focus between a one-to-one's pair, if any."""
    supervisee = session.supervisee
    if supervisee is None:
        return None
    found = _PAIR_RELATIONSHIP(session.supervisor_id, supervisee.pk, session.date)
    selectors.attach_latest_focus(found)
    return found[0] if found else None


# Built once (`core.prepared`): every one-to-one's record page reads it.
_PAIR_RELATIONSHIP = Prepared(
    lambda supervisor, supervisee, day: (
        Relationship.objects.filter(supervisor_id=supervisor, supervisee_id=supervisee)
        .active_on(day)
        .order_by("pk")[:1]
    )
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
        "reply_form": DisputeReplyForm() if access.can_reply_to_dispute else None,
        "audience": Audience(session) if access.can_add_addendum else None,
        "relationship": _relationship_focus(session),
        "history": record_history(session, access) if access.can_read_content else [],
    }
    return render(request, "sessions_app/session_detail.html", context)


@login_required
def session_new(request):
    """Schedule a session or record one that was held, on one page."""
    if not _records_sessions(request.user):
        return render(request, "sessions_app/no_role.html", status=200)
    return _session_form_page(request, session=None)


def _records_sessions(user):
    roles = roles_of(user)
    # Managers can run team sessions even when they supervise nobody individually.
    return roles.supervisor or roles.manager


@login_required
@require_POST
def session_tally(request):
    """The session page's balance card for what is typed so far, for its script to swap in.

    Scoped like the page itself (session_new); it reads the posted form and writes nothing.
    """
    if not _records_sessions(request.user):
        return render(request, "sessions_app/no_role.html", status=200)
    context = {"tally": posted_tally(request.POST)}
    return render(request, "sessions_app/session_form.html#tally", context)


@login_required
def session_edit(request, pk):
    session, access = get_session_for_read(request.user, pk, recording_queryset())
    access.require("edit")
    return _session_form_page(request, session=session)


def _session_form_page(request, *, session):
    """The recording page (sessions_app.recording) for a new session or an edit of `session`."""
    page = RecordingPage(
        user=request.user,
        session=session,
        data=request.POST if request.method == "POST" else None,
        query=request.GET,
    )
    if page.submitted:
        saved = page.save()
        if saved is not None:
            messages.success(
                request, "The session is saved." if session is None else "Your changes are saved."
            )
            return redirect("sessions:detail", pk=saved.pk)
    status = 409 if page.conflict else 200
    return render(request, "sessions_app/session_form.html", page.context(), status=status)


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
        {
            "session": session,
            "form": form,
            "existing": existing,
            "audience": Audience(session),
            "closes_on": access.feedback_closes_on,
            "open_days": access.policy.feedback_open_days,
        },
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
def dispute_reply(request, pk, acknowledgement_pk):
    """The supervisor answers a disagreement on the record (the service checks who may)."""
    session, access = get_session_for_read(request.user, pk, _detail_queryset())
    access.require("reply_to_dispute")
    # Only a disagreement with this (readable) session: anything else is not found.
    acknowledgement = get_object_or_404(
        Acknowledgement.objects.filter(session=session, response=Response.DISAGREE).select_related(
            "person"
        ),
        pk=acknowledgement_pk,
    )
    back = f"{reverse('sessions:detail', args=[session.pk])}#dispute-{acknowledgement.pk}"
    form = DisputeReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write your reply before sending it.")
        return redirect(back)
    records.dispute_reply(
        acknowledgement=acknowledgement, by=request.user, text=form.cleaned_data["text"]
    )
    messages.success(
        request, f"Your reply is on the record and {acknowledgement.person} has been told by email."
    )
    return redirect(back)


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
