import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from people.models import User

pytestmark = pytest.mark.django_db


def test_imported_person_without_a_password_gets_a_link_to_set_one(client, tmp_path, mailoutbox):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,name,team,role,supervisor,frequency,start_date\n"
        "New.Person@Example.org,New Person,Adults North,practitioner,,,2026-01-05\n",
        encoding="utf-8",
    )
    call_command("import_people", str(path), stdout=io.StringIO())
    person = User.objects.get(email="new.person@example.org")
    assert not person.has_usable_password()

    response = client.post(reverse("password_reset"), {"email": "NEW.PERSON@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.org"]
    assert "/accounts/reset/" in mailoutbox[0].body


def test_unknown_email_sends_nothing_and_says_the_same(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert mailoutbox == []


def test_login_is_by_email_in_any_case(client, supervisor):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "SUE@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).context["user"] == supervisor
