"""Data rights in the administration: subject access and erasure on each person, and the log.

The people admin gains two actions and two buttons; each goes through the same service as the
privacy pages and the `erase_person` command.
"""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.template.response import TemplateResponse

from core.admin import FourfoldModelAdmin
from people.admin import UserAdmin as PeopleUserAdmin
from people.models import User

from .erasure import ErasureRefused, erasure_plan, erasure_refusals, person_erase
from .exports import Scope, subject_access_export
from .models import PrivacyEvent
from .views import zip_response

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(PeopleUserAdmin):
    change_form_template = "admin/privacy/user_change_form.html"
    actions = [*PeopleUserAdmin.actions, "download_subject_access", "erase_people"]

    @admin.action(description="Download a subject access export (one person)", permissions=["view"])
    def download_subject_access(self, request, queryset):
        people = list(queryset[:2])
        if len(people) != 1:
            self.message_user(
                request, "Choose one person for a subject access export.", messages.ERROR
            )
            return None
        export = subject_access_export(
            subject=people[0], actor=request.user, scope=Scope.SUBJECT_ACCESS
        )
        return zip_response(export)

    @admin.action(description="Erase the selected people who have left", permissions=["change"])
    def erase_people(self, request, queryset):
        people = list(queryset)
        if request.POST.get("confirm") != "yes":
            # First time round: say what would happen, and ask.
            return TemplateResponse(
                request,
                "admin/privacy/erase_confirm.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Erase people who have left",
                    "opts": self.model._meta,
                    "rows": [(p, erasure_refusals(p), erasure_plan(p)) for p in people],
                    "action_checkbox_name": ACTION_CHECKBOX_NAME,
                },
            )
        erased = 0
        for person in people:
            label = f"{person} ({person.email})"
            try:
                person_erase(person=person, actor=request.user)
            except ErasureRefused as exc:
                self.message_user(request, f"Not erased: {label}. {exc}", messages.ERROR)
            else:
                erased += 1
        if erased:
            self.message_user(
                request,
                f"Erased {erased} {'person' if erased == 1 else 'people'}.",
                messages.SUCCESS,
            )
        return None


@admin.register(PrivacyEvent)
class PrivacyEventAdmin(FourfoldModelAdmin):
    """Who exported, erased or deleted whose data, when: to read, never to edit."""

    list_display = ["at", "kind", "actor", "subject"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]
    readonly_fields = ["at", "kind", "actor", "subject", "details"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
