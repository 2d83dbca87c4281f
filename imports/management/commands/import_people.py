from imports.management.importing import ImportCommand
from imports.people import people_import


class Command(ImportCommand):
    help = (
        "Import people, teams, team managers and line supervision relationships from a CSV "
        "file (columns: docs/imports.md). Nothing is written unless the whole file is valid."
    )
    importer = staticmethod(people_import)
