"""Authentication and web hardening (docs/security/asvs.md, ADR 0007), kept apart
from base.py so each stays readable; base.py imports it and calls ``extend_base``."""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Any

from csp.constants import NONCE, SELF

from config.env import config

HARDENING_APPS = [
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework.authtoken",
    "drf_spectacular_sidecar",
    "counter.accounts",
]

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend with the permission set in the shared cache and the staff
    # profile loaded with the user (counter/accounts/backends.py, ADR 0022).
    "counter.accounts.backends.CachedModelBackend",
]
# Longest a cached permission set lives; any change to users, groups or
# permissions makes every cached set stale at once (0: no cache).
PERMISSION_CACHE_SECONDS = 300
# Sessions read from the cache (Redis in production) and written through to the
# database, so a request reads no session row and a cache loss logs nobody out.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "counter.accounts.validators.NotADateValidator"},
]

# Lockout per account and, separately, per address: five failures lock either for
# the cool-off time; a success resets the account's count.
AXES_FAILURE_LIMIT = config(
    "AXES_FAILURE_LIMIT",
    5,
    help_text="Failed logins after which an account, or an address, is locked.",
    group="Security",
)
AXES_COOLOFF_MINUTES = config(
    "AXES_COOLOFF_MINUTES",
    15,
    help_text="Minutes a locked account or address waits before it may try again; "
    "a supervisor can unlock earlier with `manage.py axes_reset_username`.",
    group="Security",
)
AXES_COOLOFF_TIME = timedelta(minutes=AXES_COOLOFF_MINUTES)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Behind proxies the lockout keys on the client's address, read from the
# X-Forwarded-For entries the trusted proxies appended (counter/accounts/
# client_address.py, docs/operations.md, ADR 0021); without a proxy REMOTE_ADDR
# is the client. django-ipware is not used: axes calls our function.
AXES_IPWARE_PROXY_COUNT = config(
    "AXES_IPWARE_PROXY_COUNT",
    0,
    help_text="Proxies in front of the web server, each appending the address it "
    "received from to X-Forwarded-For (or one proxy overwriting it); the client "
    "address for the login lockout and the login audit is the entry that many "
    "places from the right (0: the socket address).",
    group="Security",
)
AXES_IPWARE_PROXY_TRUSTED_IPS = config(
    "AXES_IPWARE_PROXY_TRUSTED_IPS",
    [],
    help_text="Comma-separated addresses or networks (CIDR) of the proxy next to "
    "the web server; X-Forwarded-For is believed only on requests from them. Empty: "
    "from any peer (only when nothing but the proxy can reach the web server).",
    group="Security",
)
for _network in AXES_IPWARE_PROXY_TRUSTED_IPS:
    ipaddress.ip_network(_network, strict=False)  # ValueError: not a network
if AXES_IPWARE_PROXY_COUNT < 0:
    raise ValueError("AXES_IPWARE_PROXY_COUNT must be 0 or more")
AXES_CLIENT_IP_CALLABLE = "counter.accounts.client_address.client_address"

# Sessions: an absolute limit (the cookie never outlives it, the middleware checks
# the login time) and an idle limit read from the city's profile.
SESSION_ABSOLUTE_SECONDS = config(
    "SESSION_ABSOLUTE_SECONDS",
    8 * 3600,
    help_text="Seconds after login when a session ends however active it is.",
    group="Security",
)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_IDLE_NOTICE_SECONDS = 120

# Second factor (TOTP): required for supervisors and auditors everywhere, for every
# account in the admin, and for clerks where the city's profile asks for it. The
# demo and the tests may bypass it; production refuses the bypass.
SECOND_FACTOR_BYPASS = config(
    "SECOND_FACTOR_BYPASS",
    False,
    help_text="Demo and tests only: log in without the second factor. Production "
    "refuses to start with it on.",
    group="Security",
)
OTP_TOTP_ISSUER = "madoguchi"
OTP_TOTP_THROTTLE_FACTOR = 1

# CSP: scripts and styles only from the application; inline scripts only with
# the per-response nonce, no inline styles at all (docs/security/asvs.md V14.4).
# One fixed <style> block of Django's admin change list is allowed by its hash
# (tests/security/test_csp_every_page.py recomputes it from the template).
ADMIN_CHANGE_LIST_STYLE_HASH = "'sha256-blvLUW3UscWqsXGByNOqdBboM+ShWAuugp2mC/wbafU='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, ADMIN_CHANGE_LIST_STYLE_HASH],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": [SELF],
        "frame-ancestors": ["'none'"],
    },
}
#: The API docs page alone (config/urls.py): Swagger UI sets inline styles, so its
#: page replaces style-src with this; its scripts stay files of the application.
API_DOCS_STYLE_SRC = [SELF, "'unsafe-inline'"]
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=(), serial=(), hid=(), "
    "bluetooth=(), interest-cohort=()"
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

