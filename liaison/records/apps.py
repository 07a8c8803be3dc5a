from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "liaison.records"
    label = "records"
    verbose_name = _("Records and retention")

    def ready(self):
        # Imported once the apps are loaded: the guard reads every kept app's models.
        from liaison.records import guard

        guard.connect()
