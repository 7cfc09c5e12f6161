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
    "iomshare.web",
    "iomshare.subject_access",
    "iomshare.operations",
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
            ],
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
TEMPLATES[0]["OPTIONS"]["context_processors"].append(
    "iomshare.alerts.context.unread"
)  # unread count in the header
