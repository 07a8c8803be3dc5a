"""Choices of the management review app and its transition tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held, minutes recorded")
    CANCELLED = "cancelled", _("Cancelled")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


MEETING_TRANSITIONS = {
    "hold": Transition((MeetingStatus.PLANNED,), MeetingStatus.HELD),
    "cancel": Transition((MeetingStatus.PLANNED,), MeetingStatus.CANCELLED),
}

ACTION_TRANSITIONS = {
    "complete": Transition((ActionStatus.OPEN,), ActionStatus.DONE),
    "cancel": Transition((ActionStatus.OPEN,), ActionStatus.CANCELLED),
}
