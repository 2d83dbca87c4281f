"""Words for people: names not e-mails, dates as "3 Dec 2026", the supervisee as "you", history
as "Shared by Sue Supervisor, 25 Nov 2026 10:30", an in-app import guide, the audit policy in
percentages on a Fourfold page."""

import csv
import datetime
import io
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from audit.models import AuditPolicy
from core import clock
from core.dates import date_text, day_text, day_time_text, time_text
from imports.guide import PEOPLE_COLUMNS, SESSIONS_COLUMNS
from imports.people import LAYOUT as PEOPLE_LAYOUT
from imports.sessions import LAYOUT as SESSIONS_LAYOUT
from sessions_app.models import RecordState
from tests.factories import FeedbackFactory, ItemFactory, SessionFactory

pytestmark = pytest.mark.django_db

RAW_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def text_of(response):
    """What a person reads on the page: the HTML without its tags."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


class TestDates:
    def test_one_way_to_write_a_day_and_a_time(self):
        london = ZoneInfo("Europe/London")
        assert day_text(datetime.date(2026, 12, 3)) == "3 Dec 2026"
        moment = datetime.datetime(2026, 12, 3, 14, 2, tzinfo=datetime.UTC)
        assert day_time_text(moment) == "3 Dec 2026 14:02"
        # In British Summer Time the organisation's clock is an hour ahead of UTC.
        summer = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)
        assert day_time_text(summer) == "2 Jul 2026 00:30"
        assert time_text(datetime.time(9, 5)) == "09:05"
        assert day_text(None) == "" and day_time_text(None) == ""
        assert summer.astimezone(london).hour == 0

    def test_a_date_in_a_format_of_its_own_reads_as_djangos_date_filter_writes_it(self):
        from django.template import Context, Template
        from django.template.defaultfilters import date as django_date
        from django.utils import translation

        day = datetime.date(2026, 12, 3)
        for form in ("M Y", "j M", "j F Y", "l j F Y"):
            assert date_text(day, form) == django_date(day, form)
        assert date_text(day, "M Y") == "Dec 2026"
        assert date_text(day, "l j F Y") == "Thursday 3 December 2026"
        assert date_text(None, "M Y") == ""
        # A moment is written in the organisation's time zone, as by Django's filter.
        late = datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.UTC)
        page = Template('{{ late|dated:"H:i, j M Y" }} {{ late|date:"H:i, j M Y" }}')
        assert page.render(Context({"late": late})) == "00:30, 2 Jul 2026 00:30, 2 Jul 2026"
        # A date's text is remembered per language, never across languages.
        with translation.override("fr"):
            assert date_text(day, "F") == django_date(day, "F") == "décembre"
        assert date_text(day, "F") == "December"

    def test_the_filter_form_does_not_ask_for_yyyy_mm_dd_under_a_date_picker(
        self, login, supervisee
    ):
        body = login(supervisee).get(reverse("audit:my_balance")).content.decode()
        assert 'type="date"' in body
        assert "YYYY-MM-DD" not in body


@pytest.fixture
def shared(login, supervisor, supervisee):
    session = SessionFactory(
        supervisor=supervisor, supervisee=supervisee, date=datetime.date(2026, 11, 20)
    )
    ItemFactory(session=session, minutes=30)
    login(supervisor).post(reverse("sessions:share", args=[session.pk]))
    login(supervisee).post(
        reverse("sessions:acknowledge", args=[session.pk]), {"response": "agree"}
    )
    return session


class TestHistory:
    def test_history_reads_as_sentences_with_names_and_dates(
        self, login, supervisor, supervisee, shared
    ):
        for reader in (supervisor, supervisee):
            text = text_of(login(reader).get(reverse("sessions:detail", args=[shared.pk])))
            assert re.search(r"Shared by Sue Supervisor, 25 Nov 2026 \d\d:\d\d", text)
            assert re.search(r"Acknowledged by Sam Social, 25 Nov 2026 \d\d:\d\d", text)
            assert "added the acknowledgement of" not in text
            assert not RAW_TIMESTAMP.search(text), RAW_TIMESTAMP.search(text)
            assert "+00:00" not in text

    def test_changed_dates_and_people_are_written_for_people(self, login, supervisor, shared):
        text = text_of(login(supervisor).get(reverse("sessions:detail", args=[shared.pk])))
        # The session's own change when it was shared: when, as a date and time.
        assert re.search(r"shared at: - → 25 Nov 2026 \d\d:\d\d", text)
        assert "sam@example.org" not in text and "sue@example.org" not in text


class TestFlagReasons:
    @pytest.fixture
    def flagged(self, supervisor, supervisee):
        """Sam said management dominated; his last one-to-one was long ago (overdue)."""
        for days in (70, 80):
            session = SessionFactory(
                supervisor=supervisor,
                supervisee=supervisee,
                date=clock.today() - datetime.timedelta(days=days),
                record_state=RecordState.SHARED,
            )
            ItemFactory(session=session, minutes=60, functions=["support"])
            FeedbackFactory(
                session=session,
                person=supervisee,
                management="too_much",
                dominated="management",
                usefulness=3,
            )
        return supervisee

    def test_the_supervisee_reads_about_themself_as_you(self, login, flagged):
        text = text_of(login(flagged).get(reverse("audit:my_balance")))
        assert "you said management dominated" in text
        assert "days since your last one-to-one with Sue Supervisor" in text
        assert "the supervisee said" not in text
        assert "Your balance" in text

    def test_others_read_names_and_dates_never_emails(self, login, manager, flagged):
        for page in (
            reverse("audit:person", args=[flagged.pk]),
            reverse("audit:team_balance"),
        ):
            text = text_of(login(manager).get(page))
            assert "Sam Social said management dominated" in text
            assert "last one-to-one with Sue Supervisor, by 25 Nov 2026" in text
            assert "@example.org" not in text
            assert not ISO_DATE.search(text), ISO_DATE.search(text)
        # The team's other pages name people too: the cycle's rows, the supervisors' rates.
        for name, who in [
            ("audit:team_months", "Sam Social"),
            ("audit:team_feedback", ""),
            ("audit:team_checks", "Sue Supervisor"),
        ]:
            text = text_of(login(manager).get(reverse(name)))
            assert who in text, name
            assert "@example.org" not in text, name
            assert not ISO_DATE.search(text), (name, ISO_DATE.search(text))


class TestImportGuide:
    def test_the_import_page_links_to_the_guide_and_templates(self, login, administrator):
        body = login(administrator).get(reverse("imports:upload")).content.decode()
        assert reverse("imports:guide") in body
        assert reverse("imports:template", args=["people"]) in body
        assert "docs/imports.md" not in body

    def test_the_guide_explains_every_column_the_importers_read(self, login, administrator):
        text = text_of(login(administrator).get(reverse("imports:guide")))
        for layout in (PEOPLE_LAYOUT, SESSIONS_LAYOUT):
            for column in layout.required + layout.optional:
                assert column in text
        assert set(PEOPLE_COLUMNS) == set(PEOPLE_LAYOUT.required + PEOPLE_LAYOUT.optional)
        assert set(SESSIONS_COLUMNS) == set(SESSIONS_LAYOUT.required + SESSIONS_LAYOUT.optional)

    @pytest.mark.parametrize(
        ("kind", "layout"), [("people", PEOPLE_LAYOUT), ("sessions", SESSIONS_LAYOUT)]
    )
    def test_each_template_has_the_columns_the_importer_reads(
        self, login, administrator, kind, layout
    ):
        response = login(administrator).get(reverse("imports:template", args=[kind]))
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows == [[*layout.required, *layout.optional]]

    def test_a_template_imports_as_an_empty_file_with_the_right_header(self, login, administrator):
        """The template's header is one the importer accepts (no "missing column" problem)."""
        client = login(administrator)
        header = client.get(reverse("imports:template", args=["people"])).content
        row = b"\r\npat@example.org,Pat Senior,Adults North,practitioner,,,,,,\r\n"
        upload = io.BytesIO(header.rstrip(b"\r\n") + row)
        upload.name = "people.csv"
        response = client.post(
            reverse("imports:upload"), {"kind": "people", "file": upload, "dry_run": "on"}
        )
        assert "The people file is valid" in response.content.decode()

    def test_only_administrators_see_the_guide(self, login, manager, supervisor):
        for user in (manager, supervisor):
            assert login(user).get(reverse("imports:guide")).status_code == 404
            template = reverse("imports:template", args=["people"])
            assert login(user).get(template).status_code == 404

    def test_an_unknown_template_is_not_found(self, login, administrator):
        url = reverse("imports:template", args=["passwords"])
        assert login(administrator).get(url).status_code == 404


