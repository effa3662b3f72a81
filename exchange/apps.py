from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    """Spreadsheet import of the installed base and exports of the lists."""

    name = "exchange"
    verbose_name = _("Imports and exports")
    default_auto_field = "django.db.models.BigAutoField"
