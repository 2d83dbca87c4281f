"""Administrators create API tokens (each shown once), revoke them, and read the call log."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Max
from django.template.response import TemplateResponse

from core.admin import FourfoldModelAdmin

from .models import ApiCall, ApiToken
from .services import api_token_create, api_token_revoke


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "team"]


@admin.register(ApiToken)
class ApiTokenAdmin(FourfoldModelAdmin):
    form = ApiTokenForm
    list_display = ["name", "key_id", "scope", "created_at", "created_by", "last_call", "state"]
    list_filter = ["team"]
    search_fields = ["name", "key_id"]
    actions = ["revoke"]
    readonly_fields = ["key_id", "created_at", "created_by", "revoked_at", "revoked_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("team", "created_by")
            .annotate(last_call_at=Max("calls__at"))
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "team"]
        return ["name", "team", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        # Once created, a token's scope never changes: create another instead.
        if obj is not None:
            return ["name", "team", *self.readonly_fields]
        return []

    def has_delete_permission(self, request, obj=None):
        # Revoked, never deleted: the call log keeps naming it.
        return False

    @admin.display(description="scope")
    def scope(self, obj):
        return obj.team.name if obj.team_id else "Whole organisation"

    @admin.display(description="last call")
    def last_call(self, obj):
        return obj.last_call_at

    @admin.display(description="state")
    def state(self, obj):
        return "revoked" if obj.is_revoked else "active"

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, text = api_token_create(
            name=form.cleaned_data["name"], team=form.cleaned_data["team"], by=request.user
        )
        obj.pk = token.pk
        obj.key_id = token.key_id
        request._fourfold_new_api_token = text

    def response_add(self, request, obj, post_url_continue=None):
        """The token, once: Fourfold keeps only its hash, so this page is the only chance."""
        text = getattr(request, "_fourfold_new_api_token", None)
        if text is None:
            return super().response_add(request, obj, post_url_continue)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "token": obj,
            "text": text,
            "title": "API token created",
        }
        response = TemplateResponse(request, "admin/api/token_created.html", context)
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = sum(api_token_revoke(token=token, by=request.user) for token in queryset)
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)


@admin.register(ApiCall)
class ApiCallAdmin(FourfoldModelAdmin):
    list_display = ["at", "token", "method", "path", "status"]
    list_filter = ["status", "token"]
    search_fields = ["path", "token__name", "token__key_id"]
    date_hierarchy = "at"
    list_select_related = ["token"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
