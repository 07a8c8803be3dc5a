from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "liaison.core"
    label = "core"
    verbose_name = _("Organisation")

    def ready(self) -> None:
        # Imported once the apps are loaded: the role module reads the user model (ModelBackend).
        from liaison.core.roles import roles_sync

        # Groups follow the role table after every migrate (permissions exist only then).
        post_migrate.connect(roles_sync, dispatch_uid="liaison.core.roles_sync")
