"""Erase a person who has left: `manage.py erase_person EMAIL [--apply]`.

A dry run unless `--apply`: it says whether the person can be erased and what would change.
Refuses a person who is still active or still in a supervision relationship.
"""

from django.core.management.base import BaseCommand, CommandError

from people.models import User
from privacy.erasure import ErasureRefused, erasure_plan, erasure_refusals, person_erase


class Command(BaseCommand):
    help = (
        "Anonymise a person who has left (name, email, password, their own words), keeping "
        "the records of the people they worked with (docs/privacy.md). Dry run unless --apply."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The person's email address.")
        parser.add_argument(
            "--apply", action="store_true", help="Erase, in one transaction, and log it."
        )

    def handle(self, *args, email, apply=False, **options):
        person = User.objects.with_email(email).first()
        if person is None:
            raise CommandError(f"No one has the email address {email!r}.")
        reasons = erasure_refusals(person)
        if reasons:
            raise CommandError("Cannot erase this person: " + " ".join(reasons))
        if not apply:
            self.stdout.write(f"Would erase {person} (person {person.pk}). They have:")
            for label, n in erasure_plan(person).items():
                self.stdout.write(f"  {n:>6}  {label}")
            self.stdout.write("Dry run: nothing changed. Run with --apply to erase.")
            return
        try:
            counts = person_erase(person=person, actor=None, by="manage.py erase_person --apply")
        except ErasureRefused as exc:
            raise CommandError(f"Cannot erase this person: {exc}") from None
        self.stdout.write(f"Erased person {person.pk}. Rows changed:")
        for label, n in counts.items():
            self.stdout.write(f"  {n:>6}  {label}")
        self.stdout.write(self.style.SUCCESS("Recorded in the data-rights log."))
