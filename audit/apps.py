from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self):
        # The home page and the reminders (sessions_app, a layer below) judge overdue
        # supervision by the same policy as the audit flags: tell `people` where to read it.
        from people.models import set_group_counts_source

        from .models import group_counts_for_regularity

        set_group_counts_source(group_counts_for_regularity)
