from importlib import import_module

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class WorkspaceConfig(AppConfig):
    name = "liaison.workspace"
    label = "workspace"
    verbose_name = _("Workspace")

    def ready(self) -> None:
        # Each app's workspace.py registers its inbox work, sidebar entries and dashboard figures;
        # the workspace's own entries (dashboard, my inbox, organisation) are in its sidebar module.
        autodiscover_modules("workspace")
        import_module("liaison.workspace.sidebar")
