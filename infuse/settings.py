"""InFuSe settings: one module, configured by ``INFUSE_*`` environment variables.

Why one module and environment variables: the same code runs as the embedded demo (SQLite under
``var/``), in CI on SQLite and PostgreSQL, and in production behind a proxy, and every difference
between them is a documented variable (see README "Configuration") rather than a settings file.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from infuse.core import keyring

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    """Read a boolean variable; accepts 1/0, true/false, yes/no, on/off."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false (1/0, yes/no, on/off); got {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    """Read a comma-separated list variable."""
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


VAR_DIR = Path(os.environ.get("INFUSE_VAR_DIR", PROJECT_DIR / "var"))
DATA_DIR = Path(os.environ.get("INFUSE_DATA_DIR", VAR_DIR / "data"))


def _private(directory: Path) -> None:
    """The service's own directories are for the service user alone (mode 0700): the database,
    the keys, uploads and dataset files inside them are unreadable to other users whatever the
    mode each file was created with."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    if directory.stat().st_uid == os.getuid():
        directory.chmod(0o700)


_private(VAR_DIR)
_private(DATA_DIR)
DEBUG = env_bool("INFUSE_DEBUG", False)


def _secret_key() -> str:
    """Production must set INFUSE_SECRET_KEY; the demo keeps a generated one under var/."""
    key = os.environ.get("INFUSE_SECRET_KEY")
    if key:
        return key
    key_file = VAR_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()


# Keys kept outside the database (see infuse/core/keyring.py): the master keys that wrap each
# challenge's bid key, and the audit log's keys. Production sets the variables; the demo keeps
# generated ones under var/.
BID_KEYS = keyring.load_keys("INFUSE_BID_KEYS", VAR_DIR / "bid_keys")
AUDIT_KEYS = keyring.load_keys("INFUSE_AUDIT_KEYS", VAR_DIR / "audit_keys")
# Signed checkpoints of the audit chain's head, appended after each event, for the operator to
# ship off this machine (they are also logged as "infuse.audit.checkpoint").
AUDIT_CHECKPOINT_FILE = Path(
    os.environ.get("INFUSE_AUDIT_CHECKPOINT_FILE", VAR_DIR / "audit-checkpoints.jsonl")
)
# Open Contracting: the prefix registered with the Open Contracting Partnership, and the
# procurement's publisher as it appears in release packages.
OCID_PREFIX = os.environ.get("INFUSE_OCID_PREFIX", "ocds-infuse")
OCDS_PUBLISHER = os.environ.get("INFUSE_OCDS_PUBLISHER", "Cardiff Capital Region")
# Working days between an award decision and the contract (Procurement Act 2023, s.51: eight).
STANDSTILL_WORKING_DAYS = int(os.environ.get("INFUSE_STANDSTILL_WORKING_DAYS", "8"))
ALLOWED_HOSTS = env_list("INFUSE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("INFUSE_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "modeltranslation",  # must precede django.contrib.admin
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "ninja",
    "infuse.core",
    "infuse.datalab",
    "infuse.adaption",
    "infuse.procurement",
    "infuse.fund",
    "infuse.region",
    "infuse.demo",
]

MIDDLEWARE = [
    "infuse.core.middleware.HeadAsGetMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "infuse.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside sessions, CSRF, authentication and messages, so it sees what they would add.
    "infuse.core.page_cache.PageCacheMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "infuse.core.middleware.DomainErrorMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "infuse.urls"
WSGI_APPLICATION = "infuse.wsgi.application"
ASGI_APPLICATION = "infuse.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "infuse.core.context_processors.service",
            ],
        },
    },
]

# Database: SQLite under var/ by default; INFUSE_DATABASE_URL selects PostgreSQL in production.
DATABASE_URL = os.environ.get("INFUSE_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'infuse.sqlite3'}"
# Connections are kept and reused by the thread that opened them (opening one per request cost
# a page a few milliseconds; the web server opens each thread's at start), and checked before
# reuse, so a connection the database dropped (a restart, a failover) is replaced instead of
# failing a request. A server holds workers × threads connections (see core/web_server.py).
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=None, conn_health_checks=True)
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE takes the write lock at BEGIN, so two writers never both read the audit chain's
    # head and then race to append to it; WAL lets the web server and the worker read concurrently.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: an in-memory shared-cache database locks whole tables and ignores
    # the busy timeout, which is not how the platform runs.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-infuse.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.Person"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

