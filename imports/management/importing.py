"""What the two import commands share: reading the path and reporting the result."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError


class ImportCommand(BaseCommand):
    """`COMMAND PATH [--dry-run]`: run `importer` on the file and report as INTERFACES.md says."""

    importer = None  # a service: importer(*, data: bytes, dry_run: bool) -> ImportResult
    # The importer reads the file itself, as a stream (importer(*, path, dry_run)), rather than
    # being given its bytes.
    streams = False

    def add_arguments(self, parser):
        parser.add_argument("path", help="the CSV file (UTF-8, with a header row)")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and say what would change, without writing anything",
        )

    def handle(self, *args, path, dry_run, **options):
        if self.streams:
            check_readable(path)
            result = self.importer(path=path, dry_run=dry_run)
        else:
            result = self.importer(data=read_file(path), dry_run=dry_run)
        if not result.ok:
            for line in result.problems:
                self.stderr.write(line)
            count = result.problem_count
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was written."
            )
        self.stdout.write(self.style.SUCCESS(result.summary))


def check_readable(path):
    file = Path(path)
    if not file.exists():
        raise CommandError(f"There is no file at {path}.")
    if not file.is_file():
        raise CommandError(f"{path} is not a file.")
    try:
        with file.open("rb") as stream:
            stream.read(1)
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
    return file


def read_file(path):
    file = check_readable(path)
    try:
        return file.read_bytes()
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}.") from None
