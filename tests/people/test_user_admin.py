"""Administrators add people in admin: with a password, or with none until they set it."""

import pytest
from django.urls import reverse

from people.models import User

pytestmark = pytest.mark.django_db

# The add page carries the supervisors inline; an empty one is part of every post.
NO_SUPERVISORS = {
    "supervisor_relationships-TOTAL_FORMS": "0",
    "supervisor_relationships-INITIAL_FORMS": "0",
}


def test_add_person_page_opens_for_an_administrator(client, administrator):
    client.force_login(administrator)
    response = client.get(reverse("admin:people_user_add"))
    assert response.status_code == 200
    assert b'name="usable_password"' in response.content


def test_administrator_adds_a_person_who_sets_their_own_password(client, administrator, team):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:people_user_add"),
        {
            "email": "New.Starter@Example.org",
            "name": "New Starter",
            "team": team.pk,
            "usable_password": "false",
            **NO_SUPERVISORS,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = User.objects.get(email="new.starter@example.org")
    assert person.name == "New Starter"
    assert person.team == team
    assert not person.has_usable_password()


def test_administrator_adds_a_person_with_a_password(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:people_user_add"),
        {
            "email": "pat@example.org",
            "name": "Pat Practitioner",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            **NO_SUPERVISORS,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="pat@example.org").check_password("a-long-enough-passphrase")


def test_short_password_is_refused_beside_the_field(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:people_user_add"),
        {
            "email": "pat@example.org",
            "name": "Pat Practitioner",
            "usable_password": "true",
            "password1": "short-pass1",
            "password2": "short-pass1",
            **NO_SUPERVISORS,
        },
    )
    assert response.status_code == 200
    assert "at least 12 characters" in str(response.context["adminform"].form.errors)
    assert not User.objects.filter(email="pat@example.org").exists()
