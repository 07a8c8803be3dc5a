"""Choices of the records app: the types of record kept under a retention policy (R-5.7)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RecordTypeCode(models.TextChoices):
    """The procedure's forms that are kept, by the code printed on them; ``registry`` says how each is kept."""

    F1 = "F1", _("Order log entry (F1)")
    F2 = "F2", _("Contract review form (F2)")
    F3 = "F3", _("Contract change register entry (F3)")
    F4 = "F4", _("Production notice (F4)")
    F6 = "F6", _("Complaint report (F6)")
    F10 = "F10", _("Satisfaction survey form (F10)")


def record_type_label(code: str) -> str:
    """The name of the record type ``code`` in the reader's language (the code itself if unknown)."""
    return str(RecordTypeCode(code).label) if code in RecordTypeCode.values else code
