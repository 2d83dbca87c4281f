"""Every URL, for every role: who may read, who may write, who must not know it exists.

A new URL without an entry in MATRIX fails `test_every_url_is_in_the_matrix`.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from core import clock
from inspection.pdf import pack_html
from people.models import FocusRequest, RequestKind
from sessions_app.models import Acknowledgement, RecordState, Response, Status
from tests.cast import shared_rows, whole_cast
from tests.factories import ActionFactory, SessionFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "supervisor",
    "other_supervisor",
    "supervisee",
    "manager",
    "other_manager",
    "administrator",
    "outsider",
]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Built once for the module; each case runs in its own savepoint, so what a POST changes
    (a session cancelled, a record shared) is undone before the next case."""
    with shared_rows(django_db_blocker):
        people = whole_cast(*ROLES[1:])
        supervisor, supervisee = people["supervisor"], people["supervisee"]
        held = SessionFactory(supervisor=supervisor, supervisee=supervisee)
        planned = SessionFactory(
            supervisor=supervisor,
            supervisee=supervisee,
            status=Status.PLANNED,
            date=clock.today() + datetime.timedelta(days=7),
        )
        shared = SessionFactory(
            supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
        )
        disputed = SessionFactory(
            supervisor=supervisor, supervisee=supervisee, record_state=RecordState.SHARED
        )
        disagreement = Acknowledgement.objects.create(
            session=disputed, person=supervisee, response=Response.DISAGREE, comments="Not so."
        )
        yield {
            "dispute": SimpleNamespace(url_args=[disputed.pk, disagreement.pk]),
            "people_template": SimpleNamespace(url_args=["people"]),
            "shared": shared,
            "action": ActionFactory(session=shared, owner=supervisee),
            "relationship": supervisee.supervisor_relationships.get(),
            "person": supervisee,
            "people": {role: people[role] for role in ROLES[1:]},
            "held": held,
            "planned": planned,
            "team": supervisee.team,
            "supervisor": supervisor,
            "focus_request": FocusRequest.objects.create(
                relationship=supervisee.supervisor_relationships.get(),
                kind=RequestKind.WANT_MORE,
                function="support",
            ),
        }


def everyone(status):
    return dict.fromkeys(ROLES[1:], status)


