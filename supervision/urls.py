from allauth.account import views as account_views
from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from api.urls import api
from people import sso
from sessions_app import views as session_views
from supervision import health

admin.site.site_header = "Fourfold administration"
admin.site.site_title = "Fourfold"
admin.site.index_title = "Teams, people, relationships and policy"
# Administrators sign in through the same door as everyone (lockout, two-step sign-in).
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", session_views.home, name="home"),
    # For a load balancer or an orchestrator: is this app server able to answer?
    path("healthz", health.healthz, name="healthz"),
    # A person's email is their login and the key the imports match on: administrators change
    # it, not its owner, so allauth's email management page leads to the settings page.
    path("accounts/email/", RedirectView.as_view(pattern_name="people:settings")),
    # Single sign-on: allauth's OpenID Connect views, with the ID token's signature always
    # checked (people.sso); before allauth's own, which answer the same paths otherwise.
    path("accounts/oidc/<str:provider_id>/login/", sso.sso_login, name="openid_connect_login"),
    path(
        "accounts/oidc/<str:provider_id>/login/callback/",
        sso.sso_callback,
        name="openid_connect_callback",
    ),
    # Identities are never linked to people (the e-mail decides), so there is nothing to manage.
    path("accounts/3rdparty/", RedirectView.as_view(pattern_name="people:settings")),
    path("accounts/", include("allauth.urls")),
    # The names Django's auth views had, for links and tests that use them.
    path("accounts/login/", account_views.login, name="login"),
    path("accounts/logout/", account_views.logout, name="logout"),
    path("sessions/", include("sessions_app.urls")),
    path("people/", include("people.urls")),
    path("imports/", include("imports.urls")),
    path("audit/", include("audit.urls")),
    path("privacy/", include("privacy.urls")),
    path("inspection/", include("inspection.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]
