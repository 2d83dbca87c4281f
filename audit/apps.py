from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit"

    def ready(self):
        # The home page and the reminders (sessions_app, a layer below) judge overdue
        # supervision by the same policy as the audit flags: tell `people` where to read it.
        from people.models import set_group_counts_source, set_policy_source

        from .models import AuditPolicy, group_counts_for_regularity

        set_group_counts_source(group_counts_for_regularity)
        # The record's access policy (sessions_app) reads how long feedback stays open and who
        # sees it from the same policy row.
        set_policy_source(AuditPolicy.in_force)
        # The manager's home page lists the people flagged in their teams, by this app's rules.
        from sessions_app.attention import set_team_attention_source

        from .attention import team_attention

        set_team_attention_source(team_attention)
