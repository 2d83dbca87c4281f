"""End-to-end tests in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.

Not part of `make test`; `.ci/run` runs them with `pytest -m browser` after installing
Chromium and Playwright (requirements-browser.txt). Set FOURFOLD_BROWSER=required to turn a
missing browser into a failure instead of a skip.
"""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop in this thread; the test's own database calls are
# synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


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
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    # The Content-Security-Policy allows no inline script or style: a page that needs one
    # shows a broken control in production, so any violation fails the test.
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield page
    context.close()
    assert not violations, violations


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
