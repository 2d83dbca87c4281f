from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from .forms import SettingsForm


@login_required
def settings_view(request):
    """A person's own settings: display name and reminder emails."""
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your settings are saved.")
        return redirect("people:settings")
    return render(request, "people/settings.html", {"form": form})