API_THROTTLE_READ_RATE = config(
    "API_THROTTLE_READ_RATE",
    "120/min",
    help_text="Reads (GET) one user may make per endpoint class before the API "
    "answers 429.",
    group="Security",
)
API_THROTTLE_WRITE_RATE = config(
    "API_THROTTLE_WRITE_RATE",
    "30/min",
    help_text="Writes (POST, PUT, PATCH, DELETE) one user may make per endpoint "
    "class before the API answers 429.",
    group="Security",
)
API_THROTTLE_ANON_RATE = config(
    "API_THROTTLE_ANON_RATE",
    "30/min",
    help_text="Requests per minute from one address without a login.",
    group="Security",
)

DEMO_DATA_ALLOWED = config(
    "DEMO_DATA_ALLOWED",
    False,
    help_text="`load_demo_data` may create the demo city and its published logins. "
    "On in the demo and the tests; production refuses it.",
    group="Security",
)

# The audit trail's witness outside the database (docs/security/audit-trail.md).
AUDIT_CHECKPOINT_DIR = config(
    "AUDIT_CHECKPOINT_DIR",
    "/var/lib/madoguchi/audit-checkpoints",
    help_text="Directory the signed checkpoints of the audit chains' heads are "
    "written to, one subdirectory per database. Put it on another volume than the "
    "database (or a synced object store with a retention lock).",
    group="Audit",
)
AUDIT_CHECKPOINT_KEY = config(
    "AUDIT_CHECKPOINT_KEY",
    "",
    help_text="Secret that signs the checkpoints (HMAC-SHA256). The database never "
    "holds it. Empty: read from AUDIT_CHECKPOINT_KEY_FILE.",
    group="Audit",
)
AUDIT_CHECKPOINT_KEY_FILE = config(
    "AUDIT_CHECKPOINT_KEY_FILE",
    "",
    help_text="File holding the checkpoint key. Empty: checkpoint.key in "
    "AUDIT_CHECKPOINT_DIR, created on first use.",
    group="Audit",
)
DATABASE_MIGRATE_URL = config(
    "DATABASE_MIGRATE_URL",
    "",
    help_text="URL of the role that owns the tables (migrations, `grant_app_role`). "
    "The application itself connects with DATABASE_URL, a role that owns nothing.",
    group="Database",
)


def extend_base(
    installed_apps: list[str],
    middleware: list[str],
    rest_framework: dict[str, Any],
    spectacular: dict[str, Any],
) -> None:
    """Add the apps, middleware and API settings to base's lists in place."""
    installed_apps.extend(HARDENING_APPS)
    # django-otp marks a verified session right after authentication; the accounts
    # middleware then ends idle or too old sessions, asks for the second factor and
    # adds the response headers; axes answers a locked-out login last.
    auth_at = middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
    middleware[auth_at + 1 : auth_at + 1] = ["django_otp.middleware.OTPMiddleware"]
    messages_at = middleware.index(
        "django.contrib.messages.middleware.MessageMiddleware"
    )
    middleware[messages_at + 1 : messages_at + 1] = [
        "counter.accounts.middleware.SessionLimitsMiddleware",
        "counter.accounts.middleware.SecondFactorMiddleware",
    ]
    static_at = middleware.index("whitenoise.middleware.WhiteNoiseMiddleware")
    middleware[static_at + 1 : static_at + 1] = [
        "counter.accounts.middleware.ResponseHeadersMiddleware",
        "csp.middleware.CSPMiddleware",
    ]
    middleware.append("axes.middleware.AxesMiddleware")
    # API: the browser's session, or a token for integrations; never HTTP Basic.
    # Throttled per user and per endpoint class (reads and writes apart).
    rest_framework["DEFAULT_AUTHENTICATION_CLASSES"] = [
        "rest_framework.authentication.SessionAuthentication",
        "counter.accounts.backends.ProfileTokenAuthentication",
    ]
    rest_framework["DEFAULT_THROTTLE_CLASSES"] = [
        "counter.accounts.throttles.EndpointClassThrottle",
    ]
    spectacular["SWAGGER_UI_DIST"] = "SIDECAR"
    spectacular["SWAGGER_UI_FAVICON_HREF"] = "SIDECAR"
    spectacular["REDOC_DIST"] = "SIDECAR"
