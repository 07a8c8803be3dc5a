"""Reads of the production app; every list runs a fixed number of queries.

Lateness follows from dates (R-3.2): a notice is overdue while it is open (issued or
in production) and today is past its due date; nothing stores "late".
"""

import datetime as dt

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Value, When

from liaison.core import clock
from liaison.core.models import Department, User
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.rules import sees_every_notice
from liaison.production.states import NOTICE_OPEN, NoticeStatus


def _lines():
    return Prefetch("lines", queryset=NoticeLine.objects.select_related("product", "order_line"))


def notice_queryset() -> QuerySet[ProductionNotice]:
    """Notices with what every page shows of them: order, customer, workshop, both chain links."""
    return ProductionNotice.objects.select_related(
        "order__customer",
        "workshop",
        "issued_by",
        "voided_by",
        "completed_by",
        "change",
        "superseded_by",
        "supersedes",
    )


def _overdue_first(queryset: QuerySet, *, today: dt.date) -> QuerySet:
    """Open notices past due first (most late first), then open by due date, then the rest."""
    return queryset.annotate(
        is_overdue=Case(
            When(Q(status__in=NOTICE_OPEN, due_date__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        is_open=Case(
            When(status__in=NOTICE_OPEN, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    ).order_by("-is_overdue", "-is_open", "due_date", "pk")


def notice_list(
    *,
    workshop: Department | None = None,
    status: str | None = None,
    replenishment: bool | None = None,
    include_void: bool = True,
    today: dt.date | None = None,
) -> QuerySet[ProductionNotice]:
    """Notices, overdue first: one query (two when the lines are read)."""
    queryset = notice_queryset().prefetch_related(_lines())
    if workshop is not None:
        queryset = queryset.filter(workshop=workshop)
    if status:
        queryset = queryset.filter(status=status)
    if replenishment is not None:
        queryset = queryset.filter(replenishment=replenishment)
    if not include_void:
        queryset = queryset.exclude(status=NoticeStatus.VOID)
    return _overdue_first(queryset, today=today or clock.today())


def notice_list_for_workshop(
    *, workshop: Department, today: dt.date | None = None
) -> QuerySet[ProductionNotice]:
    """A workshop's current notices (void ones left out), overdue first (R-3.2)."""
    return notice_list(workshop=workshop, include_void=False, today=today)


def notice_visible_to(*, user: User, queryset: QuerySet | None = None) -> QuerySet[ProductionNotice]:
    """Only the notices ``user`` may read: all of them, or a workshop lead's own workshop's."""
    queryset = notice_list() if queryset is None else queryset
    if not user.has_perm("production.view_productionnotice"):
        return queryset.none()
    if sees_every_notice(user):
        return queryset
    if user.department_id is None:
        return queryset.none()
    return queryset.filter(workshop_id=user.department_id)


def notice_overdue(*, today: dt.date | None = None) -> QuerySet[ProductionNotice]:
    """Open notices whose due date has passed, most late first, in one query."""
    today = today or clock.today()
    return (
        notice_queryset()
        .filter(status__in=NOTICE_OPEN, due_date__lt=today)
        .order_by("due_date", "pk")
    )


def notice_chain_for_order(*, order) -> list[ProductionNotice]:
    """All notices of an order, current and void, in issue order, with their successor links.

    Two queries: the notices (each with its successor and predecessor), then their lines.
    """
    return list(
        notice_queryset()
        .filter(order=order)
        .prefetch_related(_lines())
        .order_by("issued_at", "pk")
    )


def notice_get(*, pk: int) -> ProductionNotice:
    """One notice with its lines and chain links (raises ``DoesNotExist``)."""
    return notice_queryset().prefetch_related(_lines()).get(pk=pk)


def notices_due(*, workshop_id: int | None = None, horizon_days: int = 7, today: dt.date | None = None):
    """Unfinished production notices late or due within ``horizon_days`` (one workshop's, or all)."""
    today = today or clock.today()
    notices = ProductionNotice.objects.filter(
        status__in=NOTICE_OPEN, due_date__lte=today + dt.timedelta(days=horizon_days)
    ).select_related("order", "workshop")
    if workshop_id is not None:
        notices = notices.filter(workshop_id=workshop_id)
    return notices.order_by("due_date", "pk")
