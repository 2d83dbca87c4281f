from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from core.clock import today

from .models import FocusAgreement, Relationship, Team, User


class FourfoldUserCreationForm(AdminUserCreationForm):
    """Admin's add-person form: "usable_password" lets an administrator leave the password
    unset, so that the person sets their first one by a reset link (as after an import)."""

    class Meta:
        model = User
        fields = ("email", "name")


class FourfoldUserChangeForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"  # noqa: DJ007 - Django's own user admin form expects every field


class SupervisorRelationshipInline(admin.TabularInline):
    model = Relationship
    fk_name = "supervisee"
    extra = 0
    verbose_name = "supervisor of this person"
    verbose_name_plural = "supervisors of this person"
    autocomplete_fields = ["supervisor"]
    fields = ["supervisor", "kind", "frequency", "start_date", "end_date"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = FourfoldUserChangeForm
    add_form = FourfoldUserCreationForm
    ordering = ["name", "email"]
    list_display = ["name", "email", "team", "start_date_in_post", "is_staff", "is_active"]
    list_filter = ["team", "is_staff", "is_active", "reminder_emails"]
    search_fields = ["name", "email", "team__name"]
    autocomplete_fields = ["team"]
    inlines = [SupervisorRelationshipInline]
    fieldsets = (
        (None, {"fields": ("email", "name", "password")}),
        ("In the organisation", {"fields": ("team", "start_date_in_post", "reminder_emails")}),
        (
            "Access",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "name", "team", "usable_password", "password1", "password2"),
            },
        ),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "manager_names"]
    search_fields = ["name", "managers__name", "managers__email"]
    filter_horizontal = ["managers"]

    @admin.display(description="Managers")
    def manager_names(self, team):
        return ", ".join(str(m) for m in team.managers.all())

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("managers")


class ActiveFilter(admin.SimpleListFilter):
    title = "active today"
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("yes", "Active"), ("no", "Ended or not started")]

    def queryset(self, request, queryset):
        active = Relationship.objects.active_on(today()).values("pk")
        if self.value() == "yes":
            return queryset.filter(pk__in=active)
        if self.value() == "no":
            return queryset.exclude(pk__in=active)
        return queryset


class FocusAgreementInline(admin.TabularInline):
    model = FocusAgreement
    extra = 0
    fields = ["agreed_on", "management", "development", "support", "mediation", "notes"]


@admin.register(Relationship)
class RelationshipAdmin(admin.ModelAdmin):
    list_display = ["supervisee", "supervisor", "kind", "frequency", "start_date", "end_date"]
    list_filter = [ActiveFilter, "kind", "frequency", "supervisee__team"]
    search_fields = [
        "supervisor__name",
        "supervisor__email",
        "supervisee__name",
        "supervisee__email",
    ]
    autocomplete_fields = ["supervisor", "supervisee"]
    date_hierarchy = "start_date"
    list_select_related = ["supervisor", "supervisee"]
    inlines = [FocusAgreementInline]
