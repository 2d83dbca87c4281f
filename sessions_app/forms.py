"""Forms for recording sessions. They validate; the views call services to write."""

from django import forms
from django.core.exceptions import ValidationError

from core import clock
from core.vocabulary import (
    FUNCTION_CHOICES,
    STAGE_CHOICES,
    STAKEHOLDER_CHOICES,
    definition_id,
)

from .models import ActionStatus, Feedback, Format, GroupType, Mode, Response, ReviewOutcome, Status
from .services import ActionData, ItemData, SessionDetails

ATTENDANCE_CHOICES = [("present", "Present"), ("absent", "Absent"), ("", "Not in this session")]
RECORDABLE_STATUSES = [(Status.PLANNED, "Planned"), (Status.HELD, "Held")]
MAX_DURATION = 12 * 60


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def attendee_field_name(person):
    return f"attendee_{person.pk}"


class SessionForm(forms.Form):
    """The session's own facts and who it is for."""

    # Its non-field errors are about group attendance: the error summary links there.
    error_anchor = "group-attendance"

    format = forms.ChoiceField(choices=Format.choices, widget=forms.RadioSelect)
    group_type = forms.ChoiceField(
        choices=[("", "Choose the kind of group")] + list(GroupType.choices),
        required=False,
        label="Kind of group",
    )
    supervisee = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Choose the supervisee",
        help_text="For a one-to-one session: one of the people you supervise.",
        error_messages={"invalid_choice": "Choose one of the people you supervise."},
    )
    status = forms.ChoiceField(
        choices=RECORDABLE_STATUSES,
        widget=forms.RadioSelect,
        help_text="Planned: a session in the diary. Held: it took place and you are recording it.",
    )
    date = forms.DateField(widget=DateInput())
    start_time = forms.TimeField(required=False, widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=1, max_value=MAX_DURATION
    )
    mode = forms.ChoiceField(choices=Mode.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # One per new-session form, so that posting the same form twice records one session.
    form_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, candidates, supervisor, supervisees, new=False, **kwargs):
        """`supervisees`: whom a one-to-one may be with (the people `supervisor` supervises);
        `candidates`: the group members to offer; `new`: a new session, whose group starts
        with every member present."""
        super().__init__(*args, **kwargs)
        self.supervisor = supervisor
        # The caller's queryset itself, read once for every use of it on the page (the field
        # keeps its own copy, read when it validates and when it renders its options).
        self.supervisees = supervisees
        self.fields["supervisee"].queryset = supervisees
        # Group members: every candidate but the facilitator, who leads the session and is
        # never one of its attendees.
        self.candidates = [person for person in candidates if person.pk != supervisor.pk]
        self.group_people = self.candidates
        for person in self.group_people:
            self.fields[attendee_field_name(person)] = forms.ChoiceField(
                choices=ATTENDANCE_CHOICES,
                required=False,
                label=str(person),
                widget=forms.RadioSelect,
                initial="present" if new else "",
            )

    def attendee_fields(self):
        return [self[attendee_field_name(person)] for person in self.group_people]

    def clean(self):
        data = super().clean()
        fmt = data.get("format")
        status = data.get("status")
        day = data.get("date")
        if status == Status.HELD and day and day > clock.today():
            self.add_error(
                "date",
                "A held session cannot be dated in the future. Choose today or an earlier date, "
                "or record it as planned.",
            )
        if fmt == Format.ONE_TO_ONE:
            if not data.get("supervisee"):
                self.add_error("supervisee", "Choose who this one-to-one session is with.")
        elif fmt == Format.GROUP:
            if not data.get("group_type"):
                self.add_error("group_type", "Choose the kind of group.")
            marks = self.group_marks()
            if not marks:
                self.add_error(None, "Mark who was in this group session.")
            elif status == Status.HELD and not any(marks.values()):
                self.add_error(
                    None, "A held group session needs at least one person marked present."
                )
        return data

    def group_marks(self):
        marks = {}
        for person in self.group_people:
            value = self.cleaned_data.get(attendee_field_name(person))
            if value:
                marks[person.pk] = value == "present"
        return marks

    def attendance(self):
        """{person_id: present} for the session's attendees."""
        if self.cleaned_data["format"] == Format.ONE_TO_ONE:
            return {self.cleaned_data["supervisee"].pk: True}
        return self.group_marks()

    def details(self):
        data = self.cleaned_data
        return SessionDetails(
            format=data["format"],
            group_type=data.get("group_type") or "",
            date=data["date"],
            start_time=data.get("start_time"),
            duration_minutes=data["duration_minutes"],
            mode=data["mode"],
            status=data["status"],
        )


