"""The administrators' upload page: the same importers as the commands, the same problems."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from core.spreadsheet import csv_response
from people.access import is_administrator

from .csvfile import PROBLEMS_SHOWN
from .forms import KIND_PEOPLE, KIND_SESSIONS, UploadForm
from .guide import guides
from .people import LAYOUT as PEOPLE_LAYOUT
from .people import people_import
from .sessions import LAYOUT as SESSIONS_LAYOUT
from .sessions import sessions_import

IMPORTERS = {KIND_PEOPLE: people_import, KIND_SESSIONS: sessions_import}


@login_required
@require_http_methods(["GET", "POST"])
def upload(request):
    """Upload a people or sessions CSV; show every problem by row and column, or what changed."""
    # Only administrators import; to anyone else the page does not exist.
    if not is_administrator(request.user):
        raise Http404
    result = None
    kind = None
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            result = IMPORTERS[kind](
                data=form.cleaned_data["file"].read(), dry_run=form.cleaned_data["dry_run"]
            )
    else:
        form = UploadForm()
    return render(
        request,
        "imports/upload.html",
        {
            "form": form,
            "result": result,
            "kind": kind,
            "problems_shown": PROBLEMS_SHOWN,
            "problems_slice": f":{PROBLEMS_SHOWN}",
            "layouts": [("People", PEOPLE_LAYOUT), ("Sessions", SESSIONS_LAYOUT)],
        },
    )


@login_required
@require_GET
def guide(request):
    """How to prepare the files, column by column, with a template of each to download."""
    if not is_administrator(request.user):
        raise Http404
    return render(request, "imports/guide.html", {"guides": list(guides().values())})


@login_required
@require_GET
def template(request, kind):
    """An empty file with the columns in order: fill it in and import it."""
    if not is_administrator(request.user):
        raise Http404
    found = guides().get(kind)
    if found is None:
        raise Http404
    return csv_response(f"fourfold-{kind}-template.csv", found.header, [])
