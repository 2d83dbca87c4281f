from django import forms

from .models import User


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "reminder_emails"]
        labels = {"reminder_emails": "Send me reminder emails"}
        help_texts = {
            "reminder_emails": "Sessions due in the next week, overdue supervision and actions "
            "past their due date. Emails about records shared with you are always sent."
        }
