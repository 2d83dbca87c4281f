from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin as BaseAuthenticatorAdmin
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Sum

from core import clock
from core.admin import FourfoldAdminMixin, FourfoldModelAdmin, guard_admin
from core.clock import today

from .access import is_administrator
from .models import (
    FailedSignIn,
    FocusAgreement,
    Relationship,
    SecurityEvent,
    Team,
    TeamMembership,
    User,
)
from .security import security_event_record, sign_in_unlock
from .services import team_memberships_move


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


class TeamMembershipInline(admin.TabularInline):
    """The dated history of a person's teams (past windows show the teams of the time).
    Changing "team" above records a move from today; correct the dates here."""

    model = TeamMembership
    extra = 0
    verbose_name_plural = "team history"
    autocomplete_fields = ["team"]
    fields = ["team", "start_date", "end_date"]


@admin.register(User)
class UserAdmin(FourfoldAdminMixin, BaseUserAdmin):
    form = FourfoldUserChangeForm
    add_form = FourfoldUserCreationForm
    ordering = ["name", "email"]
    list_display = ["name", "email", "team", "start_date_in_post", "is_staff", "is_active"]
    list_filter = ["team", "is_staff", "is_active", "reminder_emails"]
    search_fields = ["name", "email", "team__name"]
    autocomplete_fields = ["team"]
    inlines = [SupervisorRelationshipInline, TeamMembershipInline]
    actions = ["unlock_sign_in"]
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

    def get_inlines(self, request, obj):
        # The team history is edited once the person exists; adding one records their team.
        if obj is None:
            return [SupervisorRelationshipInline]
        return [SupervisorRelationshipInline, TeamMembershipInline]

    def save_model(self, request, obj, form, change):
        previous = None
        if change and "team" in form.changed_data:
            previous = User.objects.filter(pk=obj.pk).values_list("team_id", flat=True).first()
        super().save_model(request, obj, form, change)
        if "team" in form.changed_data and (change or obj.team_id):
            # A change of team is a move from today, through the one service the import uses.
            team_memberships_move([(obj, previous, obj.team, today() if change else None)])

    @admin.action(description="Unlock sign-in (forget failed attempts)")
    def unlock_sign_in(self, request, queryset):
        cleared = sum(sign_in_unlock(by=request.user, email=p.email) for p in queryset)
        self.message_user(
            request,
            f"Unlocked sign-in for {queryset.count()} person(s); "
            f"{cleared} failed sign-in record(s) cleared.",
            messages.SUCCESS,
        )


@admin.register(SecurityEvent)
class SecurityEventAdmin(FourfoldModelAdmin):
    """The security log: administrators read it; nobody writes, edits or deletes a line."""

    list_display = ["at", "kind", "email", "ip_address", "detail", "by"]
    list_filter = ["kind"]
    search_fields = ["email", "ip_address", "detail"]
    date_hierarchy = "at"
    list_select_related = ["by"]
    fields = ["at", "kind", "user", "email", "ip_address", "detail", "by"]
    readonly_fields = fields

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FailedSignIn)
class FailedSignInAdmin(FourfoldModelAdmin):
    """Failed sign-ins that axes counts, per account and address, and the unlock action."""

    list_display = ["username", "ip_address", "failures_since_start", "attempt_time", "locked"]
    list_filter = ["attempt_time"]
    search_fields = ["username", "ip_address"]
    ordering = ["-attempt_time"]
    fields = ["username", "ip_address", "user_agent", "failures_since_start", "attempt_time"]
    readonly_fields = fields
    actions = ["unlock"]

    @admin.display(boolean=True, description="locked now")
    def locked(self, attempt):
        # Locked while, within the cool-off, this account's failures or this address's reach
        # the limit (settings.AXES_LOCKOUT_PARAMETERS: either one locks).
        since = clock.now() - settings.AXES_COOLOFF_TIME
        recent = FailedSignIn.objects.filter(attempt_time__gte=since)
        for lookup in ({"username": attempt.username}, {"ip_address": attempt.ip_address}):
            failures = recent.filter(**lookup).aggregate(n=Sum("failures_since_start"))["n"]
            if (failures or 0) >= settings.AXES_FAILURE_LIMIT:
                return True
        return False

    @admin.action(description="Unlock (forget these failed attempts)")
    def unlock(self, request, queryset):
        cleared = 0
        for attempt in queryset:
            cleared += sign_in_unlock(
                by=request.user, email=attempt.username or "", ip_address=attempt.ip_address
            )
        self.message_user(request, f"{cleared} failed sign-in record(s) cleared.", messages.SUCCESS)

    def has_module_permission(self, request):
        return is_administrator(request.user)

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # Deleting a row would unlock without a line in the security log; the action does both.
        return False


admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(FourfoldAdminMixin, BaseAuthenticatorAdmin):
    """allauth's list of authenticators. Deleting one here is how an administrator lets someone
    who lost their phone and their recovery codes set up two-step sign-in again; it goes in
    the security log with who did it."""

    def delete_model(self, request, obj):
        self._log_removed(request, [obj])
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        self._log_removed(request, queryset.select_related("user"))
        super().delete_queryset(request, queryset)

    def _log_removed(self, request, authenticators):
        for authenticator in authenticators:
            security_event_record(
                kind=SecurityEvent.Kind.MFA_REMOVED,
                user=authenticator.user,
                detail=f"{authenticator.get_type_display()}, by an administrator",
                by=request.user,
            )


# The screens Django and allauth register get the guard on their lists too.
for registered in (Group, EmailAddress, SocialApp, SocialAccount, SocialToken):
    guard_admin(registered)


@admin.register(Team)
class TeamAdmin(FourfoldModelAdmin):
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
class RelationshipAdmin(FourfoldModelAdmin):
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
