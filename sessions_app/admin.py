from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import AccessLog, Action, Attendance, Item, Session


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    autocomplete_fields = ["person"]


class ItemInline(admin.StackedInline):
    model = Item
    extra = 0


class ActionInline(admin.TabularInline):
    model = Action
    extra = 0
    autocomplete_fields = ["owner"]
    fields = ["description", "owner", "owner_name", "due_date", "status"]


@admin.register(Session)
class SessionAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["supervisor"]
    list_select_related = ["supervisor"]
    readonly_fields = ["version", "created_at", "updated_at", "shared_at", "signed_off_at"]
    raw_id_fields = ["rescheduled_to"]
    inlines = [AttendanceInline, ItemInline, ActionInline]

    def has_change_permission(self, request, obj=None):
        # Locked means locked, for administrators too: corrections to a signed-off record
        # are addenda, made on the record page.
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        session = self.get_object(request, object_id)
        if session is not None:
            AccessLog.objects.create(user=request.user, session=session)
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """Who read which record, when: for administrators to read and filter, never to edit."""

    list_display = ["viewed_at", "user", "session"]
    list_filter = [("viewed_at", admin.DateFieldListFilter), "user__team"]
    search_fields = ["user__name", "user__email", "session__supervisor__name"]
    date_hierarchy = "viewed_at"
    list_select_related = ["user", "session"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
