from allauth.account.forms import LoginForm
from django import forms

from core import clock
from core.vocabulary import FUNCTION_CHOICES, functions_in_words

from .models import RequestAnswer, RequestKind, User


class SettingsForm(forms.ModelForm):
    """A person's own settings. Their display name is not here: administrators and the import
    set it (issue "Trust"), so that the name on a record is the one the organisation knows."""

    class Meta:
        model = User
        fields = ["reminder_emails"]
        labels = {"reminder_emails": "Send me reminder emails"}
        help_texts = {
            "reminder_emails": "Sessions due in the next week, overdue supervision and actions "
            "past their due date. Emails about records shared with you are always sent."
        }


class FocusForm(forms.Form):
    functions = forms.MultipleChoiceField(
        label="Functions to give more attention",
        choices=FUNCTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one function."},
        help_text=functions_in_words(),
    )
    agreed_on = forms.DateField(
        label="Date agreed", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    notes = forms.CharField(
        label="What you agreed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_agreed_on(self):
        day = self.cleaned_data["agreed_on"]
        if day > clock.today():
            raise forms.ValidationError("A focus is agreed today or earlier, not in the future.")
        return day


class FocusRequestForm(forms.Form):
    """What a supervisee raises with their supervisor, at any time."""

    kind = forms.ChoiceField(
        label="What do you want to tell your supervisor?",
        choices=RequestKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose one.", "invalid_choice": "Choose one of the two."},
    )
    function = forms.ChoiceField(
        label="Which function?",
        choices=FUNCTION_CHOICES,
        widget=forms.RadioSelect,
        help_text=functions_in_words(),
        error_messages={
            "required": "Choose one of the four functions.",
            "invalid_choice": "Choose one of the four functions.",
        },
    )
    proposed = forms.MultipleChoiceField(
        label="Propose a focus (optional)",
        choices=FUNCTION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The function(s) you would like the two of you to agree to give more "
        "attention, from now on.",
        error_messages={"invalid_choice": "Choose among the four functions."},
    )
    message = forms.CharField(
        label="Anything you want to add",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class FocusRequestAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label="Your answer",
        choices=RequestAnswer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an answer.", "invalid_choice": "Choose an answer."},
    )
    text = forms.CharField(
        label="What you would like to say",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, proposal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not proposal:
            # Nothing was proposed, so there is no focus to agree to.
            self.fields["answer"].choices = [
                choice for choice in RequestAnswer.choices if choice[0] != RequestAnswer.ACCEPTED
            ]


class SignInForm(LoginForm):
    """allauth's sign-in form, in Fourfold's words. People imported without a password set
    their first one from the "forgotten your password" link: allauth's reset form, unlike
    Django's, also reaches people who have no usable password."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Email address"
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        # The template offers the reset link under the form, for those who never had one.
        self.fields["password"].help_text = ""
