from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from people.forms import SetPasswordLinkForm
from sessions_app import views as session_views

admin.site.site_header = "Fourfold administration"
admin.site.site_title = "Fourfold"
admin.site.index_title = "Teams, people, relationships and policy"

urlpatterns = [
    path("", session_views.home, name="home"),
    path(
        "accounts/password_reset/",
        auth_views.PasswordResetView.as_view(form_class=SetPasswordLinkForm),
        name="password_reset",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("sessions/", include("sessions_app.urls")),
    path("people/", include("people.urls")),
    path("imports/", include("imports.urls")),
    path("audit/", include("audit.urls")),
    path("admin/", admin.site.urls),
]
