"""Choices of the core app."""

from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _


class DepartmentKind(models.TextChoices):
    SALES = "sales", _("Sales")
    QC = "qc", _("Quality control")
    WORKSHOP = "workshop", _("Workshop")
    WAREHOUSE = "warehouse", _("Warehouse")
    RESPONSIBLE = "responsible", _("Other responsible department")
    MANAGEMENT = "management", _("Management")


class Transition(NamedTuple):
    """One row of a transition table: from which states, to which state."""

    source: tuple[str, ...]
    target: str
