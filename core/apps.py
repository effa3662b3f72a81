from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        # Every installed app's hooks.py registers into the hooks of the layers below it (core/hooks.py).
        # ready() runs after every app's models are loaded, so a hooks.py imports at module level.
        autodiscover_modules("hooks")
