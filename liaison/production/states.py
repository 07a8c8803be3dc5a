"""Choices of the production app and the production notice's transition table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    IN_PROGRESS = "in_progress", _("In production")
    COMPLETED = "completed", _("Completed")
    VOID = "void", _("Void")


# The production notice's life at a glance; the model's transition methods read this table.
NOTICE_TRANSITIONS = {
    "start": Transition(source=(NoticeStatus.ISSUED,), target=NoticeStatus.IN_PROGRESS),
    "complete": Transition(source=(NoticeStatus.ISSUED, NoticeStatus.IN_PROGRESS), target=NoticeStatus.COMPLETED),
    # Voided when superseded after a change; kept, marked, linked.
    "void": Transition(source=(NoticeStatus.ISSUED, NoticeStatus.IN_PROGRESS), target=NoticeStatus.VOID),
}
