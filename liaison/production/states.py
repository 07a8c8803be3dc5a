"""Choices of the production app and the production notice's transition table."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition, TransitionTable


class NoticeStatus(models.TextChoices):
    ISSUED = "issued", _("Issued")
    IN_PROGRESS = "in_progress", _("In production")
    COMPLETED = "completed", _("Completed")
    VOID = "void", _("Void")


# Notices a workshop still has to finish: they count as made for their order and can run late.
NOTICE_OPEN = (NoticeStatus.ISSUED, NoticeStatus.IN_PROGRESS)

# The production notice's life at a glance; the model's transition methods are wired to it.
NOTICE_TRANSITIONS = TransitionTable(
    {
        "start": Transition(source=(NoticeStatus.ISSUED,), target=NoticeStatus.IN_PROGRESS),
        "complete": Transition(source=NOTICE_OPEN, target=NoticeStatus.COMPLETED),
        # Voided when superseded after a change; kept, marked, linked.
        "void": Transition(source=NOTICE_OPEN, target=NoticeStatus.VOID),
    }
)
