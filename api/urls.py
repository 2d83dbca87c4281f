"""The read-only JSON API for HR and BI systems (docs/api.md), served under /api/v1/.

django-ninja: typed schemas, the OpenAPI document (/api/v1/openapi.json, committed as
docs/openapi.json), bearer tokens, pagination and throttling. Who may read what is
`api.scope`; every call is logged by `api.middleware`.
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.shortcuts import get_object_or_404
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle
from pydantic import ConfigDict

from core import clock

from .models import TOKEN_PREFIX, ApiCall, ApiToken, token_digest
from .scope import Scope

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500
RATE_WINDOW_SECONDS = 60


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ff_…`: a token an administrator created and has not revoked."""

    def authenticate(self, request, token):
        if not token.startswith(TOKEN_PREFIX):
            return None
        found = ApiToken.objects.select_related("team").filter(digest=token_digest(token)).first()
        if found is None:
            return None
        # Logged against the token even when revoked: administrators see who still uses it.
        request.api_token = found
        return None if found.is_revoked else found


class TokenRateThrottle(BaseThrottle):
    """At most API_RATE_LIMIT calls a minute per token, counted in the call log (so every
    worker process agrees); refused calls do not count."""

    def allow_request(self, request):
        token = getattr(request, "auth", None)
        if token is None:
            return True
        since = clock.now() - timedelta(seconds=RATE_WINDOW_SECONDS)
        recent = ApiCall.objects.filter(token=token, at__gte=since).exclude(status=429).count()
        return recent < settings.API_RATE_LIMIT

    def wait(self):
        return RATE_WINDOW_SECONDS


class Pagination(PageNumberPagination):
    def __init__(self, **kwargs):
        super().__init__(page_size=PAGE_SIZE, max_page_size=MAX_PAGE_SIZE, **kwargs)


api = NinjaAPI(
    title="Fourfold API",
    version="1",
    description=(
        "Read-only data for HR and BI systems: people, supervision relationships, session "
        "metadata and four-function balances. Never any recorded text: no item titles, "
        "notes, case references, actions, comments or addenda. Authenticate with "
        "`Authorization: Bearer <token>`; a token is created by an administrator and reads "
        "the organisation or one team. Lists are paginated (`page`, `page_size`)."
    ),
    urls_namespace="api",
    docs_url=None,
    auth=TokenAuth(),
    throttle=TokenRateThrottle(),
)


# Schemas: metadata only.


class TeamOut(Schema):
    id: int
    name: str


class PersonRef(Schema):
    id: int
    email: str
    name: str


class PersonOut(Schema):
    id: int
    email: str
    name: str
    team: TeamOut | None
    start_date_in_post: date | None
    active: bool
    manages: list[int] = Field(description="Ids of the teams (in scope) this person manages")

    @staticmethod
    def resolve_active(obj):
        return obj.is_active

    @staticmethod
    def resolve_manages(obj):
        return [team.pk for team in obj.managed_teams.all()]


class RelationshipOut(Schema):
    id: int
    supervisor: PersonRef
    supervisee: PersonRef
    kind: str
    frequency: str
    start_date: date
    end_date: date | None


class AttendeeOut(Schema):
    id: int
    email: str
    name: str
    present: bool


class SessionOut(Schema):
    id: int
    date: date
    start_time: time | None
    format: str
    group_type: str | None
    mode: str
    status: str
    duration_minutes: int
    supervisor: PersonRef
    attendees: list[AttendeeOut] = Field(
        description="The attendees in the token's scope (all of them for the organisation)"
    )
    attendee_count: int = Field(description="Everyone invited, in scope or not")
    attendees_present: int
    record_state: str
    shared_at: datetime | None
    signed_off_at: datetime | None
    item_count: int
    tagged_minutes: int = Field(description="The sum of the items' minutes")

    @staticmethod
    def resolve_group_type(obj):
        return obj.group_type or None

    @staticmethod
    def resolve_attendees(obj):
        return [
            {
                "id": a.person.pk,
                "email": a.person.email,
                "name": a.person.name,
                "present": a.present,
            }
            for a in obj.in_scope
        ]