POLICY = {
    "dominance_threshold": "50",
    "neglect_threshold": "10",
    "short_circuit_threshold": "50",
    "stakeholder_threshold": "0",
    "min_sessions": "2",
    "min_session_minutes": "90",
    "share_deadline_days": "7",
    "feedback_open_days": "14",
    "feedback_visibility": "counts",
}


class TestPolicyPage:
    def test_thresholds_are_shown_and_typed_as_percentages(self, login, administrator):
        client = login(administrator)
        body = client.get(reverse("audit:policy")).content.decode()
        assert 'name="dominance_threshold" value="50"' in body
        response = client.post(reverse("audit:policy"), {**POLICY, "dominance_threshold": "62.5"})
        assert response.status_code == 302
        assert AuditPolicy.current().dominance_threshold == Decimal("0.625")

    def test_a_percentage_out_of_range_is_refused_beside_its_field(self, login, administrator):
        response = login(administrator).post(
            reverse("audit:policy"), {**POLICY, "neglect_threshold": "150"}
        )
        assert response.status_code == 200
        body = response.content.decode()
        field = body.split('id="div_id_neglect_threshold"')[1].split("</div>\n</div>")[0]
        assert "Enter a percentage from 0 to 100." in field
        # The shared summary: it takes the focus (static/js/error_summary.js) and links the field.
        summary = body.split("data-error-summary")[1].split("</div>")[0]
        assert "The policy is not saved" in summary
        assert 'href="#id_neglect_threshold"' in summary
        assert "js/error_summary.js" in body
        assert AuditPolicy.current().neglect_threshold == Decimal("0.10")

    def test_each_change_is_kept_with_who_and_when(self, login, administrator):
        client = login(administrator)
        client.post(reverse("audit:policy"), {**POLICY, "dominance_threshold": "60"})
        text = text_of(client.get(reverse("audit:policy")))
        assert re.search(r"Changed by Ada Admin, 25 Nov 2026 \d\d:\d\d: management above 60%", text)

    def test_only_administrators_edit_the_policy(self, login, manager, supervisor):
        for user in (manager, supervisor):
            client = login(user)
            assert client.get(reverse("audit:policy")).status_code == 404
            assert client.post(reverse("audit:policy"), POLICY).status_code == 404
        assert AuditPolicy.current().dominance_threshold == Decimal("0.50")
