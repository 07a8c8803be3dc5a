"""Reads of the production app; every list runs a fixed number of queries.

Lateness follows from dates (R-3.2): a notice is overdue while it is open (issued or
in production) and today is past its due date; nothing stores "late".
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import BooleanField, Case, Prefetch, Q, QuerySet, Sum, Value, When

from liaison.core import clock
from liaison.core.models import Department, User
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.rules import sees_every_notice
from liaison.production.states import NOTICE_OPEN, NoticeStatus
from liaison.stock.selectors import shipped_by_order_line, stock_for_products

ZERO = Decimal(0)


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


@dataclass(frozen=True)
class LineCoverage:
    """What covers one order line: shipped, made and waiting in stock, on open notices; what is left to make."""

    ordered: Decimal
    shipped: Decimal  # on regular slips; a replenishment (補貨) slip replaces goods, it does not deliver
    in_stock: Decimal  # made on the order's completed notices and still in qualified stock
    on_notices: Decimal  # on the order's open regular notices

    @property
    def left(self) -> Decimal:
        """What may still go on a notice without making more than was ordered."""
        return max(ZERO, self.ordered - self.shipped - self.in_stock - self.on_notices)


def order_line_coverage(*, order, order_lines: Iterable, exclude_notices: Iterable[int] = ()) -> dict:
    """How far each of ``order_lines`` (of ``order``, at their quantity as given) is covered; two queries.

    Left to put on a notice: ordered − shipped − made and still in stock − on open notices
    (R-5.2.3.3, R-5.3.2); the one arithmetic the notice checks and a change applied use.
    "Made and still in stock" is what the order's completed regular notices made of the
    line, as far as the product's qualified stock still holds it (lines of one product
    share that stock, in the order given). Stock is not earmarked per order, so this is
    an upper bound: goods made for the order and shipped since leave the stock, not the
    made count. Open notices in ``exclude_notices`` (ids: those being replaced) do not count.
    """
    order_lines = list(order_lines)
    shipped = shipped_by_order_line(order=order)
    made, planned = {}, {}
    totals = (
        NoticeLine.objects.filter(order_line_id__in=[line.pk for line in order_lines], notice__replenishment=False)
        .values("order_line_id")
        .annotate(
            made=Sum("quantity", filter=Q(notice__status=NoticeStatus.COMPLETED)),
            planned=Sum(
                "quantity",
                filter=Q(notice__status__in=NOTICE_OPEN) & ~Q(notice_id__in=list(exclude_notices)),
            ),
        )
        .values_list("order_line_id", "made", "planned")
    )
    for pk, made_total, planned_total in totals:
        made[pk], planned[pk] = made_total, planned_total
    stock = stock_for_products(product_ids={line.product_id for line in order_lines})
    coverage = {}
    for line in order_lines:
        in_stock = min(made.get(line.pk) or ZERO, stock[line.product_id])
        stock[line.product_id] -= in_stock
        coverage[line.pk] = LineCoverage(
            ordered=line.quantity,
            shipped=shipped.get(line.pk) or ZERO,
            in_stock=in_stock,
            on_notices=planned.get(line.pk) or ZERO,
        )
    return coverage
