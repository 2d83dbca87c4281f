from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from core.clock import today

from . import security, services
from .access import get_relationship_for_read, require_focus_setter
from .forms import FocusForm, SettingsForm


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
