"""Administrators see the outbox, read only: what was sent, what waits, and why it failed."""

from django.contrib import admin
from django_tasks_db.models import DBTaskResult

from core.admin import FourfoldModelAdmin, guard_admin

from .models import DailyRun, OutgoingEmail


class ReadOnlyAdmin(FourfoldModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "to",
        "subject",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "short_error",
    ]
    list_filter = ["status", "kind"]
    search_fields = ["to", "subject"]
    date_hierarchy = "created_at"
    list_select_related = ["person"]
    fields = [
        "status",
        "kind",
        "person",
        "to",
        "subject",
        "body",
        "created_at",
        "attempts",
        "last_attempt_at",
        "last_error",
        "next_attempt_at",
        "sent_at",
    ]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]


@admin.register(DailyRun)
class DailyRunAdmin(ReadOnlyAdmin):
    list_display = ["day", "job", "ran_at"]
    list_filter = ["job"]


# The task queue's own screen (django-tasks-db) gets the guard on its list too.
guard_admin(DBTaskResult)
