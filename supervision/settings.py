"""Fourfold settings: everything that varies between machines comes from the environment.

With nothing set, the app runs in debug on an SQLite file beside this project so that a
newcomer needs nothing installed. See `.env.example` for every variable.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_list(name, default=()):
    raw = os.environ.get(name, "")
    items = [part.strip() for part in raw.split(",") if part.strip()]
    return items or list(default)


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "insecure-development-key-never-use-in-production"  # noqa: S105 - debug only (above)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "ninja",
    "django_tasks_db",
    "outbox",
    "people",
    "sessions_app",
    "audit",
    "imports",
    "demo",
    # After people: privacy's admin extends the people admin (subject access, erasure).
    "privacy",
    "api",
    "inspection",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "core.middleware.permissions_policy",
    "core.middleware.memo_per_request",
    "core.middleware.DatabaseBusyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "core.middleware.keep_sessions_alive",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "people.middleware.require_two_factor",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, so that it sees the lockout that authentication marks on the request.
    "axes.middleware.AxesMiddleware",
    # The API's call log (api.middleware): every call, with its token and status.
    "api.middleware.log_api_calls",
]

ROOT_URLCONF = "supervision.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sessions_app.context_processors.roles",
            ],
            # The words every page uses for dates and times ("3 Dec 2026", "14:02"): one
            # place (core.dates), as filters every template has without loading them.
            "builtins": ["core.words", "core.links"],
        },
    },
]

WSGI_APPLICATION = "supervision.wsgi.application"

# DATABASE_URL is parsed here and nowhere else; unset means the embedded SQLite file.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Persistent connections: each app server process keeps its connection this many seconds
# (0: a new one per request), and checks it is still alive before reusing it for a new request,
# so that a database restart or a proxy's idle timeout costs no failed request.
CONN_MAX_AGE = env_int("CONN_MAX_AGE", 60)
# The dashboards' queries prepared once on each PostgreSQL connection (core.prepared): planned
# once, not at every request (docs/performance.md). Off for a pooler that shares one server
# connection between clients transaction by transaction (PgBouncer's transaction mode).
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)
if DATABASE_URL:
    try:
        DATABASES = {
            "default": dj_database_url.parse(
                DATABASE_URL, conn_max_age=CONN_MAX_AGE, conn_health_checks=True
            )
        }
    except Exception as exc:  # dj_database_url raises several kinds for a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL: {exc}") from None
    # PostgreSQL's JIT compiles a plan once its estimated cost passes 100,000: the dashboards'
    # queries at council scale do, and pay 0.1-1 s of compiling for queries that run in less.
    # A statement prepared on the server (`core.prepared`) is planned once for any values:
    # left to choose, PostgreSQL planned some again at every run, with their values (0.5-1 ms
    # each, seven of a home page's). Both measured: docs/performance.md. These unless
    # DATABASE_URL says otherwise (?options=...).
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
            "options", "-c jit=off -c plan_cache_mode=force_generic_plan"
        )

else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # SQLite serves simultaneous requests (docs/security.md, "Concurrency"):
            # - IMMEDIATE: a write transaction takes the write lock when it begins, so a second
            #   writer waits its turn; a DEFERRED one that read first cannot be made to wait and
            #   fails at once with "database is locked".
            # - timeout: how long a writer waits for its turn, in seconds, before giving up.
            # - WAL: readers never block the writer, nor it them; synchronous=NORMAL is safe in
            #   WAL (a power cut may lose the last commits, never corrupt the file).
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            },
            # The test database is a file too, so that tests of concurrent requests see what a
            # server sees (an in-memory database shares one connection between threads). One
            # file per process, so that two runs in one checkout do not meet.
            "TEST": {
                "NAME": Path(tempfile.gettempdir()) / f"fourfold-test-{os.getpid()}.sqlite3",
            },
        }
    }

AUTH_USER_MODEL = "people.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Sign-in (docs/security.md): django-allauth signs people in by email and asks for a second
# step (TOTP or a recovery code); django-axes locks out an account or an address after
# repeated failures. Axes's backend comes first: it refuses a locked-out sign-in before any
# password is checked.
AUTHENTICATION_BACKENDS = [
    "people.security.LockoutBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "name"]},
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# "Today" is the date in the organisation's time zone (DOMAIN.md).
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic gathers them (make loadtest gathers them elsewhere, beside its database).
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# No state lives in an app server process ("Running several app servers" in the README):
# sessions, sign-in lockouts (axes), the API's rate limit and the background tasks are all in
# the database, and nothing is written to local files. The cache holds only allauth's rate
# limits on password resets and similar emails; CACHE=database shares them between app servers
# (run `manage.py createcachetable` once); by default each process counts its own.
if os.environ.get("CACHE", "local") == "database":
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "fourfold_cache",
        }
    }
elif os.environ.get("CACHE", "local") != "local":
    raise ImproperlyConfigured("CACHE must be local or database")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail (Django 6.1 MAILERS): the console in development; SMTP from the environment in production.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
if EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    MAILERS = {
        "default": {
            "BACKEND": EMAIL_BACKEND,
            "OPTIONS": {
                "host": os.environ.get("EMAIL_HOST", "localhost"),
                "port": env_int("EMAIL_PORT", 25),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 30,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": EMAIL_BACKEND}}
del EMAIL_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Fourfold <fourfold@localhost>")
# Background work (django.tasks): emails wait in the outbox until the worker sends them, and
# the worker queues the daily reminders. django-tasks-db keeps the tasks in this database;
# the worker is `manage.py run_worker` (its db_worker, with the minute tick scheduled).
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}
# Absolute links in emails need the site's address.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# How long supervision records are kept, in whole years from the session's date (UK GDPR
# storage limitation; docs/privacy.md). `manage.py apply_retention --apply` deletes older ones.
# A deployment setting rather than an admin field: lowering it deletes records for good, so it
# changes by a deliberate, reviewed configuration change, not a click beside the audit thresholds.
RETENTION_YEARS = env_int("RETENTION_YEARS", 7)
if RETENTION_YEARS < 1:
    raise ImproperlyConfigured(f"RETENTION_YEARS must be 1 or more, not {RETENTION_YEARS}")

# Uploads of a few thousand CSV rows stay well below this.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Headers. Every script and style is a file of ours under static/ (vendored: no CDN): no inline
# script, no inline style, nothing from elsewhere. Two-step sign-in's QR code is a data: image.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # A load balancer asks for /healthz over plain HTTP, inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Sessions end when the browser closes, or after SESSION_IDLE_MINUTES without a request: a
# request pushes the session's expiry on by that much, at most once every SESSION_TOUCH_SECONDS
# (core.middleware.keep_sessions_alive), not with a database write at every page.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30)
if SESSION_IDLE_MINUTES < 1:
    raise ImproperlyConfigured("SESSION_IDLE_MINUTES must be at least 1")
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_TOUCH_SECONDS = 60

# django-allauth: people are added by administrators or the import, never by signing up
# (people.security.AccountAdapter closes sign-up); their email is their login.
ACCOUNT_ADAPTER = "people.security.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Fourfold: "
ACCOUNT_FORMS = {"login": "people.forms.SignInForm"}
# A reset asked for an address nobody has sends nothing (the page says the same either way):
# the form is public, and Fourfold does not mail strangers.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# Tell people by email when their password or two-step sign-in changes: if it was not them,
# they know to call an administrator.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# Failed sign-ins are counted, and locked out, by axes alone (below); allauth's own cache-based
# counter would refuse the fifth attempt with a different message.
ACCOUNT_RATE_LIMITS = {"login_failed": None}

# Two-step sign-in: an authenticator app (TOTP) with recovery codes. Managers and
# administrators (MFA_REQUIRED_FOR) are sent to set it up before anything else.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Fourfold"
# Nobody can sign up, and emails are set by administrators or the import, so allauth's guard
# against an unverified address (its EmailAddress table, which Fourfold does not fill) is moot.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_ROLES = ("managers", "administrators")
MFA_REQUIRED_FOR = env_list("MFA_REQUIRED_FOR", MFA_ROLES)
if set(MFA_REQUIRED_FOR) - {*MFA_ROLES, "everyone", "nobody"}:
    raise ImproperlyConfigured(
        "MFA_REQUIRED_FOR lists roles among managers, administrators, everyone, or is nobody; "
        f"not {','.join(MFA_REQUIRED_FOR)!r}"
    )
if "nobody" in MFA_REQUIRED_FOR:
    MFA_REQUIRED_FOR = []

# Single sign-on by OpenID Connect (docs/sso.md): allauth's openid_connect provider, on when
# SSO_ISSUER is set. People are matched by the e-mail claim to those already added (never
# created); people.sso holds what Fourfold adds.
SSO_ISSUER = os.environ.get("SSO_ISSUER", "").strip().rstrip("/")
SSO_CLIENT_ID = os.environ.get("SSO_CLIENT_ID", "").strip()
SSO_CLIENT_SECRET = os.environ.get("SSO_CLIENT_SECRET", "")
SSO_EMAIL_CLAIM = os.environ.get("SSO_EMAIL_CLAIM", "").strip() or "email"
SSO_DISPLAY_NAME = os.environ.get("SSO_DISPLAY_NAME", "").strip() or "your organisation's account"
if SSO_ISSUER and not (SSO_CLIENT_ID and SSO_CLIENT_SECRET):
    raise ImproperlyConfigured("SSO_ISSUER needs SSO_CLIENT_ID and SSO_CLIENT_SECRET")
if SSO_ISSUER and not SSO_ISSUER.startswith("https://") and not DEBUG:
    raise ImproperlyConfigured("SSO_ISSUER must be an https:// URL when DEBUG is off")


def sso_providers(*, issuer, client_id, client_secret, display_name):
    """allauth's SOCIALACCOUNT_PROVIDERS for one OpenID Connect provider (id "sso")."""
    if not issuer:
        return {}
    return {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "sso",
                    "name": display_name,
                    "client_id": client_id,
                    "secret": client_secret,
                    "settings": {"server_url": issuer, "oauth_pkce_enabled": True},
                }
            ],
        }
    }


