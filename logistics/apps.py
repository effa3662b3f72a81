from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LogisticsConfig(AppConfig):
    name = "logistics"
    verbose_name = _("Mail-in repair")
    default_auto_field = "django.db.models.BigAutoField"
