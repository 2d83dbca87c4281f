"""The inspection pack: a PDF and a zip of CSV files with the figures, and never any text
that was recorded in a session."""

import csv
import datetime
import io
import zipfile

import pypdfium2
import pytest
from django.urls import reverse
from pypdf import PdfReader

from tests.conftest import sign_in_as
from tests.planted import leaks, plant

pytestmark = pytest.mark.django_db

ORGANISATION = "Northbridge Borough Council"


@pytest.fixture(autouse=True)
def organisation_name(settings):
    settings.ORGANISATION_NAME = ORGANISATION


@pytest.fixture
def recorded(supervisor, supervisee, other_supervisor):
    return plant(supervisor=supervisor, supervisee=supervisee)


def pdf_text(content: bytes) -> str:
    """Every page's text, with whitespace (line breaks inside a cell) made single spaces."""
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def first_page_image(content: bytes):
    document = pypdfium2.PdfDocument(content)
    try:
        return document[0].render(scale=1).to_pil()
    finally:
        document.close()


def download(client, name, *args, **params):
    return client.get(reverse(name, args=args), params)


def test_a_managers_team_pack_has_the_figures_and_no_recorded_text(
    client, manager, team, recorded, today
):
    sign_in_as(client, manager)
    response = download(client, "inspection:team_pdf", team.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    content = response.content

    image = first_page_image(content)
    assert image.width > 500 and image.height > 700
    # Not a blank page: some of it is ink.
    assert image.convert("L").getextrema()[0] < 100

    text = pdf_text(content)
    assert ORGANISATION in text
    assert "Supervision inspection pack: Adults North" in text
    assert f"produced on {today:%-d %B %Y}" in text
    # Management: 40 + 10 minutes in each of two sessions, of 60 tagged: 83.33%.
    assert "83.33%" in text
    assert (
        "management took 83.33% of 120 minutes across 2 sessions; the policy flags above 50%"
        in text
    )
    assert "Sam Social said management dominated, in 1 feedback in this window" in text
    assert "Sam Social" in text
    # The compliance checks and the feedback counts are there, as counts.
    assert "One-to-ones shorter than 90 minutes" in text
    assert "1 feedback on held sessions" in text
    assert leaks(text) == []
    assert leaks(content.decode("latin-1")) == []


def test_the_csv_bundle_has_the_same_figures_and_no_recorded_text(
    client, manager, team, recorded, today
):
    start = today - datetime.timedelta(days=100)
    sign_in_as(client, manager)
    response = download(
        client,
        "inspection:team_csv",
        team.pk,
        window="custom",
        **{"from": start.isoformat(), "to": today.isoformat()},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = {name.rsplit("/", 1)[1] for name in archive.namelist()}
    assert {
        "about.csv",
        "compliance.csv",
        "totals.csv",
        "balances.csv",
        "flags.csv",
        "overdue.csv",
        "trend.csv",
        "cancellations.csv",
        "feedback.csv",
    } <= names
    files = {
        name.rsplit("/", 1)[1]: archive.read(name).decode("utf-8-sig")
        for name in archive.namelist()
    }
    for name, text in files.items():
        assert leaks(text) == [], name
    balances = list(csv.DictReader(io.StringIO(files["balances.csv"])))
    assert [row["supervisee"] for row in balances] == ["sam@example.org"]
    assert balances[0]["share_management"] == "0.8333"
    assert balances[0]["from"] == start.isoformat()
    about = dict(csv.reader(io.StringIO(files["about.csv"])))
    assert about["organisation"] == ORGANISATION
    assert about["scope"] == "Adults North"
    flags = list(csv.DictReader(io.StringIO(files["flags.csv"])))
    assert {"management_dominant", "supervisee_reported_dominance"} <= {f["flag"] for f in flags}


def test_another_teams_pack_does_not_exist_for_a_manager(client, other_manager, team, recorded):
    sign_in_as(client, other_manager)
    assert download(client, "inspection:team_pdf", team.pk).status_code == 404
    assert download(client, "inspection:team_csv", team.pk).status_code == 404
    assert download(client, "inspection:organisation_pdf").status_code == 404


def test_the_organisations_pack_is_for_administrators(
    client, administrator, recorded, other_supervisor
):
    sign_in_as(client, administrator)
    response = download(client, "inspection:organisation_pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "Supervision inspection pack: Whole organisation" in text
    assert "Team by team" in text
    assert "Adults North" in text and "Children West" in text
    assert leaks(text) == []
    archive = zipfile.ZipFile(io.BytesIO(download(client, "inspection:organisation_csv").content))
    totals = next(n for n in archive.namelist() if n.endswith("totals.csv"))
    scopes = [
        row["scope"]
        for row in csv.DictReader(io.StringIO(archive.read(totals).decode("utf-8-sig")))
    ]
    assert scopes == ["Adults North", "Children West", "Whole organisation"]


def test_a_bad_window_is_explained_not_packed(client, manager, team):
    sign_in_as(client, manager)
    response = download(
        client, "inspection:team_pdf", team.pk, window="custom", **{"from": "2026-13-01"}
    )
    assert response.status_code == 400
    assert "Enter a date as YYYY-MM-DD" in response.text


def test_the_choice_page_lists_each_managed_team_and_the_organisation_for_administrators(
    client, manager, administrator, team, other_team
):
    sign_in_as(client, manager)
    page = client.get(reverse("inspection:index"))
    assert reverse("inspection:team_pdf", args=[team.pk]) in page.text
    assert reverse("inspection:team_pdf", args=[other_team.pk]) not in page.text
    assert reverse("inspection:organisation_pdf") not in page.text
    sign_in_as(client, administrator)
    page = client.get(reverse("inspection:index"))
    assert reverse("inspection:team_pdf", args=[other_team.pk]) in page.text
    assert reverse("inspection:organisation_pdf") in page.text


def test_the_pages_and_the_pdfs_page_need_no_inline_style(client, administrator, team):
    from tests.test_headers import inline_code

    sign_in_as(client, administrator)
    assert inline_code(client.get(reverse("inspection:index")).content.decode()) == []
    assert inline_code(client.get(reverse("admin:api_apitoken_add")).content.decode()) == []


def test_without_pango_the_pdf_says_why_and_offers_the_csv_files(
    client, manager, team, monkeypatch
):
    def no_pango(pack):
        raise OSError("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr("inspection.views.pack_pdf", no_pango)
    sign_in_as(client, manager)
    response = download(client, "inspection:team_pdf", team.pk, window="6")
    assert response.status_code == 503
    assert "missing a system package" in response.text
    assert reverse("inspection:team_csv", args=[team.pk]) + "?window=6" in response.text
