from django import forms
from django.contrib.auth.forms import PasswordResetForm

from core import clock
from core.vocabulary import FUNCTION_CHOICES

from .models import User, normalise_email


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "reminder_emails"]
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


class SetPasswordLinkForm(PasswordResetForm):
    """Password reset that also reaches people who never had a password.

    Django's form skips users without a usable password; Fourfold creates people that way on
    import (INTERFACES.md), and this link is how they set their first one.
    """

    def get_users(self, email):
        return User.objects.filter(email=normalise_email(email), is_active=True)
