from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People, teams and supervision relationships"

    def ready(self):
        from django.db.models.signals import post_migrate

        # The security log listens to the sign-in libraries' signals.
        from . import receivers  # noqa: F401
        from .changes import install

        # The relationships' number of changes (people.changes), after every migrate.
        post_migrate.connect(install, sender=self, dispatch_uid="people.changes.install")
