"""The audit trail: every record's history searched and exported by auditors (R-5.7, ISO 9001 7.5.3).

One record's history, field by field, is the platform's (``liaison.core.history``); this
module searches the history of every record type at once. Queries are fixed per page,
not per row:

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
from dataclasses import dataclass

from django.apps import apps
from django.core.paginator import Page, Paginator
from django.db.models import IntegerField, Model, OuterRef, QuerySet, Subquery, Value
from django.utils import timezone

from liaison.core.history import CHANGED, HistoryEntry, history_entries, model_key
from liaison.core.models import AuditedModel, User

# Who may search every record's history and export it: whoever holds AUDIT_PERMISSION — the heads,
# management and administrators by the role table (core/roles.py), and an auditor it is given to.
AUDIT_PERMISSION = "records.audit_history"
AUDIT_WIDE_RANGE_DAYS = 366
AUDIT_PAGE_SIZE = 50
# An export is one spreadsheet; past this many changes the auditor narrows the search.
AUDIT_EXPORT_LIMIT = 20000


def audited_models() -> list[type[Model]]:
    """Every business record type (an ``AuditedModel`` with history), by app and name."""
    found = [
        model
        for model in apps.get_models()
        if issubclass(model, AuditedModel) and hasattr(model, "history") and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: (model._meta.app_label, model._meta.model_name))


def audited_model(key: str) -> type[Model] | None:
    """The business record type called ``app_label.model_name``, or None."""
    for model in audited_models():
        if model_key(model) == key:
            return model
    return None


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
        for entry in history_entries(model, pairs):
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
