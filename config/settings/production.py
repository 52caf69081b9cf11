"""Production: nothing insecure by default; missing or demo secrets stop the start.

TLS ends at the proxy in front (nginx, the ingress), which must set
``X-Forwarded-Proto`` and overwrite any value the client sent; Django then
redirects plain HTTP, sends HSTS and marks its cookies secure. ``manage.py check
--deploy`` passes without a warning (tests/deploy).
"""

import base64
import binascii
import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("SECURE_SSL_REDIRECT", "true")

from .base import *  # noqa: E402
from .base import (  # noqa: E402
    DEMO_DATA_ALLOWED,
    REDIS_URL,
    SCAN_ENCRYPTION_KEY,
    SECOND_FACTOR_BYPASS,
    SECRET_KEY,
)

# The keys the demo, the tests and the image build use; published in the repository.
KNOWN_DEMO_SECRETS = {
    "demo-insecure-secret-key-not-for-production",
    "test-insecure-secret-key",
    "build",
    "ZGVtby1vbmx5LXNjYW4ta2V5LW5vdC1mb3ItcHJvZCE=",
    "dGVzdC1vbmx5LXNjYW4ta2V5LW5vdC1mb3ItcHJvZCE=",
}

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if SECRET_KEY in KNOWN_DEMO_SECRETS or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured("SECRET_KEY is a published demo key; generate one.")
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak (at least 50 characters, 5 different); generate "
        "one with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
    )
if not SCAN_ENCRYPTION_KEY:
    raise ImproperlyConfigured("SCAN_ENCRYPTION_KEY must be set in production.")
if SCAN_ENCRYPTION_KEY in KNOWN_DEMO_SECRETS:
    raise ImproperlyConfigured("SCAN_ENCRYPTION_KEY is a published demo key.")
try:
    _scan_key_ok = len(base64.urlsafe_b64decode(SCAN_ENCRYPTION_KEY)) == 32
except (binascii.Error, ValueError):
    _scan_key_ok = False
if not _scan_key_ok:
    raise ImproperlyConfigured(
        "SCAN_ENCRYPTION_KEY is not a Fernet key (urlsafe base64 of 32 bytes)."
    )
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if SECOND_FACTOR_BYPASS:
    raise ImproperlyConfigured(
        "SECOND_FACTOR_BYPASS is a demo and test setting; production requires the "
        "second factor."
    )
if DEMO_DATA_ALLOWED:
    raise ImproperlyConfigured("DEMO_DATA_ALLOWED is refused in production.")

# Throttle counters shared by every web worker and replica. Django's Redis cache,
# keeping its client between calls (counter/accounts/redis_cache.py, ADR 0030).
CACHES = {
    "default": {
        "BACKEND": "counter.accounts.redis_cache.KeptClientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "madoguchi",
    }
}
