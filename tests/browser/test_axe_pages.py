"""Every page each kind of user can reach, at 1280 px and 390 px: nothing serious for axe-core.

The demo organisation (`seed_demo`, six months of Northbridge Council's supervision) is built
once for each width's test, which walks every demo login at that width (the two can run in
parallel under pytest-xdist). For each login it signs in, then walks every link it can follow
from the home page (one page per kind of address: the first /sessions/N/ stands for the rest),
plus pages no link reaches (the recording form for a group, a group record, recent records, the
form's errors after saving it empty). Each page must have no serious or critical axe-core
finding (WCAG 2.2 A and AA) and must not scroll sideways; all problems are reported together,
page by page.
"""

import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from demo import data as demo
from tests.browser.conftest import new_page, page_problems

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One login for each kind of user in the demo (demo/data.py): the others repeat a kind (the
# other managers, the balanced and the overdue supervisee, the other newly qualified).
LOGINS = {
    "administrator": demo.ADMIN_EMAIL,
    "manager and supervisor": f"david.marsh@{demo.MAIL}",
    "external practice supervisor": "ruth.adeyemi@reflect-supervision.example",
    "senior practitioner": f"grace.whitfield@{demo.MAIL}",
    "supervisee, flagged": demo.MANAGEMENT_DOMINATED_EMAIL,
    "newly qualified, weeks into post": f"samuel.osei@{demo.MAIL}",
}

# Links not followed: downloads, the API, signing out, and pages that change data on GET.
NOT_PAGES = re.compile(
    r"\.(csv|pdf|zip|ics|json)(\?|$)|download=|/api/|logout|/admin/r/|/delete/|_popup|/jsi18n/"
)
# How many pages of Django admin to walk, per width (their layout is Django's own; Fourfold's
# fixes are in static/css/admin.css and static/js/admin.js).
ADMIN_PAGES = 15
# Pages that read the same for everyone (one's own account): checked for the first login only.
SAME_FOR_EVERYONE = re.compile(r"^/accounts/|^/people/settings/$|^/privacy/my-data/$")


def kind_of_page(url):
    """/sessions/12/edit/?x=1 -> /sessions/N/edit/: one page of each kind is checked."""
    return re.sub(r"/\d+(?=/|$)", "/N", urlsplit(url).path)


@pytest.fixture
def demo_site(live_server):
    """The demo organisation, built once for the test, on the live server."""
    call_command("seed_demo", stdout=StringIO())
    return live_server.url


def sign_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/$"))


def extra_pages(email):
    """Pages no link reaches from the home page, or several of one kind worth seeing."""
    from people.models import User
    from sessions_app.models import Format, RecordState, Session

    user = User.objects.get(email=email)
    pages = []
    led = Session.objects.filter(supervisor=user).order_by("-date")
    if led.exists():
        pages += ["/sessions/new/?held=1", "/sessions/new/?format=group&held=1"]
        group = led.filter(format=Format.GROUP).first()
        if group:
            pages += [f"/sessions/{group.pk}/", f"/sessions/{group.pk}/edit/"]
    attended = (
        Session.objects.filter(attendances__person=user, attendances__present=True)
        .exclude(supervisor=user)
        .exclude(record_state=RecordState.DRAFT)
        .order_by("-date")
    )
    # The most recent records: one may still wait for feedback or an acknowledgement.
    pages += [f"/sessions/{session.pk}/" for session in attended[:3]]
    return pages


def walk(page, origin, extras, checked_already):
    """Visit the home page, every kind of page linked from what is visited, and `extras`."""
    queue = ["/", *extras]
    must_visit = set(extras)
    seen, problems, admin_pages = set(), [], 0
    while queue:
        url = queue.pop(0)
        kind = kind_of_page(url)
        if kind in seen and url not in must_visit:
            continue
        if SAME_FOR_EVERYONE.match(kind):
            if kind in checked_already:
                continue
            checked_already.add(kind)
        if kind.startswith("/admin/"):
            if admin_pages >= ADMIN_PAGES:
                continue
            admin_pages += 1
        seen.add(kind)
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        problem = page_problems(page)
        if problem:
            problems.append(problem)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = href.split("#")[0]
            if href.startswith(origin) and not NOT_PAGES.search(href):
                path = href[len(origin) :] or "/"
                if kind_of_page(path) not in seen:
                    queue.append(path)
    return seen, problems


def check_login(browser, demo_site, login, width, checked_already):
    """Every problem on the pages this login reaches at this width, as text ("" if none)."""
    email = LOGINS[login]
    page = new_page(browser, demo_site, width)
    try:
        sign_in(page, email)
        seen, problems = walk(page, demo_site, extra_pages(email), checked_already)
        if "/sessions/new/" in seen:
            # The recording form's errors, after saving it empty.
            page.goto("/sessions/new/?held=1")
            page.get_by_role("button", name="Save session").click()
            page.wait_for_load_state()
            problem = page_problems(page)
            if problem:
                problems.append("After saving the recording form empty:\n" + problem)
        if len(seen) < 5:
            problems.append(f"Only {sorted(seen)} reached: the walk is broken")
        if page.csp_violations:
            problems.append(f"Content-Security-Policy violations: {page.csp_violations}")
    finally:
        page.context.close()
    if not problems:
        return ""
    return f"{login} ({email}) at {width} px, {len(seen)} kinds of page:\n\n" + "\n\n".join(
        problems
    )


def test_every_page_of_every_login_is_accessible_and_fits(demo_site, browser, width):
    checked_already = set()
    reports = [check_login(browser, demo_site, login, width, checked_already) for login in LOGINS]
    failures = [report for report in reports if report]
    if failures:
        pytest.fail("\n\n".join(failures), pytrace=False)
