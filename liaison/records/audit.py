"""Reads of record history for auditors (R-5.7, ISO 9001 7.5.3).

Every business record keeps its history with django-simple-history: one row per save
with who, when, the change reason and the full record as it was. These selectors turn
those rows into what an auditor reads: field by field, old value → new value, with
the fields' names, choice labels and related records as people know them.

Queries are fixed per page, not per row:

- one record's history (``record_history``): the history rows in one query, then one
  query per kind of related record named in a changed foreign key;
- the audit search (``audit_search``): one ``UNION ALL`` over the history tables of the
  chosen record types, sorted and paged in the database (a count and a page), then, per
  record type present on the page, its rows with the id of each row's previous version
  (one query) and those previous versions (one query), plus one per kind of related record.
  Every history table has an index on ``history_date``, so the date range narrows every
  branch of the union; a search across every record type is limited to a year
  (``AUDIT_WIDE_RANGE_DAYS``) — a wider one needs a record type.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import ForeignKey, IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.urls import reverse
from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

from liaison.core.models import AuditedModel, User

# Who may search every record's history and export it: whoever holds AUDIT_PERMISSION — the heads,
# management and administrators by the role table (core/roles.py), and an auditor it is given to.
AUDIT_PERMISSION = "records.audit_history"
AUDIT_WIDE_RANGE_DAYS = 366
AUDIT_PAGE_SIZE = 50
# An export is one spreadsheet; past this many changes the auditor narrows the search.
AUDIT_EXPORT_LIMIT = 20000

CREATED, CHANGED, DELETED = "+", "~", "-"
CHANGE_KINDS = {
    CREATED: _("created"),
    CHANGED: _("changed"),
    DELETED: _("deleted"),
}
# Fields that name a record, in the order they are tried for its label.
_LABEL_FIELDS = ("number", "code", "short_name", "registered_name", "name", "username", "original_name")
EMPTY = "—"


def may_audit(user) -> bool:
    """True when ``user`` may search every record's history and export it."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(AUDIT_PERMISSION)


def audited_models() -> list[type[Model]]:
    """Every business record type (an ``AuditedModel`` with history), by app and name."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, AuditedModel) and hasattr(model, "history") and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: (model._meta.app_label, model._meta.model_name))


def model_key(model: type[Model]) -> str:
    return model._meta.label_lower


def audited_model(key: str) -> type[Model] | None:
    """The business record type called ``app_label.model_name``, or None."""
    for model in audited_models():
        if model_key(model) == key:
            return model
    return None


def closed_states(model: type[Model]) -> frozenset[str]:
    """The statuses in which a record of ``model`` is closed (decided, void, completed, …).

    A model may name them in a ``closed_states`` attribute; otherwise they are read from
    its FSM ``status`` field: the states no transition leaves.
    """
    declared = getattr(model, "closed_states", None)
    if declared is not None:
        return frozenset(str(state) for state in declared)
    try:
        status = model._meta.get_field("status")
    except Exception:
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
    def history_url(self) -> str:
        opts = self.model._meta
        return reverse("records:history", args=[opts.app_label, opts.model_name, self.record_id])


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
    except Exception:  # a field since removed from the model: its history still names it
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


def _entries(model: type[Model], pairs: Sequence[tuple[object, object]]) -> list[HistoryEntry]:
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
    return list(reversed(_entries(model, pairs)))


# --- the audit search ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    """What the auditor searches for; empty means any."""

    models: tuple[type[Model], ...] = ()
    user: User | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    kind: str = ""
    reason: str = ""

    def chosen_models(self) -> list[type[Model]]:
        return list(self.models) or audited_models()


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _branch(model: type[Model], index: int, search: AuditFilter) -> QuerySet:
    rows = model.history.model.objects.all()
    if search.user is not None:
        rows = rows.filter(history_user=search.user)
    if search.date_from is not None:
        rows = rows.filter(history_date__gte=_day_start(search.date_from))
    if search.date_to is not None:
        rows = rows.filter(history_date__lt=_day_start(search.date_to + dt.timedelta(days=1)))
    if search.kind:
        rows = rows.filter(history_type=search.kind)
    if search.reason:
        rows = rows.filter(history_change_reason__icontains=search.reason)
    # Columns in the same order in every branch: record type (its index), date, history id.
    return rows.order_by().annotate(type_index=Value(index, output_field=IntegerField())).values_list(
        "type_index", "history_date", "history_id"
    )


def audit_keys(search: AuditFilter) -> QuerySet:
    """(type index, date, history id) of every matching save, newest first: one query."""
    models = search.chosen_models()
    branches = [_branch(model, index, search) for index, model in enumerate(models)]
    union = branches[0].union(*branches[1:], all=True) if len(branches) > 1 else branches[0]
    return union.order_by("-history_date", "-type_index", "-history_id")


def _previous_id(history_model: type[Model]) -> Subquery:
    return Subquery(
        history_model.objects.filter(id=OuterRef("id"), history_id__lt=OuterRef("history_id"))
        .order_by("-history_id")
        .values("history_id")[:1]
    )


def entries_for_keys(models: Sequence[type[Model]], keys: Iterable[tuple[int, object, int]]) -> list[HistoryEntry]:
    """The history entries behind ``keys``, in the keys' order: two queries per record type."""
    keys = list(keys)
    by_type: dict[int, list[int]] = defaultdict(list)
    for type_index, _when, history_id in keys:
        by_type[type_index].append(history_id)
    found: dict[tuple[int, int], HistoryEntry] = {}
    for type_index, history_ids in by_type.items():
        model = models[type_index]
        history_model = model.history.model
        rows = list(
            history_model.objects.filter(history_id__in=history_ids)
            .select_related("history_user")
            .annotate(previous_id=_previous_id(history_model))
        )
        wanted = [row.previous_id for row in rows if row.previous_id is not None and row.history_type == CHANGED]
        previous = history_model.objects.in_bulk(wanted) if wanted else {}
        pairs = [(row, previous.get(row.previous_id)) for row in rows]
        for entry in _entries(model, pairs):
            found[(type_index, entry.history_id)] = entry
    return [found[(type_index, history_id)] for type_index, _when, history_id in keys]


def audit_search(search: AuditFilter, *, page: int | str = 1, per_page: int = AUDIT_PAGE_SIZE) -> Page:
    """One page of matching saves across the chosen record types, newest first."""
    models = search.chosen_models()
    paginator = Paginator(audit_keys(search), per_page)
    result = paginator.get_page(page)
    result.object_list = entries_for_keys(models, list(result.object_list))
    return result


def audit_export_entries(search: AuditFilter, *, limit: int = AUDIT_EXPORT_LIMIT) -> tuple[list[HistoryEntry], bool]:
    """Every matching save up to ``limit`` (newest first) and whether more were left out."""
    models = search.chosen_models()
    keys = list(audit_keys(search)[: limit + 1])
    truncated = len(keys) > limit
    return entries_for_keys(models, keys[:limit]), truncated