class FunctionFigures(Schema):
    management: float
    development: float
    support: float
    mediation: float


class StageFigures(Schema):
    experience: float
    reflection: float
    analysis: float
    plans_actions: float


class StakeholderFigures(Schema):
    supervisee: float
    people: float
    organisation: float
    partners: float


class FlagOut(Schema):
    code: str
    function: str | None = None
    stakeholder: str | None = None


class BalanceOut(Schema):
    """One supervisee's balance: exactly an object of `balance_report`'s JSON."""

    model_config = ConfigDict(populate_by_name=True)

    supervisee: str
    from_: date = Field(alias="from")
    to: date
    sessions_held: int
    tagged_minutes: float
    minutes: FunctionFigures
    shares: FunctionFigures | None
    short_circuit_minutes: float
    flags: list[FlagOut]
    stage_minutes: StageFigures
    stakeholder_minutes: StakeholderFigures


class Window(Schema):
    from_: date | None = Field(None, alias="from", description="YYYY-MM-DD; default: `to` - 89")
    to: date | None = Field(None, description="YYYY-MM-DD; default: today")


class SessionFilters(Schema):
    from_: date | None = Field(None, alias="from", description="Sessions on or after, YYYY-MM-DD")
    to: date | None = Field(None, description="Sessions on or before, YYYY-MM-DD")
    status: str | None = Field(None, description="planned, held, cancelled_by_supervisor, …")


def _window(window: Window) -> tuple[date, date]:
    end = window.to or clock.today()
    start = window.from_ or end - timedelta(days=89)
    if start > end:
        raise HttpError(422, f"`from` ({start}) is after `to` ({end})")
    return start, end


# Endpoints.


@api.get("/teams", response=list[TeamOut], tags=["people"])
@paginate(Pagination)
def teams(request):
    """The teams in the token's scope."""
    return Scope.of(request.auth).teams()


@api.get("/people", response=list[PersonOut], tags=["people"])
@paginate(Pagination)
def people(request):
    """Everyone in scope (a team token: the team's members), sorted by e-mail."""
    return Scope.of(request.auth).people()


@api.get("/people/{person_id}", response=PersonOut, tags=["people"])
def person(request, person_id: int):
    return get_object_or_404(Scope.of(request.auth).people(), pk=person_id)


@api.get("/relationships", response=list[RelationshipOut], tags=["people"])
@paginate(Pagination)
def relationships(request):
    """Supervision relationships (a team token: those of the team's supervisees)."""
    return Scope.of(request.auth).relationships()


@api.get("/sessions", response=list[SessionOut], tags=["sessions"])
@paginate(Pagination)
def sessions(request, filters: Query[SessionFilters]):
    """Session metadata, newest first: dates, format, status, who, how long, how many items."""
    found = Scope.of(request.auth).sessions()
    if filters.from_:
        found = found.filter(date__gte=filters.from_)
    if filters.to:
        found = found.filter(date__lte=filters.to)
    if filters.status:
        found = found.filter(status=filters.status)
    return found


@api.get("/sessions/{session_id}", response=SessionOut, tags=["sessions"])
def session(request, session_id: int):
    return get_object_or_404(Scope.of(request.auth).sessions(), pk=session_id)


@api.get("/balances", response=list[BalanceOut], by_alias=True, exclude_unset=True, tags=["audit"])
@paginate(Pagination)
def balances(request, window: Query[Window]):
    """Each supervisee's balance in the window (default: the 90 days ending today), exactly as
    `balance_report --all` (or `--team`) gives it, sorted by e-mail; flags per DOMAIN.md."""
    start, end = _window(window)
    return [balance.as_report() for balance in Scope.of(request.auth).balances(start, end)]
