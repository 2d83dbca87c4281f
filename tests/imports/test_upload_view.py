"""The administrators' upload page: who may see it, and what it shows for good and bad files."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import User
from sessions_app.models import Session
from tests.imports.helpers import (
    PEOPLE_HEADER,
    SESSIONS_HEADER,
    census,
    csv_text,
    person_row,
    session_row,
)

URL = reverse("imports:upload")


def upload(content, name="file.csv"):
    return SimpleUploadedFile(name, content.encode() if isinstance(content, str) else content)


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("who", ["supervisor", "manager", "outsider"])
def test_people_who_are_not_administrators_get_404(request, login, who):
    client = login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    file = upload(csv_text(PEOPLE_HEADER, [person_row()]))
    before = census()
    assert client.post(URL, {"kind": "people", "file": file}).status_code == 404
    assert census() == before


def test_administrator_sees_the_form(login, administrator):
    response = login(administrator).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    assert 'type="file"' in content
    assert "CSV file" in content
    assert 'value="people"' in content and 'value="sessions"' in content
    assert "Check only (dry run)" in content


def test_other_methods_are_refused(login, administrator):
    assert login(administrator).put(URL).status_code == 405


def test_administrator_imports_a_good_people_file(login, administrator):
    file = upload(csv_text(PEOPLE_HEADER, [person_row(email="kim@example.org", name="Kim")]))

    response = login(administrator).post(URL, {"kind": "people", "file": file})

    assert response.status_code == 200
    assert "Imported 1 person (1 new, 0 changed, 0 unchanged)" in response.content.decode()
    assert User.objects.get(email="kim@example.org").name == "Kim"


def test_administrator_imports_a_good_sessions_file(login, administrator, supervisee):
    file = upload(csv_text(SESSIONS_HEADER, [session_row()]))

    response = login(administrator).post(URL, {"kind": "sessions", "file": file})

    assert "Imported 1 session (1 new, 0 changed, 0 unchanged)" in response.content.decode()
    assert Session.objects.get(external_ref="S1").items.count() == 1


def test_dry_run_checks_without_writing(login, administrator, supervisee):
    file = upload(csv_text(SESSIONS_HEADER, [session_row()]))
    before = census()

    response = login(administrator).post(URL, {"kind": "sessions", "file": file, "dry_run": "on"})

    assert "nothing was written. It would import 1 session" in response.content.decode()
    assert census() == before


def test_bad_file_shows_every_row_problem_and_writes_nothing(login, administrator, supervisee):
    rows = [
        session_row(),
        session_row(session_ref="S2", date="2026-13-01", functions="fun"),
    ]
    file = upload(csv_text(SESSIONS_HEADER, rows))
    before = census()

    response = login(administrator).post(URL, {"kind": "sessions", "file": file})

    assert response.status_code == 200
    assert response.context["result"].problems == [
        'row 3, column date: "2026-13-01" is not a date in the form YYYY-MM-DD',
        'row 3, column functions: "fun" is not a function '
        "(use management;development;support;mediation)",
    ]
    content = response.content.decode()
    assert "Nothing was imported: 2 problems" in content
    assert "row 3, column date: &quot;2026-13-01&quot; is not a date" in content
    assert census() == before


NOT_UTF8 = 'this value is not UTF-8 text; save the file as "CSV UTF-8" and try again'


@pytest.mark.parametrize(
    "content, expected",
    [
        (
            "email,name,team,role\nzoë@example.org,Zoë,Adults North,practitioner\n".encode(
                "latin-1"
            ),
            [f"row 2, column email: {NOT_UTF8}", f"row 2, column name: {NOT_UTF8}"],
        ),
        (
            bytes(range(256)) * 4,
            [
                "row 1, column email: this is not a CSV file (it holds binary data); row 1 must "
                "name the columns email, name, team, role "
                "(and may add supervisor, frequency, start_date, supervised_from, end_date, "
                "team_from)"
            ],
        ),
    ],
    ids=["latin-1", "binary"],
)
def test_file_that_is_not_utf8_text_gets_a_message(login, administrator, content, expected):
    before = census()

    response = login(administrator).post(URL, {"kind": "people", "file": upload(content)})

    assert response.status_code == 200
    assert response.context["result"].problems == expected
    assert "Nothing was imported" in response.content.decode()
    assert census() == before


def test_missing_file_is_a_form_error(login, administrator):
    response = login(administrator).post(URL, {"kind": "people"})

    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert response.context["result"] is None


def test_a_page_of_very_many_problems_shows_the_first_and_points_to_the_command(
    login, administrator, monkeypatch
):
    monkeypatch.setattr("imports.views.PROBLEMS_SHOWN", 2)
    rows = [person_row(email=f"bad-{n}") for n in range(5)]
    file = upload(csv_text(PEOPLE_HEADER, rows))

    content = login(administrator).post(URL, {"kind": "people", "file": file}).content.decode()

    assert "Nothing was imported: 5 problems" in content
    assert content.count('<li class="list-group-item">row ') == 2
    assert "The first 2 in the file are listed here" in content
    assert "command lists every one" in content
