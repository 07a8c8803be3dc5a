from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "liaison.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self) -> None:
        # Imported once the apps are loaded (the receivers name the models); importing connects them.
        from liaison.security import signals  # noqa: F401