# (url name, object in `world` or None, method) -> {role: expected status}.
# Anonymous always goes to the login page; roles not listed expect 404.
MATRIX = {
    ("home", None, "get"): everyone(200),
    ("people:settings", None, "get"): everyone(200),
    ("sessions:list", None, "get"): everyone(200),
    ("sessions:new", None, "get"): everyone(200),
    # The session page's live balance card: scoped like the page (no role: the same help page).
    ("sessions:tally", None, "post"): everyone(200),
    # Take it with you: each person's own log and planned sessions, nobody else's.
    ("sessions:my_log_csv", None, "get"): everyone(200),
    ("sessions:my_log_print", None, "get"): everyone(200),
    ("sessions:planned_ics", None, "get"): everyone(200),
    # A draft record: its supervisor, and administrators (read only).
    ("sessions:detail", "held", "get"): {"supervisor": 200, "administrator": 200},
    ("sessions:edit", "held", "get"): {"supervisor": 200, "administrator": 403},
    ("sessions:edit", "held", "post"): {"supervisor": 200, "administrator": 403},
    # A planned session: its supervisee sees the date and may cancel it, not move it.
    ("sessions:detail", "planned", "get"): {
        "supervisor": 200,
        "supervisee": 200,
        "administrator": 200,
    },
    ("sessions:cancel", "planned", "get"): {
        "supervisor": 200,
        "supervisee": 200,
        "administrator": 403,
    },
    ("sessions:cancel", "planned", "post"): {
        "supervisor": 200,
        "supervisee": 200,
        "administrator": 403,
    },
    ("sessions:reschedule", "planned", "get"): {
        "supervisor": 200,
        "supervisee": 403,
        "administrator": 403,
    },
    ("sessions:reschedule", "planned", "post"): {
        "supervisor": 200,
        "supervisee": 403,
        "administrator": 403,
    },
    # A shared record: its supervisor and supervisee, the team's manager, administrators read it.
    ("sessions:detail", "shared", "get"): {
        "supervisor": 200,
        "supervisee": 200,
        "manager": 200,
        "administrator": 200,
    },
    # Lifecycle steps: the supervisor's, refused (403) to those who may only read.
    ("sessions:share", "held", "post"): {"supervisor": 302, "administrator": 403},
    ("sessions:withdraw", "shared", "post"): {
        "supervisor": 302,
        "supervisee": 403,
        "manager": 403,
        "administrator": 403,
    },
    # Not yet acknowledged, so even its supervisor is refused, with the reason.
    ("sessions:sign_off", "shared", "post"): {
        "supervisor": 403,
        "supervisee": 403,
        "manager": 403,
        "administrator": 403,
    },
    # The supervisee's steps: refused to the supervisor and to readers.
    ("sessions:acknowledge", "shared", "get"): {
        "supervisor": 403,
        "supervisee": 200,
        "manager": 403,
        "administrator": 403,
    },
    ("sessions:acknowledge", "shared", "post"): {
        "supervisor": 403,
        "supervisee": 200,
        "manager": 403,
        "administrator": 403,
    },
    ("sessions:feedback", "shared", "get"): {
        "supervisor": 403,
        "supervisee": 200,
        "manager": 403,
        "administrator": 403,
    },
    ("sessions:feedback", "shared", "post"): {
        "supervisor": 403,
        "supervisee": 200,
        "manager": 403,
        "administrator": 403,
    },
    ("sessions:addendum", "shared", "post"): {
        "supervisor": 302,
        "supervisee": 302,
        "manager": 403,
        "administrator": 403,
    },
    # The supervisor replies to a disagreement (an empty reply goes back to the record with
    # the message); readers of the record are refused.
    ("sessions:dispute_reply", "dispute", "post"): {
        "supervisor": 302,
        "supervisee": 403,
        "manager": 403,
        "administrator": 403,
    },
    # Only the owner's own action exists for them.
    ("sessions:action_done", "action", "post"): {"supervisee": 302},
    # The focus of a relationship: its supervisor sets it; its supervisee may not.
    ("people:focus", "relationship", "get"): {"supervisor": 200, "supervisee": 403},
    ("people:focus", "relationship", "post"): {"supervisor": 200, "supervisee": 403},
    # The supervisee's voice: they raise it with a supervisor they have now; that supervisor
    # answers it (an empty post is answered with the form's errors).
    ("people:raise_request", "relationship", "get"): {"supervisee": 200},
    ("people:raise_request", "relationship", "post"): {"supervisee": 200},
    ("people:answer_request", "focus_request", "get"): {"supervisor": 200},
    ("people:answer_request", "focus_request", "post"): {"supervisor": 200},
    # Spreadsheet import: administrators only; for everyone else the page does not exist.
    ("imports:upload", None, "get"): {"administrator": 200},
    ("imports:upload", None, "post"): {"administrator": 200},
    # The import guide and its template files: administrators only, like the import itself.
    ("imports:guide", None, "get"): {"administrator": 200},
    ("imports:template", "people_template", "get"): {"administrator": 200},
    # The audit: everyone has their own balance, and a (possibly empty) list of supervisees.
    ("audit:my_balance", None, "get"): everyone(200),
    ("audit:my_supervisees", None, "get"): everyone(200),
    # A person's balance: themselves, their supervisor, their team's manager, administrators.
    ("audit:person", "person", "get"): {
        "supervisor": 200,
        "supervisee": 200,
        "manager": 200,
        "administrator": 200,
    },
    # A team's dashboard: each manager sees their own team; administrators any team.
    ("audit:team_balance", None, "get"): {
        "manager": 200,
        "other_manager": 200,
        "administrator": 200,
    },
    # Its other pages, the same (another team's, asked for by id, is in
    # tests/audit/test_team_pages.py).
    ("audit:team_months", None, "get"): {
        "manager": 200,
        "other_manager": 200,
        "administrator": 200,
    },
    ("audit:team_feedback", None, "get"): {
        "manager": 200,
        "other_manager": 200,
        "administrator": 200,
    },
    ("audit:team_checks", None, "get"): {
        "manager": 200,
        "other_manager": 200,
        "administrator": 200,
    },
    ("audit:organisation", None, "get"): {"administrator": 200},
    # The audit policy, on a Fourfold page: administrators only (an empty post shows errors).
    ("audit:policy", None, "get"): {"administrator": 200},
    ("audit:policy", None, "post"): {"administrator": 200},
    # What a count counted: without a count named it is nothing (each role's scope is in
    # tests/audit/test_counts_open.py).
    ("audit:drill", None, "get"): {},
    # Data rights: each person downloads their own data (the page and the POST that downloads).
    ("privacy:my_data", None, "get"): everyone(200),
    ("privacy:my_data", None, "post"): everyone(200),
    # Another person's subject access export, or their erasure: administrators only; for
    # everyone else it does not exist.
    ("privacy:subject_access", "person", "get"): {"administrator": 200},
    ("privacy:subject_access", "person", "post"): {"administrator": 200},
    ("privacy:erase", "person", "get"): {"administrator": 200},
    # The person is still active, so even an administrator is refused, with the reason.
    ("privacy:erase", "person", "post"): {"administrator": 409},
    # The inspection pack: managers for their own teams, administrators for any team and
    # for the organisation; another team is a 404, as on the dashboards.
    ("inspection:index", None, "get"): {
        "manager": 200,
        "other_manager": 200,
        "administrator": 200,
    },
    ("inspection:team_pdf", "team", "get"): {"manager": 200, "administrator": 200},
    ("inspection:team_csv", "team", "get"): {"manager": 200, "administrator": 200},
    ("inspection:organisation_pdf", None, "get"): {"administrator": 200},
    ("inspection:organisation_csv", None, "get"): {"administrator": 200},
    # A supervisor's own audit: theirs (a page saying so for someone who supervises nobody).
    ("audit:my_supervision", None, "get"): everyone(200),
    # The model and how flags are worked out: a page of words for everyone signed in.
    ("audit:model", None, "get"): everyone(200),
    # Their self-assessment: written by supervisors only, each their own (an empty post is
    # answered with the form's errors).
    ("audit:self_assessment", None, "get"): {"supervisor": 200, "other_supervisor": 200},
    ("audit:self_assessment", None, "post"): {"supervisor": 200, "other_supervisor": 200},
    # Another supervisor's audit: the managers of their team, and administrators.
    ("audit:supervisor", "supervisor", "get"): {
        "supervisor": 200,
        "manager": 200,
        "administrator": 200,
    },
}