SOCIALACCOUNT_PROVIDERS = sso_providers(
    issuer=SSO_ISSUER,
    client_id=SSO_CLIENT_ID,
    client_secret=SSO_CLIENT_SECRET,
    display_name=SSO_DISPLAY_NAME,
)
if SSO_ISSUER:
    # The sign-in button's form is answered with a redirect to the provider's authorization
    # endpoint, and browsers hold such redirects to form-action: allow the provider's origin.
    _issuer = urlsplit(SSO_ISSUER)
    SECURE_CSP["form-action"] = [*SECURE_CSP["form-action"], f"{_issuer.scheme}://{_issuer.netloc}"]
SOCIALACCOUNT_ADAPTER = "people.sso.SocialAccountAdapter"
# Identities are never stored or linked: the e-mail claim decides at every sign-in.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
# Signing in starts with a POST (a CSRF-protected button), never a plain link.
SOCIALACCOUNT_LOGIN_ON_GET = False
# Local passwords: PASSWORD_SIGN_IN=false turns them off for everyone but the break-glass
# administrator named by BREAK_GLASS_EMAIL (who still needs two-step sign-in).
PASSWORD_SIGN_IN = env_bool("PASSWORD_SIGN_IN", True)
BREAK_GLASS_EMAIL = os.environ.get("BREAK_GLASS_EMAIL", "").strip().lower()
if not PASSWORD_SIGN_IN and not SSO_ISSUER:
    raise ImproperlyConfigured("PASSWORD_SIGN_IN=false needs single sign-on (SSO_ISSUER)")

