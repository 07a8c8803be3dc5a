"""Choices of the management review app, its status groups and its transition tables."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core.states import Transition, TransitionTable


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held, minutes recorded")
    CANCELLED = "cancelled", _("Cancelled")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


# Meetings that are not cancelled: they can still be changed, and the next pack looks back to them.
MEETING_CURRENT = (MeetingStatus.PLANNED, MeetingStatus.HELD)
# Actions a meeting counts as decided (a cancelled one no longer is).
ACTION_COUNTED = (ActionStatus.OPEN, ActionStatus.DONE)

# The meeting's life at a glance; the model's transition methods are wired to it.
MEETING_TRANSITIONS = TransitionTable(
    {
        "hold": Transition(source=(MeetingStatus.PLANNED,), target=MeetingStatus.HELD),
        "cancel": Transition(source=(MeetingStatus.PLANNED,), target=MeetingStatus.CANCELLED),
    }
)

# A decided action's life: reported done by its owner, or dropped by top management.
ACTION_TRANSITIONS = TransitionTable(
    {
        "complete": Transition(source=(ActionStatus.OPEN,), target=ActionStatus.DONE),
        "cancel": Transition(source=(ActionStatus.OPEN,), target=ActionStatus.CANCELLED),
    }
)
