from imports.management.importing import ImportCommand
from imports.sessions import sessions_import


class Command(ImportCommand):
    help = (
        "Import supervision sessions, attendances and discussion items from a CSV file, one row "
        "per item (columns: docs/imports.md). Nothing is written unless the whole file is valid."
    )
    importer = staticmethod(sessions_import)
    streams = True