# The read-only API (docs/api.md): calls a minute per token.
API_RATE_LIMIT = env_int("API_RATE_LIMIT", 120)
if API_RATE_LIMIT < 1:
    raise ImproperlyConfigured("API_RATE_LIMIT must be at least 1")
# The inspection pack's heading (docs: README, "Inspection pack").
ORGANISATION_NAME = os.environ.get("ORGANISATION_NAME", "").strip() or "Your organisation"

# django-axes: LOGIN_FAILURE_LIMIT failed sign-ins (at most 10) lock out the account, and
# separately the address they came from, until LOGIN_COOLOFF_MINUTES have passed since the last
# failure or an administrator unlocks it (admin: Sign-in lockouts, or People > Unlock sign-in).
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 10)
if not 1 <= LOGIN_FAILURE_LIMIT <= 10:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be between 1 and 10")
LOGIN_COOLOFF_MINUTES = env_int("LOGIN_COOLOFF_MINUTES", 30)
if LOGIN_COOLOFF_MINUTES < 1:
    raise ImproperlyConfigured("LOGIN_COOLOFF_MINUTES must be at least 1")
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# A success does not wipe the count: an attacker could otherwise reset the per-address count by
# signing in to an account of their own between guesses.
AXES_RESET_ON_SUCCESS = False
# Attempts during a lockout are refused without being counted, so the cool-off runs from the
# failure that caused it: retrying, even with the right password, does not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "people.security.sign_in_email"
AXES_CLIENT_IP_CALLABLE = "people.security.client_ip_address"
AXES_LOCKOUT_TEMPLATE = "account/locked_out.html"
# The security log (people.SecurityEvent) records sign-ins; the admin pages are Fourfold's own.
AXES_DISABLE_ACCESS_LOG = True
AXES_ENABLE_ADMIN = False
AXES_VERBOSE = False
# Behind a proxy every request comes from the proxy: say how many proxies append to
# X-Forwarded-For, so that the address counted is the browser's.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Sign-ins, failures, lockouts, unlocks and two-step changes (people.security), also kept
    # in the database for administrators. Send this logger to the organisation's SIEM if any.
    "loggers": {"fourfold.security": {"level": "INFO"}},
}
