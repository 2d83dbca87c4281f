from django.contrib import admin

from core.admin import FourfoldModelAdmin

from .models import AuditPolicy


@admin.register(AuditPolicy)
class AuditPolicyAdmin(FourfoldModelAdmin):
    """The single policy row: administrators edit it; nobody adds a second or deletes it."""

    list_display = [
        "__str__",
        "dominance_threshold",
        "neglect_threshold",
        "short_circuit_threshold",
        "min_sessions",
        "min_session_minutes",
        "share_deadline_days",
        "group_counts_for_regularity",
        "stakeholder_threshold",
        "feedback_open_days",
        "feedback_visibility",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return not AuditPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
