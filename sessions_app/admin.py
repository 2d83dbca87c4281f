"""Sessions in Django admin: a door like any other, inside the same rules as the pages.

Records are written by their supervisors on the record pages (or by the import), never in
admin: an administrator reads a session's facts here, follows a link to the record page (which
shows what `SessionAccess` lets them read: no draft content, no confidential text), and may
delete only a session that never became a record (planned, cancelled or rescheduled, unshared).
Every read of a session here, of its history or of its delete page is in the access log.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.admin import FourfoldModelAdmin

from . import services
from .access import SessionAccess
from .models import AccessLog, Attendance, ReadPlace, Session
from .records import record_read_log


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["person", "present"]
    readonly_fields = ["person", "present"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Session)
class SessionAdmin(FourfoldModelAdmin):
    list_display = ["date", "supervisor", "format", "group_type", "status", "record_state"]
    list_filter = ["status", "format", "group_type", "record_state", "mode"]
    search_fields = [
        "supervisor__name",
        "supervisor__email",
        "attendances__person__name",
        "attendances__person__email",
        "external_ref",
    ]
    date_hierarchy = "date"
    list_select_related = ["supervisor"]
    fields = [
        "record_link",
        "supervisor",
        "format",
        "group_type",
        "date",
        "start_time",
        "duration_minutes",
        "mode",
        "status",
        "cancellation_reason",
        "moved_by",
        "rescheduled_to",
        "external_ref",
        "record_state",
        "shared_at",
        "signed_off_at",
        "content_summary",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields
    inlines = [AttendanceInline]
    actions = None  # no "delete selected": each deletion is checked one session at a time

    @admin.display(description="Record")
    def record_link(self, session):
        return format_html(
            '<a href="{}">Read the record</a> (what you may read of it; the read is logged)',
            reverse("sessions:detail", args=[session.pk]),
        )

    @admin.display(description="Content")
    def content_summary(self, session):
        items = list(session.items.all())
        minutes = sum(item.minutes for item in items)
        return f"{len(items)} discussion item(s), {minutes} minutes; the text is on the record page"

    def has_add_permission(self, request):
        # Sessions are recorded by their supervisors, or imported.
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        if obj is None:
            return super().has_delete_permission(request)
        return SessionAccess(request.user, obj).can_delete and super().has_delete_permission(
            request, obj
        )

    def _log(self, request, object_id, place):
        session = self.get_object(request, object_id)
        if session is not None:
            record_read_log(session=session, by=request.user, place=place)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._log(request, object_id, ReadPlace.ADMIN)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._log(request, object_id, ReadPlace.ADMIN_HISTORY)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._log(request, object_id, ReadPlace.ADMIN_DELETE)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        services.session_delete(session=obj, by=request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(AccessLog)
class AccessLogAdmin(FourfoldModelAdmin):
    """Who read which record, when and where: for administrators to read, never to edit."""

    list_display = ["viewed_at", "user", "session_label", "place"]
    list_filter = [("viewed_at", admin.DateFieldListFilter), "place", "user__team"]
    search_fields = ["user__name", "user__email", "session_label"]
    date_hierarchy = "viewed_at"
    list_select_related = ["user", "session"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
