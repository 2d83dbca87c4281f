from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.clock import today

from . import security, services
from .access import (
    focus_request_audience,
    get_focus_request_for_answer,
    get_relationship_for_read,
    get_relationship_for_request,
    require_focus_setter,
)
from .forms import FocusForm, FocusRequestAnswerForm, FocusRequestForm, SettingsForm


@login_required
def settings_view(request):
    """A person's own settings: reminder emails, and links to their password and two-step
    sign-in. Their display name is set by administrators or the import."""
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("people:settings")
    return render(
        request,
        "people/settings.html",
        {"form": form, "has_two_factor": security.has_two_factor(request.user)},
    )


@login_required
def focus(request, pk):
    """The supervisor records the function(s) they and the supervisee agreed to focus on."""
    relationship = get_relationship_for_read(request.user, pk)
    require_focus_setter(request.user, relationship)
    form = FocusForm(request.POST or None, initial={"agreed_on": today()})
    if request.method == "POST" and form.is_valid():
        services.focus_agree(
            relationship=relationship,
            functions=form.cleaned_data["functions"],
            agreed_on=form.cleaned_data["agreed_on"],
            notes=form.cleaned_data["notes"],
            by=request.user,
        )
        messages.success(request, f"The focus agreed with {relationship.supervisee} is saved.")
        return redirect("home")
    return render(
        request,
        "people/focus.html",
        {
            "relationship": relationship,
            "form": form,
            "history": relationship.focus_agreements.all(),
        },
    )


@login_required
def raise_request(request, pk):
    """A supervisee tells their supervisor that a function is starting to dominate, or that
    they want more of one, and may propose a focus: at any time, not only after a session."""
    relationship = get_relationship_for_request(request.user, pk)
    form = FocusRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.focus_request_raise(
            relationship=relationship, by=request.user, **form.cleaned_data
        )
        messages.success(request, f"Thank you. {relationship.supervisor} has been told.")
        return redirect("home")
    return render(
        request,
        "people/focus_request.html",
        {
            "relationship": relationship,
            "form": form,
            "audience": focus_request_audience(relationship),
            "earlier": relationship.focus_requests.all()[:5],
        },
    )


@login_required
def answer_request(request, pk):
    """The supervisor answers what a supervisee raised; an agreed proposal becomes the focus."""
    focus_request = get_focus_request_for_answer(request.user, pk)
    form = FocusRequestAnswerForm(request.POST or None, proposal=bool(focus_request.proposed))
    if request.method == "POST" and form.is_valid():
        services.focus_request_answer(request=focus_request, by=request.user, **form.cleaned_data)
        messages.success(
            request, f"Your answer is recorded and {focus_request.relationship.supervisee} told."
        )
        return redirect("home")
    return render(
        request,
        "people/focus_request_answer.html",
        {"focus_request": focus_request, "form": form},
    )
