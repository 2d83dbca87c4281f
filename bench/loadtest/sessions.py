"""Signed-in sessions for the load test, one per simulated person, written as JSON.

    DATABASE_URL=... .venv/bin/python -m bench.loadtest.sessions OUT.json

Signing in through the form costs a deliberately slow password hash per person (about a
second of CPU): fifty of them would be the load test's own load, not the pages'. So each
simulated person gets a session made the way a sign-in makes it, in the database every app
server reads, and the load generator sends its cookie. Three kinds: supervisors (people with
current supervisees), supervisees, and team managers, with the ids of pages they may open.
"""

import json
import sys

from bench.imports import setup_django

PER_ROLE = 20
BACKEND = "allauth.account.auth_backends.AuthenticationBackend"


def main(path):
    setup_django(migrate=False)
    from django.conf import settings
    from django.test import Client

    from people.models import Relationship, Team, User
    from sessions_app.models import Session

    def cookie(user):
        client = Client()
        client.force_login(user, backend=BACKEND)
        return client.cookies[settings.SESSION_COOKIE_NAME].value

    current = Relationship.objects.filter(end_date__isnull=True)
    supervisors = User.objects.filter(pk__in=current.values("supervisor"), is_active=True).order_by(
        "pk"
    )[:PER_ROLE]
    supervisees = User.objects.filter(pk__in=current.values("supervisee"), is_active=True).order_by(
        "pk"
    )[:PER_ROLE]
    managers = User.objects.filter(
        pk__in=Team.managers.through.objects.values("user"), is_active=True
    ).order_by("pk")[:PER_ROLE]
    people = {
        "supervisor": [
            {
                "cookie": cookie(user),
                "sessions": list(
                    Session.objects.filter(supervisor=user)
                    .order_by("-date")
                    .values_list("pk", flat=True)[:5]
                ),
                "supervisees": list(
                    current.filter(supervisor=user).values_list("supervisee", flat=True)[:5]
                ),
            }
            for user in supervisors
        ],
        "supervisee": [{"cookie": cookie(user)} for user in supervisees],
        "manager": [
            {
                "cookie": cookie(user),
                "teams": list(user.managed_teams.values_list("pk", flat=True)),
            }
            for user in managers
        ],
    }
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"cookie_name": settings.SESSION_COOKIE_NAME, "people": people}, out)
    print(", ".join(f"{len(v)} {k}s" for k, v in people.items()))


if __name__ == "__main__":
    main(sys.argv[1])
