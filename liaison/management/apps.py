from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ManagementConfig(AppConfig):
    name = "liaison.management"
    label = "management"
    verbose_name = _("Management review")
