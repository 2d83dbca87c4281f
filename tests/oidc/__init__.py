"""A real OpenID Connect provider for the single sign-on tests: oidc-provider (OpenID-certified,
from npm) run by `provider.mjs` on 127.0.0.1, started by the tests themselves.

Its npm packages are installed on first use into tests/oidc/node_modules (`npm ci`, from the
committed lock file; `make oidc-provider` does the same). Without node the tests are skipped,
with the reason, unless FOURFOLD_OIDC=required (as in .ci/run): then they fail.
"""

import contextlib
import fcntl
import os
import queue
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "provider.mjs"
CLIENT_ID = "fourfold-tests"
CLIENT_SECRET = "fourfold-tests-secret-not-for-production"  # noqa: S105
REDIRECT_URI = "http://testserver/accounts/oidc/sso/login/callback/"
START_TIMEOUT = 30


def _required() -> bool:
    return os.environ.get("FOURFOLD_OIDC", "").strip().lower() == "required"


def _unavailable(reason: str):
    if _required():
        pytest.fail(f"FOURFOLD_OIDC=required, but {reason}")
    pytest.skip(f"{reason}; set FOURFOLD_OIDC=required to make this a failure")


def install() -> None:
    """`npm ci` into tests/oidc/node_modules once (a lock keeps parallel workers in turn)."""
    if (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is not installed, so the test identity provider cannot be installed")
    with open(HERE / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if (HERE / "node_modules" / "oidc-provider" / "package.json").exists():
            return
        result = subprocess.run(  # noqa: S603
            [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=HERE,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if result.returncode != 0:
            pytest.fail(f"npm ci in {HERE} failed:\n{result.stdout}\n{result.stderr}")


@dataclass
class IdentityProvider:
    issuer: str
    process: subprocess.Popen

    def tamper_with_next_id_token(self):
        with requests.Session() as session:
            session.trust_env = False
            session.post(f"{self.issuer}/__test__/tamper", timeout=5).raise_for_status()

    def sign_in(self, client, *, email, name="", upn="", start=None):
        """What a browser does: start at Fourfold, sign in at the provider as `email`, come
        back with the code. Returns Fourfold's answer to the callback."""
        from django.urls import reverse

        start = start or client.post(reverse("openid_connect_login", args=["sso"]))
        assert start.status_code == 302, start
        authorize = start.url
        assert authorize.startswith(self.issuer + "/"), authorize
        browser = requests.Session()
        browser.trust_env = False  # straight to 127.0.0.1, whatever proxy is configured
        answer = browser.get(authorize, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), answer.text
        interaction = urljoin(self.issuer, answer.headers["location"])
        answer = browser.post(
            interaction + "/login",
            data={"email": email, "name": name, "upn": upn},
            allow_redirects=False,
            timeout=10,
        )
        assert answer.status_code in (302, 303), answer.text
        answer = browser.get(
            urljoin(self.issuer, answer.headers["location"]), allow_redirects=False, timeout=10
        )
        assert answer.status_code in (302, 303), answer.text
        callback = answer.headers["location"]
        assert callback.startswith("http://testserver/"), callback
        parts = urlsplit(callback)
        return client.get(f"{parts.path}?{parts.query}")


def start() -> IdentityProvider:
    node = shutil.which("node")
    if node is None:
        _unavailable("node is not installed, so the test identity provider cannot run")
    install()
    process = subprocess.Popen(  # noqa: S603
        [
            node,
            str(SCRIPT),
            "--client-id",
            CLIENT_ID,
            "--client-secret",
            CLIENT_SECRET,
            "--redirect-uri",
            REDIRECT_URI,
            # The tests' frozen clock (time-machine): the tokens' times must agree with it.
            "--now",
            str(int(time.time())),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    lines = queue.Queue()
    threading.Thread(
        target=lambda: [lines.put(line) for line in process.stdout], daemon=True
    ).start()
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if process.poll() is not None:
                break
            continue
        if line.startswith("READY "):
            return IdentityProvider(issuer=line.split(" ", 1)[1].strip(), process=process)
    stop(process)
    pytest.fail("the test identity provider did not start (tests/oidc/provider.mjs)")


def stop(process) -> None:
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
