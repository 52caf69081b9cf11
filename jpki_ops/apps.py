from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JpkiOpsConfig(AppConfig):
    name = "jpki_ops"
    verbose_name = _("JPKI operations")
    default_auto_field = "django.db.models.BigAutoField"
