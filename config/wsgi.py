import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from config.admission import AdmissionGate, WsgiApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

application: WsgiApp = get_wsgi_application()
if settings.WEB_BUSY_SLOTS:
    # docs/adr/0032-web-admission-gate.md
    application = AdmissionGate(application, int(settings.WEB_BUSY_SLOTS))
