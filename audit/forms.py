"""The dashboards' filters: which window of dates, which sessions, which team.

Windows end today (the organisation's date) and have a fixed number of days, so that every
page and every CSV agree on them, and a focus follow-up window has the same length:

- 3 months = 90 days (DOMAIN.md's default window),
- 6 months = 183 days (half of 365, rounded up),
- 12 months = 365 days,
- or custom dates, "from" and "to" inclusive, at most 1,096 days (three years) apart.

Bad input never breaks a page: each field in error gets its message beside it, and the page
falls back to the default for that part (the 90 days ending today; both formats).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property
from urllib.parse import urlencode

from django import forms

from core.vocabulary import functions_in_words
from core.widgets import ManyOptionsSelect, PlainDateInput
from sessions_app.models import Format

from .models import AuditPolicy, SelfAssessment
from .services import POLICY_FIELDS

WINDOW_DAYS = {"3": 90, "6": 183, "12": 365}
DEFAULT_WINDOW = "3"
CUSTOM = "custom"
WINDOW_CHOICES = [
    ("3", "3 months (90 days)"),
    ("6", "6 months (183 days)"),
    ("12", "12 months (365 days)"),
    (CUSTOM, "Custom dates"),
]
MAX_CUSTOM_DAYS = 1096
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)

BOTH = "both"
FORMAT_CHOICES = [
    (BOTH, "One-to-one and group"),
    (Format.ONE_TO_ONE, "One-to-one only"),
    (Format.GROUP, "Group only"),
]
FORMAT_FILTERS = {
    BOTH: None,
    Format.ONE_TO_ONE: (Format.ONE_TO_ONE,),
    Format.GROUP: (Format.GROUP,),
}
FORMAT_WORDS = {
    BOTH: "one-to-one and group sessions",
    Format.ONE_TO_ONE: "one-to-one sessions only",
    Format.GROUP: "group sessions only",
}


@dataclass(frozen=True)
class Filters:
    """What the page shows: the window [start, end] and the session formats that count."""

    start: date
    end: date
    window: str = DEFAULT_WINDOW
    format: str = BOTH
    team: int | None = None

    @property
    def formats(self):
        """For the selectors: None (every format) or a tuple of `Format` values."""
        return FORMAT_FILTERS[self.format]

    @property
    def length_days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def format_words(self) -> str:
        return FORMAT_WORDS[self.format]

    def params(self, *, team=True) -> dict:
        params = {"window": self.window}
        if self.window == CUSTOM:
            params.update({"from": self.start.isoformat(), "to": self.end.isoformat()})
        params["format"] = self.format
        if team and self.team is not None:
            params["team"] = self.team
        return params

    def query(self, *, team=True, **extra) -> str:
        """The filters as a query string, for links that keep them (downloads, people)."""
        if team and not extra:
            return self._query  # what templates ask for, in every row of a table
        return urlencode({**self.params(team=team), **extra})

    @cached_property
    def _query(self) -> str:
        return urlencode(self.params())


class AuditFilterForm(forms.Form):
    """Bound to `request.GET`. `teams` (a list of teams) adds the team choice."""

    # Written in one pass (`ManyOptionsSelect`), as the team list is: on every audit page.
    window = forms.ChoiceField(
        label="Window", choices=WINDOW_CHOICES, required=False, widget=ManyOptionsSelect
    )
    format = forms.ChoiceField(
        label="Sessions", choices=FORMAT_CHOICES, required=False, widget=ManyOptionsSelect
    )

    def __init__(self, data=None, *, today: date, teams=None, team=None, find=False):
        super().__init__(data if data is not None else {}, auto_id="filter-%s")
        self.today = today
        date_input = {"type": "date"}
        # "from" is a Python keyword, so these two fields are added here rather than declared.
        self.fields["from"] = forms.DateField(
            label="From",
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=PlainDateInput(attrs=date_input, format="%Y-%m-%d"),
            help_text="With “Custom dates”: the first day.",
            error_messages={"invalid": "Enter a date as YYYY-MM-DD, such as 2026-01-31."},
        )
        self.fields["to"] = forms.DateField(
            label="To",
            required=False,
            input_formats=["%Y-%m-%d"],
            widget=PlainDateInput(attrs=date_input, format="%Y-%m-%d"),
            help_text="The last day; today if left empty.",
            error_messages={"invalid": "Enter a date as YYYY-MM-DD, such as 2026-01-31."},
        )
        self.order_fields(["window", "from", "to", "format"])
        self.team = team
        if teams is not None:
            self.fields["team"] = forms.ChoiceField(
                label="Team",
                choices=[(str(t.pk), t.name) for t in teams],
                required=False,
                widget=ManyOptionsSelect,  # up to 200 teams (audit.views.TEAM_CHOICES_AT_MOST)
            )
            self.order_fields(["team", "window", "from", "to", "format"])
        if find:  # more teams than the chooser lists (audit.views.TEAM_CHOICES_AT_MOST)
            self.fields["find"] = forms.CharField(
                label="Find a team",
                required=False,
                max_length=100,
                help_text="Part of its name: the team list then shows the teams that match.",
            )
            self.order_fields(["find", "team", "window", "from", "to", "format"])
        for field in self.fields.values():
            field.error_messages.setdefault(
                "invalid_choice", "Choose one of the options in the list."
            )
        self.fields["window"].error_messages["invalid_choice"] = (
            "Choose 3, 6 or 12 months, or custom dates."
        )
        self.fields["format"].error_messages["invalid_choice"] = (
            "Choose one-to-one, group, or both."
        )

    def _check_date(self, name):
        value = self.cleaned_data.get(name)
        if value is not None and not EARLIEST <= value <= LATEST:
            raise forms.ValidationError("Choose a date between 1900 and 2999.")
        return value

    def clean_from(self):
        return self._check_date("from")

    def clean_to(self):
        return self._check_date("to")

    def clean(self):
        cleaned = super().clean()
        window = cleaned.get("window")
        if window is None:
            return cleaned  # the window itself is in error: the default applies
        raw_dates = any((self.data.get(name) or "").strip() for name in ("from", "to"))
        if not window:
            window = CUSTOM if raw_dates else DEFAULT_WINDOW
            cleaned["window"] = window
        if window != CUSTOM or "from" not in cleaned or "to" not in cleaned:
            return cleaned
        start, end = cleaned["from"], cleaned["to"] or self.today
        if start is None:
            self.add_error(
                "from", "Enter the first day of the window, or choose 3, 6 or 12 months."
            )
        elif start > end:
            self.add_error(
                "from", "The “from” date is after the “to” date. Swap them and try again."
            )
        elif (end - start).days + 1 > MAX_CUSTOM_DAYS:
            self.add_error(
                "to", f"Choose a window of at most {MAX_CUSTOM_DAYS:,} days (three years)."
            )
        return cleaned

    def _style_fields(self):
        """Bootstrap's classes on each input, marked invalid where it has an error: the
        filters are written by `audit/_filter_field.html` (crispy's markup, without its twenty
        nested templates a field, on every audit page)."""
        for name, field in self.fields.items():
            kind = (
                "select form-select"
                if isinstance(field.widget, forms.Select)
                else (
                    "dateinput form-control"
                    if isinstance(field.widget, forms.DateInput)
                    else "textinput form-control"
                )
            )
            invalid = " is-invalid" if name in self.errors else ""
            field.widget.attrs["class"] = kind + invalid

    def filters(self) -> Filters:
        """The filters to show: what was asked for, or the default for each part in error."""
        valid = self.is_valid()
        self._style_fields()
        cleaned = self.cleaned_data
        window = cleaned.get("window") or DEFAULT_WINDOW
        fmt = cleaned.get("format") or BOTH
        window_errors = not valid and any(name in self.errors for name in ("window", "from", "to"))
        if window_errors:
            window = DEFAULT_WINDOW
        if window == CUSTOM:
            start, end = cleaned["from"], cleaned["to"] or self.today
        else:
            end = self.today
            start = end - timedelta(days=WINDOW_DAYS[window] - 1)
        return Filters(start=start, end=end, window=window, format=fmt, team=self.team)


class SelfAssessmentForm(forms.ModelForm):
    """A supervisor's dated reflection on their own supervision (the seed's questions)."""

    class Meta:
        model = SelfAssessment
        fields = ["written_on", "focus_most", "more_attention", "tensions", "support_needed"]
        labels = {"written_on": "Date"}
        help_texts = {"focus_most": functions_in_words()}
        widgets = {
            "written_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "focus_most": forms.RadioSelect,
            "more_attention": forms.RadioSelect,
            "tensions": forms.Textarea(attrs={"rows": 4}),
            "support_needed": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["written_on"].input_formats = ["%Y-%m-%d"]
        self.fields["written_on"].error_messages["invalid"] = (
            "Enter a date as YYYY-MM-DD, such as 2026-01-31."
        )
        for name in ("focus_most", "more_attention"):
            self.fields[name].error_messages["invalid_choice"] = "Choose one of the four functions."
            self.fields[name].error_messages["required"] = "Choose one of the four functions."

    def clean_written_on(self):
        day = self.cleaned_data["written_on"]
        if day > self.today:
            raise forms.ValidationError("Choose today or an earlier date.")
        if day < EARLIEST:
            raise forms.ValidationError("Choose a date between 1900 and today.")
        return day


HUNDRED = Decimal(100)
PERCENT_FIELDS = {
    "dominance_threshold": (
        "Management dominant above (%)",
        "Flag management as dominant when it takes more than this share of the tagged minutes.",
    ),
    "neglect_threshold": (
        "A function neglected below (%)",
        "Flag a function as neglected when it takes less than this share of the tagged minutes.",
    ),
    "short_circuit_threshold": (
        "Reflective cycle short-circuited above (%)",
        "Flag when more than this share of the tagged minutes went from experience straight to "
        "plans and actions, without reflection or analysis.",
    ),
    "stakeholder_threshold": (
        "People who draw on care discussed below (%)",
        "Flag when fewer than this share of the tagged minutes were about people who draw on "
        "care and support. 0 turns the flag off; 10 is a sensible value.",
    ),
}


class AuditPolicyForm(forms.ModelForm):
    """The audit policy on a Fourfold page: thresholds typed as percentages (0-100), kept as
    shares (0-1) in the model, so the figures' arithmetic is unchanged."""

    class Meta:
        model = AuditPolicy
        fields = list(POLICY_FIELDS)  # what `services.policy_update` writes

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (label, help_text) in PERCENT_FIELDS.items():
            self.fields[name] = forms.DecimalField(
                label=label,
                help_text=help_text,
                min_value=Decimal(0),
                max_value=HUNDRED,
                max_digits=5,
                decimal_places=2,
                widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
                error_messages={
                    "min_value": "Enter a percentage from 0 to 100.",
                    "max_value": "Enter a percentage from 0 to 100.",
                    "invalid": "Enter a percentage from 0 to 100, such as 50 or 12.5.",
                    "max_decimal_places": "Use at most two decimal places, such as 12.25.",
                    "required": "Enter a percentage from 0 to 100.",
                },
            )
            if not self.is_bound:
                value = getattr(self.instance, name)
                # "62.5", not "62.5000" nor "5E+1".
                self.initial[name] = format((Decimal(value) * HUNDRED).normalize(), "f")
        self.fields[
            "min_sessions"
        ].help_text = "Sessions held in the window before the share-based flags are raised."
        self.fields[
            "share_deadline_days"
        ].help_text = "A record shared later than this many days after the session counts as late."
        self.order_fields(self.Meta.fields)

    def _share(self, name):
        value = self.cleaned_data.get(name)
        return None if value is None else value / HUNDRED

    def clean_dominance_threshold(self):
        return self._share("dominance_threshold")

    def clean_neglect_threshold(self):
        return self._share("neglect_threshold")

    def clean_short_circuit_threshold(self):
        return self._share("short_circuit_threshold")

    def clean_stakeholder_threshold(self):
        return self._share("stakeholder_threshold")

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
