"""The inspection pack: a manager downloads it for their teams, an administrator for any team
or the whole organisation; as a PDF or as a zip of CSV files.

Who may have which pack is `people.access` (another team is a 404, as on the dashboards);
the figures are `inspection.pack`'s, from the audit selectors.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audit.forms import AuditFilterForm
from core.clock import today
from people.access import get_team_for_user, is_administrator, teams_visible_to

from .bundle import bundle_zip
from .pack import build_pack
from .pdf import pack_pdf

logger = logging.getLogger(__name__)


def _teams(user):
    return list(teams_visible_to(user).order_by("name"))


def _form(request):
    return AuditFilterForm(request.GET, today=today())


@login_required
@require_GET
def index(request):
    """Choose a window, then download a team's or the organisation's pack."""
    user = request.user
    teams = _teams(user)
    administrator = is_administrator(user)
    if not teams and not administrator:
        raise Http404("No such page")
    return _index(request, teams=teams, administrator=administrator)


def _index(request, *, teams, administrator, status=200):
    form = _form(request)
    filters = form.filters()
    return render(
        request,
        "inspection/index.html",
        {
            "form": form,
            "filters": filters,
            "query": filters.query(team=False) if form.is_valid() else "",
            "teams": teams,
            "administrator": administrator,
        },
        status=status,
    )


def _pack(request, team):
    """The pack for the window asked for; a bad window is the choice page again, with why."""
    form = _form(request)
    if not form.is_valid():
        return None, _index(
            request,
            teams=_teams(request.user),
            administrator=is_administrator(request.user),
            status=400,
        )
    filters = form.filters()
    pack = build_pack(
        user=request.user, team=team, start=filters.start, end=filters.end, today=today()
    )
    return pack, None


def _pdf_response(request, pack):
    try:
        content = pack_pdf(pack)
    except OSError:
        # WeasyPrint could not load pango: the server is missing a system package.
        logger.exception("The inspection pack's PDF needs Debian's pango (README)")
        return render(request, "inspection/pdf_unavailable.html", {"pack": pack}, status=503)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pack.slug}.pdf"'
    return response


def _zip_response(pack):
    response = HttpResponse(bundle_zip(pack), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{pack.slug}.zip"'
    return response


def _organisation(request):
    if not is_administrator(request.user):
        raise Http404("No such page")


@login_required
@require_GET
def team_pdf(request, pk):
    pack, refusal = _pack(request, get_team_for_user(request.user, pk))
    return refusal or _pdf_response(request, pack)


@login_required
@require_GET
def team_csv(request, pk):
    pack, refusal = _pack(request, get_team_for_user(request.user, pk))
    return refusal or _zip_response(pack)


@login_required
@require_GET
def organisation_pdf(request):
    _organisation(request)
    pack, refusal = _pack(request, None)
    return refusal or _pdf_response(request, pack)


@login_required
@require_GET
def organisation_csv(request):
    _organisation(request)
    pack, refusal = _pack(request, None)
    return refusal or _zip_response(pack)
