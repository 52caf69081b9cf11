from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityDocsConfig(AppConfig):
    name = "identity_docs"
    verbose_name = _("Identity documents")
    default_auto_field = "django.db.models.BigAutoField"