# django-axes: lock an account (by username) after repeated failures, for a while.
AXES_FAILURE_LIMIT = int(os.environ.get("INFUSE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("INFUSE_LOGIN_COOLOFF_HOURS", "0.25"))
# Per account, and per browser on one address (so one office behind a NAT is not locked as a whole).
AXES_LOCKOUT_PARAMETERS = ["username", ["ip_address", "user_agent"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "auth/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env_bool("INFUSE_LOGIN_LOCKOUT", True)
AXES_CLIENT_IP_CALLABLE = "infuse.core.addresses.client_address"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("cy", _("Welsh"))]
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PROJECT_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
# Serve from the finders when static files have not been collected (tests, first run).
WHITENOISE_USE_FINDERS = env_bool("INFUSE_STATIC_FROM_FINDERS", True)
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("INFUSE_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# Email: console in development; INFUSE_EMAIL_URL=smtp://user:pass@host:587 (or smtps://) for SMTP.
EMAIL_URL = os.environ.get("INFUSE_EMAIL_URL", "")
DEFAULT_FROM_EMAIL = os.environ.get("INFUSE_DEFAULT_FROM_EMAIL", "InFuSe <no-reply@infuse.local>")
# Where people reach the service: links in emails the task worker writes start with it.
SITE_URL = os.environ.get("INFUSE_SITE_URL", "http://127.0.0.1:8000")
# How long the link that confirms a self-registered person's email address works.
EMAIL_CONFIRMATION_DAYS = int(os.environ.get("INFUSE_EMAIL_CONFIRMATION_DAYS", "3"))
if EMAIL_URL:
    from urllib.parse import unquote, urlsplit

    _email = urlsplit(EMAIL_URL)
    if _email.scheme not in {"smtp", "smtps"}:
        raise ValueError("INFUSE_EMAIL_URL must start smtp:// (STARTTLS) or smtps:// (TLS)")
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email.hostname or "localhost",
                "port": _email.port or (465 if _email.scheme == "smtps" else 587),
                "username": unquote(_email.username or ""),
                "password": unquote(_email.password or ""),
                "use_ssl": _email.scheme == "smtps",
                "use_tls": _email.scheme == "smtp",
                "timeout": 20,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}

# Request limits: oversized requests get 400/413 rather than exhausting memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("INFUSE_MAX_REQUEST_BYTES", str(5 * 1024 * 1024)))
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2000
# The analytics layer's engine: DuckDB in-process (default) or a Spark cluster.
ANALYTICS_ENGINE = os.environ.get("INFUSE_ANALYTICS_ENGINE", "duckdb")
if ANALYTICS_ENGINE not in {"duckdb", "spark"}:
    raise ValueError("INFUSE_ANALYTICS_ENGINE must be duckdb or spark")
SPARK_MASTER = os.environ.get("INFUSE_SPARK_MASTER") or None
# Reading one upload (in its sandbox) is stopped after this long, or when the files it writes
# pass this size.
INGEST_TIMEOUT_SECONDS = float(os.environ.get("INFUSE_INGEST_TIMEOUT_SECONDS", "3600"))
INGEST_MAX_OUTPUT_MB = int(os.environ.get("INFUSE_INGEST_MAX_OUTPUT_MB", "20480"))
# An ingest whose progress has not moved for this long lost its worker and is queued again.
INGEST_STALE_SECONDS = float(os.environ.get("INFUSE_INGEST_STALE_SECONDS", "900"))
# Rate limits (infuse/core/ratelimit.py): (times, seconds) per signed-in person, or per address
# for those not signed in; signing in is also locked per account by django-axes (above).
RATE_LIMITS_ENABLED = env_bool("INFUSE_RATE_LIMITS", True)
RATE_LIMITS = {
    "sign-in": (30, 600),
    "register": (10, 3600),
    "sql": (120, 600),
    "upload": (60, 3600),
    "token": (1200, 60),
    "token-create": (20, 3600),
    "confirm-email": (5, 3600),
    # Seconds of query time per person per hour: two people cannot hold every sandbox slot.
    "sql-seconds": (300, 3600),
}
# Read-only SQL: each query is stopped after this many seconds.
SQL_TIMEOUT_SECONDS = float(os.environ.get("INFUSE_SQL_TIMEOUT_SECONDS", "10"))
# ...and DuckDB's own memory for it, and the largest result it may send back.
SQL_MEMORY_LIMIT = os.environ.get("INFUSE_SQL_MEMORY_LIMIT", "512MB")
SQL_MAX_RESULT_MB = int(os.environ.get("INFUSE_SQL_MAX_RESULT_MB", "10"))
# Checking a design's power by simulation: the most random values one simulated trial may draw
# (the worker holds 250 trials' worth at a time; 20,000 is about 40 MB of it per array).
SIMULATION_MAX_VALUES_PER_TRIAL = int(
    os.environ.get("INFUSE_SIMULATION_MAX_VALUES_PER_TRIAL", "20000")
)
# Untrusted work (SQL, reading uploads) runs in sandboxed processes: the address space each may
# map, how many run at once on this machine, and how many for one person.
SANDBOX_MEMORY_MB = int(os.environ.get("INFUSE_SANDBOX_MEMORY_MB", "2048"))
SANDBOX_TOTAL = int(os.environ.get("INFUSE_SANDBOX_TOTAL", "4"))
SANDBOX_PER_PERSON = int(os.environ.get("INFUSE_SANDBOX_PER_PERSON", "2"))
SANDBOX_DIR = Path(os.environ.get("INFUSE_SANDBOX_DIR", VAR_DIR / "sandbox"))
# Disclosure control: counts below this are suppressed on anything the public sees.
DISCLOSURE_THRESHOLD = int(os.environ.get("INFUSE_DISCLOSURE_THRESHOLD", "5"))

# Red flags over contracting data: thresholds that replace the defaults, as JSON, e.g.
# {"short_submission_days": 10, "above_estimate": 0.3} (infuse/procurement/redflags/flags.py).
RED_FLAG_THRESHOLDS = json.loads(os.environ.get("INFUSE_RED_FLAG_THRESHOLDS") or "{}")
# "suppression" (small counts hidden, with secondary suppression) or "rounding" (base 5).
DISCLOSURE_METHOD = os.environ.get("INFUSE_DISCLOSURE_METHOD", "suppression")
if DISCLOSURE_METHOD not in {"suppression", "rounding"}:
    raise ValueError("INFUSE_DISCLOSURE_METHOD must be suppression or rounding")
# Pages kept for signed-out readers until anything they could show changes
# (infuse.core.page_cache), and for at most this long; 0 turns keeping off.
PUBLIC_PAGE_CACHE_SECONDS = int(os.environ.get("INFUSE_PUBLIC_PAGE_CACHE_SECONDS", "300"))
# Pages kept for each signed-in person and session, until anything a page could show changes,
# and for at most this long; 0 turns keeping them off.
PERSONAL_PAGE_CACHE_SECONDS = int(os.environ.get("INFUSE_PERSONAL_PAGE_CACHE_SECONDS", "60"))
# Both kinds: the largest page kept, and paths never kept. The API's schema and docs are built
# once by the API itself (and read before any database).
PAGE_CACHE_MAX_BYTES = 256 * 1024
PAGE_CACHE_SKIP = (
    "/admin/",
    "/account/",
    "/api/v1/openapi.json",
    "/api/v1/docs",
    "/static/",
    "/media/",
)
# Per process: each web worker keeps up to 300 pages of at most 256 KB (the demo's are 8-70 KB).
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 300},
    }
}
# Uploaded data files stream to disk (never held in memory whole) up to this size.
MAX_UPLOAD_BYTES = int(os.environ.get("INFUSE_MAX_UPLOAD_BYTES", str(2 * 1024**3)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Security: strict by default; INFUSE_DEBUG=1 relaxes what needs HTTPS for local use.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: everything from this site only; scripts only with the page's nonce
# (the two small inline scripts of base.html), no inline styles, no plugins, no framing.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
HTTPS = env_bool("INFUSE_HTTPS", not DEBUG and bool(os.environ.get("INFUSE_SECRET_KEY")))
if HTTPS:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("INFUSE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("INFUSE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("INFUSE_HSTS_PRELOAD", True)
BEHIND_PROXY = env_bool("INFUSE_BEHIND_PROXY", False)
if BEHIND_PROXY:
    # Trust X-Forwarded-Proto from the reverse proxy (gunicorn behind nginx or a load balancer).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True
# How many proxies we run in front of the service, each appending to X-Forwarded-For: the
# sign-in lockout and the rate limits count the address the outermost one saw (core/addresses).
PROXY_COUNT = int(os.environ.get("INFUSE_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("INFUSE_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

INFUSE_SERVICE_NAME = "InFuSe"
INFUSE_DEMO_PASSWORD = os.environ.get("INFUSE_DEMO_PASSWORD", "infuse-demo-2026")