class DescribedCheckboxes(forms.CheckboxSelectMultiple):
    """Tagging boxes, each described by its element's definition on the page
    (`sessions_app/_tag_definitions.html`): a screen reader reads "Support" and then what
    support means."""

    def __init__(self, kind, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        option["attrs"]["aria-describedby"] = definition_id(self.kind, value)
        return option


class ItemForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(max_length=200)
    minutes = forms.IntegerField(min_value=1, max_value=MAX_DURATION)
    functions = forms.MultipleChoiceField(
        choices=FUNCTION_CHOICES,
        widget=DescribedCheckboxes("function"),
        error_messages={"required": "Choose at least one function for this item."},
        help_text="One to four. The minutes are shared equally between them.",
    )
    stages = forms.MultipleChoiceField(
        label="Reflective stages covered",
        choices=STAGE_CHOICES,
        widget=DescribedCheckboxes("stage"),
        required=False,
    )
    stakeholders = forms.MultipleChoiceField(
        label="Whose needs it affects",
        choices=STAKEHOLDER_CHOICES,
        widget=DescribedCheckboxes("stakeholder"),
        required=False,
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    case_ref = forms.CharField(
        label="Case reference",
        max_length=50,
        required=False,
        help_text="A reference such as C-1234, never a person's name.",
    )
    risk = forms.BooleanField(label="Risk discussed", required=False)
    confidential = forms.BooleanField(
        label="Confidential",
        required=False,
        help_text="Only you and the supervisee see its title and notes; others see its minutes "
        "and tags.",
    )

    def item_data(self):
        data = self.cleaned_data
        return ItemData(
            id=data.get("id"),
            title=data["title"],
            minutes=data["minutes"],
            functions=data["functions"],
            stages=data.get("stages") or [],
            stakeholders=data.get("stakeholders") or [],
            notes=data.get("notes") or "",
            case_ref=data.get("case_ref") or "",
            risk=bool(data.get("risk")),
            confidential=bool(data.get("confidential")),
        )


class BaseItemFormSet(forms.BaseFormSet):
    entry_label = "Item"  # the error summary's "Item 2: Title: ..."
    error_anchor = "items-heading"

    def total_minutes(self):
        return sum(
            f.cleaned_data.get("minutes") or 0
            for f in self.forms
            if hasattr(f, "cleaned_data") and not self._should_delete_form(f)
        )

    def item_data(self):
        return [
            f.item_data() for f in self.forms if f.cleaned_data and not self._should_delete_form(f)
        ]


ItemFormSet = forms.formset_factory(
    ItemForm,
    formset=BaseItemFormSet,
    extra=0,
    can_delete=True,
    max_num=60,
    absolute_max=60,
    validate_max=True,
)


OWNER_SUPERVISOR = "supervisor"
OWNER_SUPERVISEE = "supervisee"
OWNER_OTHER = "other"


class ActionForm(forms.Form):
    id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    description = forms.CharField(max_length=500, label="Action")
    owner = forms.ChoiceField(label="Who will do it")
    owner_name = forms.CharField(
        label="Name of the other owner",
        max_length=200,
        required=False,
        help_text="Only when someone else owns the action.",
    )
    due_date = forms.DateField(required=False, widget=DateInput())
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.OPEN)

    def __init__(self, *args, owner_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = owner_choices

    def clean(self):
        data = super().clean()
        if data.get("owner") == OWNER_OTHER and not data.get("owner_name", "").strip():
            self.add_error("owner_name", "Give the name of the person who owns this action.")
        return data

    def action_data(self, *, supervisor, supervisee_id):
        data = self.cleaned_data
        owner = data["owner"]
        if owner == OWNER_SUPERVISOR:
            owner_id = supervisor.pk
        elif owner == OWNER_SUPERVISEE:
            owner_id = supervisee_id
        elif owner == OWNER_OTHER:
            owner_id = None
        else:
            owner_id = int(owner.removeprefix("person:"))
        return ActionData(
            id=data.get("id"),
            description=data["description"],
            owner_id=owner_id,
            owner_name=data.get("owner_name", "").strip(),
            due_date=data.get("due_date"),
            status=data["status"],
        )


class BaseActionFormSet(forms.BaseFormSet):
    entry_label = "Action"
    error_anchor = "actions-heading"

    def __init__(self, *args, owner_choices=(), **kwargs):
        self.owner_choices = owner_choices
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"owner_choices": self.owner_choices}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            empty_permitted=True,
            use_required_attribute=False,
            owner_choices=self.owner_choices,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def kept_forms(self):
        return [f for f in self.forms if f.cleaned_data and not self._should_delete_form(f)]


ActionFormSet = forms.formset_factory(
    ActionForm,
    formset=BaseActionFormSet,
    extra=0,
    can_delete=True,
    max_num=60,
    absolute_max=60,
    validate_max=True,
)


def owner_choices_for(*, supervisor, present, one_to_one, also=()):
    """Who can own an action: the supervisor, the people present, or someone named.

    `present`: the people present as known so far (a one-to-one's supervisee, a group's
    members marked present); a one-to-one's supervisee is offered once, by name when known.
    `also`: owners saved before who are no longer present, so that an edit shows them (the
    check of owners then asks for another).
    """
    choices = [(OWNER_SUPERVISOR, f"{supervisor} (you, the supervisor)")]
    if one_to_one:
        supervisee = next(iter(present), None)
        label = f"{supervisee} (the supervisee)" if supervisee else "The supervisee"
        choices.append((OWNER_SUPERVISEE, label))
    else:
        choices += [(f"person:{p.pk}", str(p)) for p in present if p.pk != supervisor.pk]
    offered = {value for value, _label in choices}
    choices += [
        (f"person:{p.pk}", str(p))
        for p in also
        if f"person:{p.pk}" not in offered and p.pk != supervisor.pk
    ]
    choices.append((OWNER_OTHER, "Someone else (name below)"))
    return choices


REVIEW_CHOICES = [("", "Not reviewed yet")] + list(ReviewOutcome.choices)


class ReviewForm(forms.Form):
    """One choice per open action brought forward from earlier sessions."""

    def __init__(self, *args, actions, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = list(actions)
        for action in self.actions:
            self.fields[f"review_{action.pk}"] = forms.ChoiceField(
                label=action.description,
                choices=REVIEW_CHOICES,
                required=False,
                widget=forms.RadioSelect,
            )

    def rows(self):
        return [(action, self[f"review_{action.pk}"]) for action in self.actions]

    def reviews(self):
        return {a.pk: self.cleaned_data.get(f"review_{a.pk}") or "" for a in self.actions}


class CancelForm(forms.Form):
    cancelled_by = forms.ChoiceField(
        label="Who cancelled",
        choices=[("supervisor", "I did (the supervisor)"), ("supervisee", "The supervisee")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept with the session: cancellations count toward how reliable supervision "
        "is, and who cancelled is recorded.",
    )


class RescheduleForm(forms.Form):
    date = forms.DateField(label="New date", widget=DateInput())
    start_time = forms.TimeField(label="New start time", required=False, widget=TimeInput())
    reason = forms.CharField(
        label="Why it is moving",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the session, with your name as the person who moved it.",
    )

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day < clock.today():
            raise ValidationError("Choose today or a later date for the rescheduled session.")
        return day


def check_item_minutes(session_form, item_formset):
    """The items may not add up to more than the session lasted."""
    duration = session_form.cleaned_data.get("duration_minutes")
    total = item_formset.total_minutes()
    if duration and total > duration:
        message = (
            f"The items add up to {total} minutes, more than the session's {duration} minutes. "
            "Shorten an item or lengthen the session."
        )
        session_form.add_error("duration_minutes", message)
        item_formset._non_form_errors = item_formset.error_class(
            [*item_formset.non_form_errors(), message]
        )
        return False
    return True


class AcknowledgeForm(forms.Form):
    response = forms.ChoiceField(
        label="Your response to this record",
        choices=Response.choices,
        widget=forms.RadioSelect,
    )
    comments = forms.CharField(
        label="Your comments or reasons",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Needed when you agree with comments or disagree: say what you would add or "
        "which point you disagree with, and why.",
    )

    def clean(self):
        data = super().clean()
        if data.get("response") and data["response"] != Response.AGREE:
            if not (data.get("comments") or "").strip():
                self.add_error("comments", "Say what you would add or what you disagree with.")
        return data


NO_ANSWER_YET = None
ANSWER_NONE = "none"  # the form's value for "none dominated" / "no preference", stored as ""


def _optional_function_question(label, none_label):
    """A question with no answer until the person gives one: nothing is chosen at first."""
    return forms.ChoiceField(
        label=label,
        choices=[(ANSWER_NONE, none_label), *FUNCTION_CHOICES],
        widget=forms.RadioSelect,
        required=False,
        help_text="Optional: if you skip it, no answer is recorded.",
    )


class FeedbackForm(forms.ModelForm):
    # A choice of 1 to 5, so that anything else is refused beside the field (the model's
    # check constraint alone would refuse 0 with a message the page does not show).
    usefulness = forms.TypedChoiceField(
        label="How useful was the session? (1 not at all, 5 very)",
        choices=[(i, str(i)) for i in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    # Not model fields of the form: their "none" answer is a value of its own here (a radio
    # with the value "" would be chosen before the person answers), stored as "".
    dominated = _optional_function_question(
        "Did one function dominate the session?", "No, none dominated"
    )
    wants_more = _optional_function_question(
        "Which function would you like more attention on next time?", "No preference"
    )
    ANSWERED_LATER = ("dominated", "wants_more")
    field_order = [
        "management",
        "development",
        "support",
        "mediation",
        "dominated",
        "wants_more",
        "usefulness",
        "comments",
    ]

    class Meta:
        model = Feedback
        fields = [
            "management",
            "development",
            "support",
            "mediation",
            "usefulness",
            "comments",
        ]
        labels = {
            "management": "Management (caseload, deadlines, procedures, quality)",
            "development": "Development (learning and professional development)",
            "support": "Support (wellbeing, the emotional demands of the work)",
            "mediation": "Mediation (the bridge between you and the organisation)",
            "comments": "Anything else about how supervision is going for you",
        }
        widgets = {
            "management": forms.RadioSelect,
            "development": forms.RadioSelect,
            "support": forms.RadioSelect,
            "mediation": forms.RadioSelect,
            "comments": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("management", "development", "support", "mediation"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        if self.instance.pk:
            for name in self.ANSWERED_LATER:
                stored = getattr(self.instance, name)
                if stored is not None:
                    self.initial[name] = stored or ANSWER_NONE

    def values(self):
        values = {name: self.cleaned_data[name] for name in self.Meta.fields}
        for name in self.ANSWERED_LATER:
            answer = self.cleaned_data.get(name) or NO_ANSWER_YET
            values[name] = "" if answer == ANSWER_NONE else answer
        return values


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A correction or addition. It is added to the record with your name and the "
        "date; the record itself does not change.",
    )


class DisputeReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="It goes on the record beside what they said, with your name and the date, "
        "and they are told by email.",
    )
