"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Not part of `make test`; `.ci/run` runs them with `pytest -m browser` after installing
Chromium and Playwright (requirements-browser.txt). Set FOURFOLD_BROWSER=required to turn a
missing browser into a failure instead of a skip.
"""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own database calls are
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")

# The two widths every page is checked at: a laptop, and a phone (390 px, an iPhone 12 to 15).
WIDTHS = (1280, 390)
HEIGHTS = {1280: 900, 390: 844}

# axe-core, vendored (tests/browser/vendor/, with its licence; see the README there), and the
# rules it checks: WCAG 2.0, 2.1 and 2.2, levels A and AA.
AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_FAILING_IMPACTS = ("serious", "critical")
AXE_RUN = """async ([tags, impacts]) => {
  const result = await axe.run(document, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return result.violations
    .filter((v) => impacts.includes(v.impact))
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(" "),
        html: n.html.slice(0, 160),
        summary: n.failureSummary,
      })),
    }));
}"""


def axe_violations(page):
    """axe-core's serious and critical findings on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        # Evaluated through the DevTools protocol, not as an inline <script>: the page's
        # Content-Security-Policy stays exactly as served.
        page.evaluate(AXE_SOURCE + "\n;undefined")
    return page.evaluate(AXE_RUN, [AXE_TAGS, list(AXE_FAILING_IMPACTS)])


def describe_violations(violations, where=""):
    lines = [f"axe-core: {len(violations)} serious or critical finding(s){where}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            summary = " ".join(node["summary"].split())
            lines.append(f"    {node['target']}\n      {node['html']}\n      {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def sideways_overflow(page):
    """How many pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)"
    )


HIDDEN_COLUMNS = """() => Array.from(document.querySelectorAll(".table-responsive > table"))
  .filter((table) => table.offsetWidth > table.parentElement.clientWidth + 1)
  .map((table) => {
    const caption = table.caption ? table.caption.textContent.trim() : table.rows[0].textContent;
    return `"${caption.replace(/\\s+/g, " ").slice(0, 80)}" is ${table.offsetWidth} px wide ` +
      `in a ${table.parentElement.clientWidth} px box`;
  })"""


def hidden_columns(page):
    """Tables wider than their box, whose last columns are out of sight until scrolled to."""
    return page.evaluate(HIDDEN_COLUMNS)


def page_problems(page):
    """Everything wrong with the page as it is now, as readable text ("" when nothing is).

    Checked once the page has loaded: a click on a link returns as soon as the next page
    starts to arrive, before static/js/fourfold.js has stacked its tables for a phone, and
    checking then reads a page nobody sees (axe found the half-parsed trend tables scrolling
    sideways at 390 px)."""
    page.wait_for_load_state("load")
    where = f" on {page.url} at {page.viewport_size['width']} px"
    problems = []
    violations = axe_violations(page)
    if violations:
        problems.append(describe_violations(violations, where))
    overflow = sideways_overflow(page)
    if overflow:
        problems.append(f"The page scrolls sideways by {overflow} px{where}.")
    for table in hidden_columns(page):
        problems.append(f"A table hides columns{where}: {table}.")
    return "\n".join(problems)


def assert_accessible(page):
    """Fail unless axe-core finds nothing serious or critical, the page fits the window and
    each table fits its box (tables are stacked as cards on a phone, static/js/fourfold.js)."""
    problems = page_problems(page)
    if problems:
        pytest.fail(problems, pytrace=False)


def new_page(browser, base_url, width):
    """A page in a fresh context at `width`, failing its test on any CSP violation."""
    context = browser.new_context(
        base_url=base_url, viewport={"width": width, "height": HEIGHTS.get(width, 900)}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The Content-Security-Policy allows no inline script or style: a page that needs one
    # shows a broken control in production, so any violation fails the test.
    page.csp_violations = []
    page.on(
        "console",
        lambda message: (
            page.csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    return page


@pytest.fixture(params=WIDTHS, ids=lambda width: f"{width}px")
def width(request):
    """Run the test once at each width; `page` opens at that width."""
    return request.param


@pytest.fixture(scope="session")
def browser():
    required = os.environ.get("FOURFOLD_BROWSER") == "required"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        if required:
            raise
        pytest.skip("Playwright is not installed (pip install -r requirements-browser.txt)")
    if not os.path.exists(CHROMIUM):
        if required:
            pytest.fail(f"No Chromium at {CHROMIUM}")
        pytest.skip("Chromium is not installed (apt install chromium)")
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(request, browser, live_server):
    """A page on the live server, 1280 px wide unless the test asks for `width`."""
    width = request.getfixturevalue("width") if "width" in request.fixturenames else 1280
    page = new_page(browser, live_server.url, width)
    yield page
    page.context.close()
    assert not page.csp_violations, page.csp_violations


@pytest.fixture
def sign_in(page):
    from tests.factories import PASSWORD

    def do_sign_in(user):
        page.context.clear_cookies()
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/")
        return page

    return do_sign_in
