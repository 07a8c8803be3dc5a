"""A record's history as people read it: each save, who, when, why, and field by field old → new.

Every business record keeps its history with django-simple-history (``AuditedModel``):
one row per save with the full record as it was. ``record_history`` and ``history_entries``
turn those rows into field changes with the fields' names, choice labels and related
records as people know them; the optimistic lock (``concurrency``) says with them what
somebody else changed, and the records app's audit trail searches them. A related
record named in a change costs one query per kind of related record, not per row.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import ForeignKey, Model
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from liaison.core.models import User

CREATED, CHANGED, DELETED = "+", "~", "-"
CHANGE_KINDS = {
    CREATED: _("created"),
    CHANGED: _("changed"),
    DELETED: _("deleted"),
}
# Fields that name a record, in the order they are tried for its label.
_LABEL_FIELDS = ("number", "code", "short_name", "registered_name", "name", "username", "original_name")
EMPTY = "—"


def model_key(model: type[Model]) -> str:
    return model._meta.label_lower


def closed_states(model: type[Model]) -> frozenset[str]:
    """The statuses in which a record of ``model`` is closed (decided, void, completed, …).

    Read from its FSM ``status`` field and transition table: the states no transition leaves.
    """
    try:
        status = model._meta.get_field("status")
    except FieldDoesNotExist:
        return frozenset()
    if not isinstance(status, FSMField):
        return frozenset()
    sources: set[str] = set()
    for transition in status.get_all_transitions(model):
        if transition.source in ("*", "+"):
            return frozenset()  # a transition from anywhere: no state is final
        sources.add(str(transition.source))
    return frozenset(str(value) for value, _label in status.flatchoices) - sources


def is_closed(record: Model) -> bool:
    """True when ``record`` is in one of its type's closed states."""
    states = closed_states(type(record))
    return bool(states) and str(getattr(record, "status", "")) in states


@dataclass(frozen=True)
class FieldChange:
    """One field of one save: its name as people read it, the value before and after."""

    field: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    """One save of one record: who, when, what kind of change, why, and which fields."""

    model: type[Model]
    record_id: int
    record_label: str
    history_id: int
    kind: str
    when: dt.datetime
    user: User | None
    reason: str
    changes: list[FieldChange] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return str(CHANGE_KINDS.get(self.kind, self.kind))

    @property
    def record_type(self) -> str:
        return str(self.model._meta.verbose_name)

    @property
    def model_key(self) -> str:
        return model_key(self.model)

    @property
    def app_label(self) -> str:
        return self.model._meta.app_label

    @property
    def model_name(self) -> str:
        return self.model._meta.model_name


# --- turning stored values into what people read ----------------------------------------------


def record_label(row) -> str:
    """A record's name without touching the database: its number, code or name, else its id."""
    for name in _LABEL_FIELDS:
        value = getattr(row, name, None)
        if value:
            return str(value)
    return f"#{getattr(row, 'id', row.pk)}"


def _model_field(model: type[Model], history_model: type[Model], name: str):
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:  # a field since removed from the model: its history still names it
        return history_model._meta.get_field(name)


def _display(model_field, value, related: dict) -> str:
    if value is None or value == "":
        return EMPTY
    if isinstance(model_field, ForeignKey):
        label = related.get((model_field.related_model, value))
        return label if label is not None else f"#{value}"
    if model_field.choices:
        choices = dict(model_field.flatchoices)
        return str(choices.get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dt.datetime):
        # The same unambiguous form in every language, as on the workflow pages.
        return dateformat.format(timezone.localtime(value) if timezone.is_aware(value) else value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return dateformat.format(value, "Y-m-d")
    if isinstance(value, (Decimal, int, float)):
        return formats.localize(value)
    if hasattr(value, "name"):  # a stored file: its path
        return value.name or EMPTY
    return str(value)


def _tracked_names(history_model: type[Model]) -> list[str]:
    pk_name = history_model.instance_type._meta.pk.name
    return [f.name for f in history_model.tracked_fields if f.editable and f.name != pk_name]


def _raw_changes(row, previous) -> list[tuple[str, object, object]]:
    """(field, old, new) of one history row against the row before it."""
    if row.history_type == CHANGED and previous is not None:
        delta = row.diff_against(previous)
        return [(change.field, change.old, change.new) for change in delta.changes]
    if row.history_type == CREATED or (row.history_type == CHANGED and previous is None):
        # A creation shows what the record was created with.
        history_model = type(row)
        changes = []
        for name in _tracked_names(history_model):
            attname = history_model._meta.get_field(name).attname
            value = getattr(row, attname)
            if value is not None and value != "" and value is not False:
                changes.append((name, None, value))
        return changes
    return []


def _related_labels(pending: dict[type[Model], set]) -> dict:
    """Labels of the related records named in changes: one query per related record type."""
    labels = {}
    for related_model, pks in pending.items():
        if not pks:
            continue
        for obj in related_model._base_manager.filter(pk__in=pks):
            labels[(related_model, obj.pk)] = str(obj) if related_model is User else record_label(obj)
    return labels


def history_entries(model: type[Model], pairs: Sequence[tuple[object, object]]) -> list[HistoryEntry]:
    """History entries of ``model`` from (row, previous row) pairs, related records resolved."""
    history_model = model.history.model
    raw = [(row, _raw_changes(row, previous)) for row, previous in pairs]
    pending: dict[type[Model], set] = defaultdict(set)
    for _row, changes in raw:
        for name, old, new in changes:
            model_field = _model_field(model, history_model, name)
            if isinstance(model_field, ForeignKey):
                pending[model_field.related_model].update(v for v in (old, new) if v is not None)
    related = _related_labels(pending)
    entries = []
    for row, changes in raw:
        field_changes = []
        for name, old, new in changes:
            model_field = _model_field(model, history_model, name)
            field_changes.append(
                FieldChange(
                    field=name,
                    label=str(model_field.verbose_name),
                    old=_display(model_field, old, related),
                    new=_display(model_field, new, related),
                )
            )
        entries.append(
            HistoryEntry(
                model=model,
                record_id=row.id,
                record_label=record_label(row),
                history_id=row.history_id,
                kind=row.history_type,
                when=row.history_date,
                user=row.history_user,
                reason=row.history_change_reason or "",
                changes=field_changes,
            )
        )
    return entries


# --- one record ---------------------------------------------------------------------------------


def record_history(*, model: type[Model], pk: int) -> list[HistoryEntry]:
    """Every save of one record, newest first, field by field."""
    rows = list(
        model.history.model.objects.filter(id=pk).select_related("history_user").order_by("history_id")
    )
    pairs = [(row, rows[index - 1] if index else None) for index, row in enumerate(rows)]
    return list(reversed(history_entries(model, pairs)))


