from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People, teams and supervision relationships"

    def ready(self):
        # The security log listens to the sign-in libraries' signals.
        from . import receivers  # noqa: F401
