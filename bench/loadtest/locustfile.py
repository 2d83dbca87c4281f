"""The load test's simulated people (locust): supervisors, supervisees and team managers.

Run by `make loadtest` (scripts/loadtest.sh), which prepares LOADTEST_PEOPLE (bench.loadtest.
sessions: a signed-in session per person) and points locust at 127.0.0.1 only. Each person
reads the pages of their role, with a pause of one to three seconds between pages, as people
do; every answer but 200 counts as an error.
"""

import itertools
import json
import os
import random
from urllib.parse import urlsplit

from locust import HttpUser, between, task

with open(os.environ["LOADTEST_PEOPLE"], encoding="utf-8") as people_file:
    PREPARED = json.load(people_file)
COOKIE = PREPARED["cookie_name"]
NEXT = {role: itertools.cycle(people) for role, people in PREPARED["people"].items() if people}


class Person(HttpUser):
    abstract = True
    role = None
    wait_time = between(1, 3)

    def on_start(self):
        host = urlsplit(self.host).hostname
        if host not in ("127.0.0.1", "localhost"):
            raise RuntimeError(f"the load test runs against 127.0.0.1 only, not {host}")
        self.person = next(NEXT[self.role])
        # Sent as a header: the answers' Set-Cookie is marked Secure (production settings),
        # which a cookie jar would then keep from plain HTTP to 127.0.0.1.
        self.cookie = f"{COOKIE}={self.person['cookie']}"

    def page(self, url, name=None):
        with self.client.get(
            url,
            name=name or url,
            headers={"Cookie": self.cookie},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} for {url}")


class Supervisor(Person):
    role = "supervisor"
    weight = 3

    @task(3)
    def home(self):
        self.page("/")

    @task(2)
    def my_supervisees(self):
        self.page("/audit/supervisees/")

    @task(2)
    def session_list(self):
        self.page("/sessions/")

    @task(2)
    def record(self):
        if self.person["sessions"]:
            self.page(f"/sessions/{random.choice(self.person['sessions'])}/", "/sessions/[id]/")

    @task(1)
    def supervisee_balance(self):
        if self.person["supervisees"]:
            pk = random.choice(self.person["supervisees"])
            self.page(f"/audit/people/{pk}/", "/audit/people/[id]/")


class Supervisee(Person):
    role = "supervisee"
    weight = 3

    @task(3)
    def home(self):
        self.page("/")

    @task(2)
    def my_balance(self):
        self.page("/audit/")

    @task(1)
    def session_list(self):
        self.page("/sessions/")


class Manager(Person):
    role = "manager"
    weight = 2

    @task(3)
    def team_balance(self):
        teams = self.person["teams"]
        url = f"/audit/teams/?team={random.choice(teams)}" if teams else "/audit/teams/"
        self.page(url, "/audit/teams/")

    @task(2)
    def team_part(self):
        """One of the team's other pages, a tab from its balance."""
        teams = self.person["teams"]
        part = random.choice(["months", "feedback", "checks"])
        query = f"?team={random.choice(teams)}" if teams else ""
        self.page(f"/audit/teams/{part}/{query}", f"/audit/teams/{part}/")

    @task(1)
    def session_list(self):
        self.page("/sessions/")

    @task(2)
    def home(self):
        self.page("/")
