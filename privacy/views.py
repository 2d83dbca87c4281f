"""A person's own data download, and the administrators' subject access and erasure pages.

Each goes through the same service as the Django admin actions and the commands.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from people.access import is_administrator
from people.models import User

from .erasure import ErasureRefused, erasure_plan, erasure_refusals, person_erase
from .exports import Scope, subject_access_export
from .forms import EraseForm


def zip_response(export):
    response = HttpResponse(export.content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    # Personal data: no shared cache keeps a copy.
    response["Cache-Control"] = "no-store"
    return response


def get_person_for_admin(user, pk):
    """A person, for an administrator; for anyone else the page does not exist (404)."""
    if not is_administrator(user):
        raise Http404("No such page")
    return get_object_or_404(User, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """What Fourfold holds about me, as a zip: always the signed-in person's own, never another's.

    A POST, not a link: each download is written to the data-rights log.
    """
    if request.method == "POST":
        export = subject_access_export(subject=request.user, actor=request.user, scope=Scope.OWN)
        return zip_response(export)
    return render(request, "privacy/my_data.html")


@login_required
@require_http_methods(["GET", "POST"])
def subject_access(request, pk):
    """An administrator downloads everything held about a person, to answer their request."""
    person = get_person_for_admin(request.user, pk)
    if request.method == "POST":
        export = subject_access_export(
            subject=person, actor=request.user, scope=Scope.SUBJECT_ACCESS
        )
        return zip_response(export)
    return render(request, "privacy/subject_access.html", {"person": person})


@login_required
@require_http_methods(["GET", "POST"])
def erase(request, pk):
    """An administrator erases a person who has left; refused (409) for anyone who has not."""
    person = get_person_for_admin(request.user, pk)
    reasons = erasure_refusals(person)
    form = EraseForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if reasons:
            status = 409
        elif form.is_valid():
            try:
                person_erase(person=person, actor=request.user)
            except ErasureRefused as exc:
                reasons, status = [str(exc)], 409
            else:
                messages.success(request, f"Person {person.pk}'s data is erased.")
                return redirect("admin:people_user_change", person.pk)
    return render(
        request,
        "privacy/erase.html",
        {
            "person": person,
            "reasons": reasons,
            "plan": erasure_plan(person),
            "form": form,
            "retention_years": settings.RETENTION_YEARS,
        },
        status=status,
    )
