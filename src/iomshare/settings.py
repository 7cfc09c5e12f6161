"""Django settings for iomshare, read from the environment.

DATABASE_URL picks the database (default: an SQLite file under var/); SECRET_KEY is generated into
var/ on first run when unset so that no secret is ever committed; DEBUG is off unless asked for.
"""

import os
import secrets
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parents[1]
VAR_DIR = Path(os.environ.get("IOMSHARE_VAR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The SECRET_KEY from the environment, else one generated once into var/ (mode 0600)."""
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
# The master key file wrapping item data keys (records.sealing): outside the database, mode 0600,
# generated on first use. Keep it off the database's backups (docs/retention.md).
IOMSHARE_MASTER_KEY_FILE = Path(os.environ.get("IOMSHARE_MASTER_KEY_FILE", VAR_DIR / "master_keys"))
DEBUG = os.environ.get("DEBUG", "").lower() in {"1", "true", "yes"}
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",  # only for its bundled Swagger UI files and template at /api/v1/docs (no CDN)
    "iomshare.partnership",
    "iomshare.people",
    "iomshare.identity",
    "iomshare.records",
    "iomshare.vocabulary",
    "iomshare.forms",
    "iomshare.protocols",
    "iomshare.exchange",
    "iomshare.ledger",
    "iomshare.alerts",
    "iomshare.retention",
    "iomshare.information_requests",
    "iomshare.casework",
    "iomshare.service_referrals",
    "iomshare.knowledge",
    "iomshare.web",
    "iomshare.subject_access",
    "iomshare.operations",
    "iomshare.governance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "iomshare.web.middleware.RequestIdMiddleware",
    "iomshare.operations.metrics.MetricsMiddleware",
    "iomshare.ledger.context.LedgerOriginMiddleware",
    "iomshare.web.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "iomshare.web.middleware.NoStoreMiddleware",
    "iomshare.web.middleware.ApiProblemsMiddleware",
    "iomshare.web.middleware.LedgerUnavailableMiddleware",
    "iomshare.ledger.admin_views.AdminViewsOnLedgerMiddleware",
    "iomshare.operations.unavailable.ServiceUnavailableMiddleware",
]

ROOT_URLCONF = "iomshare.urls"
WSGI_APPLICATION = "iomshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iomshare.web.context.service",
                "iomshare.web.context.contacts",
                "iomshare.alerts.context.unread",  # unread count in the header
            ],
            # One time format on every page (GOV.UK style): the govuk_time and govuk_datetime filters.
            "builtins": ["iomshare.web.govuk_dates"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'iomshare.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers carry on while one writer commits; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "partnership.StaffMember"
LOGIN_URL = "web:sign-in"
LOGIN_REDIRECT_URL = "people:cohort"
LOGOUT_REDIRECT_URL = "web:sign-in"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# Vendored GOV.UK assets are referenced as /assets/... by the GOV.UK stylesheet, so serve that folder
# at the site root; Django admin's own files come through the static finders.
WHITENOISE_ROOT = PACKAGE_DIR / "web" / "public"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60  # a working day
SESSION_COOKIE_SECURE = os.environ.get("SECURE_COOKIES", "").lower() in {"1", "true", "yes"}
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

IOMSHARE_SERVICE_NAME = "iomshare"
# The partnership's support desk: named on pages anyone can read (the sign-in page), where staff
# names would not be. Set it to the partnership's own desk when deploying.
IOMSHARE_SUPPORT_CONTACT = {
    "name": os.environ.get("IOMSHARE_SUPPORT_NAME", "the IOM partnership's iomshare support desk"),
    "email": os.environ.get("IOMSHARE_SUPPORT_EMAIL", "iomshare-support@iom-partnership.example"),
    "hours": os.environ.get("IOMSHARE_SUPPORT_HOURS", "Monday to Friday, 9am to 5pm"),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Operations (docs/operations.md) ---------------------------------------------------------------
from iomshare.operations import timeouts as _timeouts  # noqa: E402 (needs DATABASES above)

# Database timeouts: "web" for the web server and API, "command" (longer) for commands and jobs;
# `iomshare <command>` chooses "command" for everything but `serve`. PostgreSQL duration syntax.
IOMSHARE_TIMEOUTS = os.environ.get("IOMSHARE_TIMEOUTS", "web")
IOMSHARE_DATABASE_TIMEOUTS = {
    "web": {
        "lock_timeout": os.environ.get("IOMSHARE_WEB_LOCK_TIMEOUT", "5s"),
        "statement_timeout": os.environ.get("IOMSHARE_WEB_STATEMENT_TIMEOUT", "15s"),
    },
    "command": {
        "lock_timeout": os.environ.get("IOMSHARE_COMMAND_LOCK_TIMEOUT", "1min"),
        "statement_timeout": os.environ.get("IOMSHARE_COMMAND_STATEMENT_TIMEOUT", "30min"),
    },
}
DATABASES["default"]["OPTIONS"] = _timeouts.database_options(
    DATABASES["default"]["ENGINE"],
    IOMSHARE_DATABASE_TIMEOUTS["command" if IOMSHARE_TIMEOUTS == "command" else "web"],
    DATABASES["default"].get("OPTIONS", {}),
)
IOMSHARE_RETRY_AFTER_SECONDS = int(os.environ.get("IOMSHARE_RETRY_AFTER_SECONDS", "5"))

# /metrics: a bearer token for the scraper, or (when unset) loopback clients only, never via a proxy.
IOMSHARE_METRICS_TOKEN = os.environ.get("IOMSHARE_METRICS_TOKEN", "")
# /readyz asks for a fresh worker heartbeat only when a worker is expected to run.
IOMSHARE_WORKER_EXPECTED = os.environ.get("IOMSHARE_WORKER_EXPECTED", "").lower() in {"1", "true", "yes"}

# JSON lines with the request id (LOG_FORMAT=text for plain lines); replaces the plain LOGGING above.
from iomshare.operations import logs as _logs  # noqa: E402

LOGGING = _logs.logging_config(os.environ.get("LOG_FORMAT", "json"), os.environ.get("LOG_LEVEL", "WARNING"))

# How many reverse proxies of ours append to X-Forwarded-For (0: use REMOTE_ADDR); ledger.context.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Durable jobs (imports, linkage runs, retention sweeps, alert delivery): Django's tasks framework
# (django-tasks backport) on the database, run by `iomshare worker`. docs/alerts.md says how a larger
# deployment swaps the backend.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "iomshare.jobs"]
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IOMSHARE_WORKER_TIMEOUT = float(os.environ.get("IOMSHARE_WORKER_TIMEOUT", "30"))
if os.environ.get("IOMSHARE_WORKER_DIR"):
    IOMSHARE_WORKER_DIR = Path(os.environ["IOMSHARE_WORKER_DIR"])
IOMSHARE_WORKER_BEAT = float(os.environ.get("IOMSHARE_WORKER_BEAT", "1"))
# Bulk extracts (exchange.extract_runs): built by the worker a page of people at a time, kept sealed
# under IOMSHARE_EXTRACT_DIR for their asker, deleted by the retention sweep after this many hours.
IOMSHARE_EXTRACT_DIR = Path(os.environ.get("IOMSHARE_EXTRACT_DIR", VAR_DIR / "extracts"))
IOMSHARE_EXTRACT_PAGE_PEOPLE = int(os.environ.get("IOMSHARE_EXTRACT_PAGE_PEOPLE", "200"))
IOMSHARE_EXTRACT_KEEP_HOURS = float(os.environ.get("IOMSHARE_EXTRACT_KEEP_HOURS", "24"))
# --- Sign-in (issue 13; docs/security.md) --------------------------------------------------------
# django-allauth gives the sign-in page, second factors (TOTP, recovery codes, WebAuthn), the list
# of one's own sessions and per-agency OpenID Connect; iomshare.partnership adds lockout, the
# session policy and the rules about who must use a second factor.
INSTALLED_APPS += [
    "django.contrib.humanize",  # allauth's session and security key lists use it
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
]
MIDDLEWARE += [
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "iomshare.partnership.session_policy.SessionPolicyMiddleware",
    "iomshare.partnership.second_factor.SecondFactorRequiredMiddleware",
]
AUTHENTICATION_BACKENDS = ["iomshare.partnership.lockout.LockoutAwareBackend"]
ACCOUNT_ADAPTER = "iomshare.partnership.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "iomshare.partnership.single_sign_on.SingleSignOnAdapter"
MFA_ADAPTER = "iomshare.partnership.adapters.SecondFactorAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False  # the changer's own session stays; the others end (see adapters)
ACCOUNT_SESSION_REMEMBER = False  # the session policy below decides how long a session lives
ACCOUNT_AUTHENTICATED_LOGIN_REDIRECTS = False  # the sign-in page signs in again, as it always has
# iomshare's own lockout (partnership.lockout) is durable and counts every channel; allauth's
# cache-based limits would be per process and are switched off so there is one rule, not two.
ACCOUNT_RATE_LIMITS = False
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
ACCOUNT_REAUTHENTICATION_REQUIRED = (
    True  # e-mail changes (used for password reset) ask for the password again
)
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "iomshare"
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = False
MFA_FORMS = {"authenticate": "iomshare.partnership.second_factor.AuthenticateForm"}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
# Each agency's provider is an `openid_connect` SocialApp linked to the agency (partnership.AgencySignOn);
# iomshare's provider class checks every ID token's signature and allauth sends PKCE.
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "provider_class": "iomshare.partnership.single_sign_on.AgencyProvider",
        "OAUTH_PKCE_ENABLED": True,
    }
}
USERSESSIONS_TRACK_ACTIVITY = False  # recorded at sign-in; a write per request buys little

