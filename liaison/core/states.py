"""Choices of the core app, and the transition table every record's state machine is declared with."""

from collections.abc import Iterator, Mapping
from typing import NamedTuple

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import transition


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


class TransitionTable(Mapping[str, Transition]):
    """A record's life at a glance: transition name → its source states and target.

    Declared in the app's ``states.py``; the model wires each transition method to its
    row with ``@TABLE.transition("name")``, so the table is the only place that says
    which state may follow which. Services take transitions with
    ``core.services.transition_apply``.
    """

    def __init__(self, rows: Mapping[str, Transition], *, field: str = "status"):
        self._rows = dict(rows)
        self.field = field

    def __getitem__(self, name: str) -> Transition:
        return self._rows[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def transition(self, name: str):
        """The django-fsm decorator of the model method taking transition ``name``."""
        row = self._rows[name]
        return transition(field=self.field, source=row.source, target=row.target)

    def sources(self, name: str) -> tuple[str, ...]:
        """The states transition ``name`` may be taken from."""
        return self._rows[name].source

    def allows(self, record, name: str) -> bool:
        """True when ``record``'s state lets it take transition ``name`` now (a page shows the step)."""
        return getattr(record, self.field) in self._rows[name].source
