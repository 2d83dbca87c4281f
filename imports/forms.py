"""The upload form. It checks the upload itself; the importers check what is in it."""

from django import forms

MAX_UPLOAD_BYTES = 10 * 1024 * 1024

KIND_PEOPLE = "people"
KIND_SESSIONS = "sessions"
KIND_CHOICES = [
    (KIND_PEOPLE, "People: teams, managers and line supervision relationships"),
    (KIND_SESSIONS, "Sessions: attendances and discussion items, one row per item"),
]


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=KIND_CHOICES,
        initial=KIND_PEOPLE,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label="CSV file",
        help_text='Saved as "CSV UTF-8", with a header row. Import people before sessions.',
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    dry_run = forms.BooleanField(
        label="Check only (dry run)",
        required=False,
        help_text="Check the whole file and say what would change, without writing anything.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                "The file is larger than 10 MB; split it into smaller files."
            )
        return upload
