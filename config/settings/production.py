"""Production: nothing insecure by default; missing secrets stop the start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import SCAN_ENCRYPTION_KEY, SECRET_KEY

if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set in production.")
if not SCAN_ENCRYPTION_KEY:
    raise ImproperlyConfigured("SCAN_ENCRYPTION_KEY must be set in production.")

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
