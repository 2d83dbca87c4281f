"""Screenshots of Fourfold's main pages at 1280 px and at 390 px: `make screenshots`.

Builds the demo organisation (`seed_demo`) in a throw-away SQLite database, serves it from this
process on a free port, signs in as the demo's people in headless Chromium (Playwright, from
requirements-browser.txt) and writes docs/screenshots/<page>-<width>.png: the first screenful
of each page, at a device pixel ratio of 1, so that the files stay small. The README shows them.
Name pages to write only those: `scripts/screenshots.py record team-balance`.
"""

import os
import sys
import tempfile
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
WIDTHS = {1280: 900, 390: 844}
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def setup_django(database):
    sys.path.insert(0, str(ROOT))
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["MFA_REQUIRED_FOR"] = "nobody"  # demo logins, no second step to set up
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop runs in this thread
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "supervision.settings")
    import django

    django.setup()


def serve():
    """The demo on a live server in this process; returns its base URL."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler
    from django.core.management import call_command
    from django.test.testcases import LiveServerThread

    call_command("migrate", verbosity=0)
    call_command("seed_demo", stdout=StringIO())
    server = LiveServerThread("127.0.0.1", static_handler=StaticFilesHandler, port=0)
    server.daemon = True
    server.start()
    server.is_ready.wait()
    if server.error:
        raise server.error
    return f"http://127.0.0.1:{server.port}"


def pages():
    """(file name, demo login, path, what to do on the page first) for each screenshot."""
    from demo import data as demo
    from people.models import User
    from sessions_app.models import RecordState, Session, Status

    david = f"david.marsh@{demo.MAIL}"
    mark = User.objects.get(email=demo.MANAGEMENT_DOMINATED_EMAIL)
    record = (
        Session.objects.filter(
            supervisor__email=david,
            attendances__person=mark,
            status=Status.HELD,
            record_state=RecordState.SIGNED_OFF,
        )
        .order_by("-date")
        .first()
    )
    shared = Session.objects.filter(
        attendances__person=mark, record_state=RecordState.SHARED
    ).order_by("-date")

    def type_two_items(page):
        page.get_by_label("Duration (minutes)").fill("60")
        for index, (title, minutes, function) in enumerate(
            [("Caseload and deadlines", 40, "management"), ("A difficult visit", 30, "support")]
        ):
            page.get_by_role("button", name="Add an item").click()
            page.locator(f"#id_items-{index}-title").fill(title)
            page.locator(f"#id_items-{index}-minutes").fill(str(minutes))
            page.locator(f"input[name='items-{index}-functions'][value='{function}']").check()
        page.locator("#id_items-1-minutes").focus()
        page.wait_for_timeout(600)  # the live tally's answer

    def phone_scrolls_to(selector):
        """On a phone, scroll past the filters to the first table (the page's point)."""

        def scroll(page):
            if page.viewport_size["width"] < 768:
                page.locator(selector).first.evaluate(
                    '(element) => element.scrollIntoView({behavior: "instant"})'
                )

        return scroll

    feedback = [f"/sessions/{s.pk}/feedback/" for s in shared[:3]]
    tables = phone_scrolls_to("main h2")
    return [
        ("home-supervisor", david, "/", None),
        ("session-list", david, "/sessions/", None),
        ("record", david, f"/sessions/{record.pk}/", None),
        ("recording-form", david, f"/sessions/new/?supervisee={mark.pk}&held=1", type_two_items),
        ("feedback", mark.email, feedback, None),
        ("home-supervisee", mark.email, "/", None),
        ("team-balance", david, "/audit/teams/", tables),
        ("person-balance", david, f"/audit/people/{mark.pk}/", tables),
        ("organisation", demo.ADMIN_EMAIL, "/audit/organisation/", tables),
    ]


def main(only=()):
    """Write every screenshot, or those named in `only` (home-supervisor, record, ...)."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp) / "screenshots.sqlite3")
        from demo import data as demo

        base = serve()
        OUT.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, email, paths, prepare in pages():
                if only and name not in only:
                    continue
                for width, height in WIDTHS.items():
                    context = browser.new_context(
                        base_url=base,
                        viewport={"width": width, "height": height},
                        device_scale_factor=1,
                    )
                    page = context.new_page()
                    page.goto("/accounts/login/")
                    page.get_by_label("Email address").fill(email)
                    page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
                    page.get_by_role("button", name="Sign in").click()
                    page.wait_for_url(f"{base}/")
                    # The first of the paths that opens (a feedback form may have closed).
                    for path in [paths] if isinstance(paths, str) else paths:
                        response = page.goto(path)
                        if response and response.ok:
                            break
                    else:
                        print(f"skipped {name}: none of {paths} opens")
                        context.close()
                        continue
                    if prepare:
                        prepare(page)
                    target = OUT / f"{name}-{width}.png"
                    page.screenshot(path=target)
                    print(f"wrote {target.relative_to(ROOT)}")
                    context.close()
            browser.close()


if __name__ == "__main__":
    main(sys.argv[1:])