# Every account needs a second factor (TOTP or a WebAuthn key) except where this is switched off,
# which only the demo and tests do (IOMSHARE_REQUIRE_SECOND_FACTOR=0).
IOMSHARE_REQUIRE_SECOND_FACTOR = os.environ.get("IOMSHARE_REQUIRE_SECOND_FACTOR", "1").lower() not in {
    "0",
    "false",
    "no",
}
# Sessions end after 30 minutes without a request or 12 hours after sign-in, whichever is first;
# the page warns two minutes before the idle limit (GOV.UK timeout warning).
IOMSHARE_SESSION_IDLE_SECONDS = int(os.environ.get("IOMSHARE_SESSION_IDLE_SECONDS", 30 * 60))
IOMSHARE_SESSION_ABSOLUTE_SECONDS = int(os.environ.get("IOMSHARE_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60))
IOMSHARE_SESSION_WARNING_SECONDS = int(os.environ.get("IOMSHARE_SESSION_WARNING_SECONDS", 2 * 60))
SESSION_COOKIE_AGE = IOMSHARE_SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Secure transport by default whenever DEBUG is off: Secure, HttpOnly, __Host- cookies and HSTS.
# Only the demo on plain HTTP over loopback turns this off, and says so (IOMSHARE_PLAIN_HTTP_DEMO).
IOMSHARE_PLAIN_HTTP_DEMO = os.environ.get("IOMSHARE_PLAIN_HTTP_DEMO", "").lower() in {"1", "true", "yes"}
if not DEBUG and not IOMSHARE_PLAIN_HTTP_DEMO:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-iomshare-session"
    CSRF_COOKIE_NAME = "__Host-iomshare-csrf"
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
CSRF_COOKIE_HTTPONLY = True

# API tokens are read-only unless issued with more scopes (read, write, import, link): least privilege.
IOMSHARE_TOKEN_DEFAULT_SCOPES = ("read",)
