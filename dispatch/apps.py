from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    # What dispatch connects at start-up is in dispatch/hooks.py (core.apps autodiscovers it).
    name = "dispatch"
    verbose_name = _("Dispatch")
