from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    """Management reviews (管理評審). The package is ``reviews``; the label stays ``management``,
    so its tables, permissions (``management.*``), content types and migrations keep their names."""

    name = "liaison.reviews"
    label = "management"
    verbose_name = _("Management review")
