"""Base settings. Every operator-facing value is read through ``config.env.config``.

The environment modules (``demo``, ``test``, ``production``) set different defaults
for the same variables before importing this module; they never add logic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import environ
from django.utils.translation import gettext_lazy as _

from config.env import config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

ENVIRONMENT_LABEL = config(
    "ENVIRONMENT_LABEL",
    "production",
    help_text="Label shown on every screen (demo, test, staging, production) so a demo "
    "or simulated-issuer installation is never mistaken for production.",
)
SECRET_KEY = config(
    "SECRET_KEY",
    "",
    help_text="Django secret key. Required in production; the demo and tests use a "
    "fixed insecure key.",
    group="Security",
)
DEBUG = config("DEBUG", False, help_text="Django debug mode. Never in production.")
ALLOWED_HOSTS = config(
    "ALLOWED_HOSTS",
    ["localhost", "127.0.0.1"],
    help_text="Comma-separated host names the web server answers to.",
    group="Security",
)
CSRF_TRUSTED_ORIGINS = config(
    "CSRF_TRUSTED_ORIGINS",
    [],
    help_text="Comma-separated origins (scheme://host:port) trusted for CSRF.",
    group="Security",
)

DATABASE_URL = config(
    "DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/madoguchi",
    help_text="Database URL. PostgreSQL in tests and production "
    "(postgres://user:pass@host:5432/name); the demo uses sqlite:///var/demo.sqlite3.",
    group="Database",
)
DATABASES = {"default": environ.Env.db_url_config(DATABASE_URL)}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = config(
    "DB_CONN_MAX_AGE",
    60,
    help_text="Seconds a database connection is reused (0 closes after each request).",
    group="Database",
)
# A kept connection is checked before reuse, so the first task or request after a
# database restart reconnects instead of failing (issue 12's fault harness); on
# PostgreSQL the check reads the socket instead of sending SELECT 1
# (config/database/base.py, ADR 0033).
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DB_PREPARED_STATEMENTS = config(
    "DB_PREPARED_STATEMENTS",
    True,
    help_text="Prepare the reads the API compiles once per process on the PostgreSQL "
    "server, once per connection (ADR 0035), and plan them once for any value "
    "(ADR 0040). Turn off behind a pooler in transaction "
    "mode that cannot keep prepared statements (PgBouncer before 1.21, or without "
    "max_prepared_statements).",
    group="Database",
)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "config.database"
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "django_celery_results",
    "django_celery_beat",
    "django_htmx",
    "counter",
    "identity_docs",
    "jpki_ops",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # An API answer freed when it is sent (ADR 0039).
    "counter.api.release.ReleaseAnswerMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "counter.context_processors.environment",
            ],
        },
    }
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"

# Japanese first (docs/reference/architecture.md, cross-cutting). USE_TZ stores UTC; the
# counter
# calendar converts to Asia/Tokyo before asking "is the office open".
# One language for every person-facing page, whatever the browser asks: no
# LocaleMiddleware, so Accept-Language and language cookies are ignored
# (docs/adr/0005-japanese-whatever-the-browser-asks.md).
LANGUAGE_CODE = config(
    "UI_LANGUAGE",
    "ja",
    help_text="Language of every screen, the console, the admin and the error pages "
    "(ja or en). The browser's language is ignored; only an operator changes this.",
)
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "counter" / "static"]
MEDIA_ROOT = Path(
    config(
        "MEDIA_ROOT",
        str(BASE_DIR / "var" / "media"),
        help_text="Directory for letter PDFs and encrypted scans.",
        group="Storage",
    )
)
MEDIA_URL = "/media/"
VAR_DIR = BASE_DIR / "var"

SCAN_ENCRYPTION_KEY = config(
    "SCAN_ENCRYPTION_KEY",
    "",
    help_text="Fernet key (urlsafe base64, 32 bytes) encrypting scanned identity "
    "documents at rest. Generate with `python -c 'from cryptography.fernet import "
    "Fernet; print(Fernet.generate_key().decode())'`. Required in production.",
    group="Security",
)

# --- Card layer, issuer and desk agent credentials: config/settings/card.py.
from .card import *  # noqa: E402,F403

# --- Celery (config/celery_app.py). JSON only, late acks, one task at a time.
CELERY_BROKER_URL = config(
    "CELERY_BROKER_URL",
    "redis://127.0.0.1:6379/0",
    help_text="Celery broker (Redis).",
    group="Celery",
)
CELERY_RESULT_BACKEND = config(
    "CELERY_RESULT_BACKEND",
    "django-db",
    help_text="Where task results are kept; django-db lets supervisors see them.",
    group="Celery",
)
CELERY_TASK_ALWAYS_EAGER = config(
    "CELERY_TASK_ALWAYS_EAGER",
    False,
    help_text="Run tasks in-process. Only for the one-command demo, never in tests "
    "of the integration layer or production.",
    group="Celery",
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Tasks are acknowledged after they ran, so every task must be idempotent.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = config(
    "CELERY_TASK_SOFT_TIME_LIMIT",
    300,
    help_text="Seconds before a task is asked to stop.",
    group="Celery",
)
CELERY_TASK_TIME_LIMIT = config(
    "CELERY_TASK_TIME_LIMIT",
    900,
    help_text="Seconds before a task is killed.",
    group="Celery",
)
# A message a killed worker held unacknowledged comes back after the visibility
# timeout: as long as the longest a task may run (the hard limit, also longer than
# any retry countdown), not the transport's default of 1 h.
# The letters' outbox relay republishes sooner still
# (docs/adr/0013-letter-outbox-and-task-retries.md).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(CELERY_TASK_TIME_LIMIT),
    "socket_timeout": 5,
    "socket_connect_timeout": 5,
}
# Publishing retries briefly when the broker blinks; then the caller decides.
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0.2,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's DatabaseScheduler, writing a heartbeat on every tick.
CELERY_BEAT_SCHEDULER = "config.beat:HeartbeatScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

REDIS_URL = config(
    "REDIS_URL",
    "redis://127.0.0.1:6379/1",
    help_text="Redis for operations state: the worker and beat heartbeats that "
    "/healthz reads (the broker stays on CELERY_BROKER_URL).",
    group="Celery",
)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.BasicAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["counter.roles.ApiRolePermission"],
    # DRF's JSON written by orjson (ADR 0039), then DRF's browsable page as before.
    "DEFAULT_RENDERER_CLASSES": [
        "counter.api.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_SCHEMA_CLASS": "counter.api.schema.ErrorDocumentingAutoSchema",
    "EXCEPTION_HANDLER": "counter.api.errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "madoguchi API",
    "DESCRIPTION": "Counter procedures for the My Number Card's electronic "
    "certificates (公的個人認証). PINs never reach this API.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
}

LOG_LEVEL = config(
    "LOG_LEVEL",
    "INFO",
    help_text="Root log level.",
    group="Logging",
)
LOG_FORMAT = config(
    "LOG_FORMAT",
    "json",
    help_text="`json` (one JSON object per line, for production) or `console`.",
    group="Logging",
)
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "structlog.stdlib.ProcessorFormatter",
            "processor": "structlog.processors.JSONRenderer",
            "foreign_pre_chain": [
                "structlog.stdlib.add_log_level",
                "structlog.processors.TimeStamper",
            ],
        },
        "console": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
}
# structlog's ProcessorFormatter needs callables, not dotted strings.
if LOG_FORMAT == "json":
    import structlog

    LOGGING["formatters"]["json"] = {
        "()": structlog.stdlib.ProcessorFormatter,
        # format_exc_info turns a record's exc_info into the traceback text; without
        # it the renderer prints "<traceback object at ...>".
        "processors": [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        "foreign_pre_chain": [
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso"),
        ],
    }

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Operations: TLS behind the proxy, health, heartbeats, metrics (operations.md).
SECURE_SSL_REDIRECT = config(
    "SECURE_SSL_REDIRECT",
    False,
    help_text="Redirect plain HTTP to HTTPS. On in production, where the proxy in "
    "front sets X-Forwarded-Proto (it must overwrite a value sent by the client).",
    group="Security",
)
SECURE_HSTS_SECONDS = config(
    "SECURE_HSTS_SECONDS",
    31536000,
    help_text="Strict-Transport-Security max-age, sent on HTTPS responses only.",
    group="Security",
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config(
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    True,
    help_text="Add includeSubDomains to Strict-Transport-Security.",
    group="Security",
)
SECURE_HSTS_PRELOAD = config(
    "SECURE_HSTS_PRELOAD",
    True,
    help_text="Add preload to Strict-Transport-Security (takes effect only once the "
    "host is submitted to the browsers' preload list).",
    group="Security",
)
HEALTH_HEARTBEAT_INTERVAL = config(
    "HEALTH_HEARTBEAT_INTERVAL",
    10,
    help_text="Seconds between the heartbeats a Celery worker and beat write to "
    "REDIS_URL.",
    group="Operations",
)
HEALTH_HEARTBEAT_MAX_AGE = config(
    "HEALTH_HEARTBEAT_MAX_AGE",
    60,
    help_text="A worker or beat whose last heartbeat is older than this many "
    "seconds counts as down (/healthz answers 503, the liveness probe fails).",
    group="Operations",
)
METRICS_TOKEN = config(
    "METRICS_TOKEN",
    "",
    help_text="When set, /metrics answers only requests carrying "
    "`Authorization: Bearer <token>`; empty leaves it open (restrict it at the "
    "proxy or NetworkPolicy instead).",
    group="Operations",
)
PROMETHEUS_MULTIPROC_DIR = config(
    "PROMETHEUS_MULTIPROC_DIR",
    "",
    help_text="Directory the gunicorn workers share their request metrics through "
    "(read by prometheus_client). start-web.sh sets and empties "
    "/tmp/madoguchi-metrics when unset.",
    group="Operations",
)
# --- The processes' shape (start-*.sh, gunicorn.conf.py): config/settings/processes.py.
from .processes import *  # noqa: E402,F403

# The worker and beat import the heartbeat hooks; results keep the task name, so
# /metrics can count tasks by name and outcome from the result table.
CELERY_IMPORTS = ["config.health"]
CELERY_RESULT_EXTENDED = True
# The worker and beat log through LOGGING above (JSON in production), not Celery's
# own format.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Request counts and latency by view (config.metrics) around everything; then
# /healthz and /metrics answered before the host check and the HTTPS redirect,
# because probes and the scraper call the pod directly over plain HTTP.
MIDDLEWARE[:0] = [
    "config.metrics.RequestMetricsMiddleware",
    "config.health.ProbeMiddleware",
]

# `check --deploy` runs drf-spectacular's checks: name the card-operation kinds'
# enum, which otherwise collides with other fields called "kind".
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    "CardOperationKindEnum": "jpki_ops.models.CardOperationKind",
    "PinKindEnum": "counter.constants.PinKind",
    "CertificateKindEnum": "counter.constants.CertificateKind",
}

# --- Authentication and web hardening: config/settings/hardening.py.
from .hardening import *  # noqa: E402,F403
from .hardening import extend_base  # noqa: E402

extend_base(INSTALLED_APPS, MIDDLEWARE, REST_FRAMEWORK, SPECTACULAR_SETTINGS)
