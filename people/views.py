from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render

from core.clock import today

from . import services
from .forms import FocusForm, SettingsForm
from .models import Relationship


@login_required
def settings_view(request):
    """A person's own settings: display name and reminder emails."""
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("people:settings")
    return render(request, "people/settings.html", {"form": form})


def get_relationship_for_read(user, pk):
    """A relationship the user is part of, or 404."""
    return get_object_or_404(
        Relationship.objects.filter(Q(supervisor=user) | Q(supervisee=user)).select_related(
            "supervisor", "supervisee"
        ),
        pk=pk,
    )


@login_required
def focus(request, pk):
    """The supervisor records the function(s) they and the supervisee agreed to focus on."""
    relationship = get_relationship_for_read(request.user, pk)
    if relationship.supervisor_id != request.user.pk:
        raise PermissionDenied("Your supervisor records the focus you agree together.")
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