# Views that only accept POST answer 405 to GET, for the user who may use them.
POST_ONLY = {
    "sessions:tally": (None, "supervisor"),
    "sessions:share": ("held", "supervisor"),
    "sessions:withdraw": ("shared", "supervisor"),
    "sessions:sign_off": ("shared", "supervisor"),
    "sessions:addendum": ("shared", "supervisor"),
    "sessions:action_done": ("action", "supervisee"),
    "sessions:dispute_reply": ("dispute", "supervisor"),
}


def our_url_names():
    names = set()

    def walk(patterns, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin" or (p.app_name or "").startswith("admin"):
                    continue
                # django-allauth's sign-in, password and two-step pages: auth URLs, tested in
                # tests/people.
                if getattr(p.urlconf_module, "__name__", "").startswith("allauth."):
                    continue
                # The API's door is a token, not a signed-in session: tests/api holds its
                # matrix (no token, bad, revoked, another team's).
                if p.namespace == "api":
                    continue
                ns = p.namespace or namespace
                walk(p.url_patterns, ns)
            elif isinstance(p, URLPattern) and p.name:
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    auth = {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        # Single sign-on (allauth's OpenID Connect views): tested in tests/people/test_sso.py.
        "openid_connect_login",
        "openid_connect_callback",
        # Open to anyone by design, and says only "ok": tests/deploy/test_scale_out.py.
        "healthz",
    }
    return names - auth


def test_every_url_is_in_the_matrix():
    covered = {name for name, _obj, _method in MATRIX}
    missing = our_url_names() - covered
    assert not missing, f"Add these URLs to the access matrix: {sorted(missing)}"


CASES = [(key, role) for key in MATRIX for role in ROLES]


@pytest.fixture(autouse=True)
def pack_without_layout(monkeypatch):
    """The matrix asks who gets the inspection PDFs, not how they look: the pack is gathered
    and its HTML rendered as for a real download, but WeasyPrint's layout (about a second a
    PDF) is left to tests/inspection/test_pack.py, which reads the PDFs themselves."""
    monkeypatch.setattr("inspection.views.pack_pdf", lambda pack: pack_html(pack).encode())


def url_args(world, obj):
    if obj is None:
        return []
    return getattr(world[obj], "url_args", None) or [world[obj].pk]


@pytest.mark.parametrize(
    ("key", "role"), CASES, ids=[f"{k[0]}-{k[1]}-{k[2]}-{r}" for k, r in CASES]
)
def test_access(client, login, world, key, role):
    name, obj, method = key
    url = reverse(name, args=url_args(world, obj))
    if role != "anonymous":
        login(world["people"][role])
    response = getattr(client, method)(url, {})
    if role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
        return
    expected = MATRIX[key].get(role, 404)
    assert response.status_code == expected, (name, obj, method, role)


@pytest.mark.parametrize("name", sorted(POST_ONLY))
def test_post_only_views_refuse_get(client, login, world, name):
    obj, role = POST_ONLY[name]
    login(world["people"][role])
    url = reverse(name, args=url_args(world, obj))
    assert client.get(url).status_code == 405


def test_post_only_views_are_listed():
    """A view that answers GET with 405 must be in POST_ONLY, so the matrix checks it."""
    get_names = {name for name, _obj, method in MATRIX if method == "get"}
    post_names = {name for name, _obj, method in MATRIX if method == "post"}
    assert post_names - get_names <= set(POST_ONLY)
