import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from people.models import User
from tests.factories import PASSWORD
from tests.people.conftest import sign_in, signed_in_as

pytestmark = pytest.mark.django_db


def import_one_person(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "email,name,team,role,supervisor,frequency,start_date\n"
        "New.Person@Example.org,New Person,Adults North,practitioner,,,2026-01-05\n",
        encoding="utf-8",
    )
    call_command("import_people", str(path), stdout=io.StringIO())
    return User.objects.get(email="new.person@example.org")


def test_imported_person_without_a_password_sets_their_first_one_by_link(
    client, tmp_path, mailoutbox
):
    person = import_one_person(tmp_path)
    assert not person.has_usable_password()

    response = client.post(reverse("account_reset_password"), {"email": "NEW.PERSON@example.org"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["new.person@example.org"]
    link = next(
        word for word in mailoutbox[0].body.split() if "/accounts/password/reset/key/" in word
    )

    # The link leads (through one redirect that hides the key from the address bar) to a form.
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url, {"password1": "a-first-long-passphrase", "password2": "a-first-long-passphrase"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password("a-first-long-passphrase")
    assert sign_in(client, "new.person@example.org", "a-first-long-passphrase").status_code == 302


def test_reset_link_refuses_a_short_password(client, tmp_path, mailoutbox):
    person = import_one_person(tmp_path)
    client.post(reverse("account_reset_password"), {"email": person.email})
    link = next(
        word for word in mailoutbox[0].body.split() if "/accounts/password/reset/key/" in word
    )
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    response = client.post(form_url, {"password1": "short-pass1", "password2": "short-pass1"})
    assert response.status_code == 200
    assert "at least 12 characters" in str(response.context["form"].errors)
    person.refresh_from_db()
    assert not person.has_usable_password()


def test_unknown_email_sends_nothing_and_says_the_same(client, mailoutbox, supervisor):
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    known = client.post(reverse("account_reset_password"), {"email": supervisor.email})
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url
    assert [message.to for message in mailoutbox] == [[supervisor.email]]


def test_sign_in_is_by_email_in_any_case(client, supervisor):
    response = sign_in(client, "SUE@Example.org", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_as(client) == supervisor


def test_person_without_a_password_cannot_sign_in(client, tmp_path):
    person = import_one_person(tmp_path)
    response = sign_in(client, person.email, "")
    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_change_password_keeps_the_person_signed_in(client, supervisor):
    sign_in(client, supervisor.email)
    response = client.post(
        reverse("account_change_password"),
        {
            "oldpassword": PASSWORD,
            "password1": "another-long-passphrase",
            "password2": "another-long-passphrase",
        },
    )
    assert response.status_code == 302
    supervisor.refresh_from_db()
    assert supervisor.check_password("another-long-passphrase")
    assert signed_in_as(client) == supervisor
