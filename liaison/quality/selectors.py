"""Reads of the quality app; every list runs a fixed number of queries.

Timers follow from dates (R-1.2): a complaint is *acknowledgement overdue* while it is
registered and its acknowledge-by time has passed, and *resolution overdue* while it is
open (not closed, not void) and its resolve-by date has passed. Nothing stores "late".
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from liaison.core import clock
from liaison.customers.models import Customer
from liaison.customers.selectors import customer_search
from liaison.production.selectors import notice_list
from liaison.quality.models import (
    RETURN_LINE_WAITING,
    CapaRequest,
    CapaStep,
    Complaint,
    Feedback,
    NonconformanceRecord,
    ReturnInspection,
    ReturnLine,
)
from liaison.quality.states import CAPA_OPEN, COMPLAINT_INSPECTABLE, COMPLAINT_OPEN, CauseCategory, ComplaintStatus
from liaison.stock.models import OutboundSlipLine
from liaison.stock.selectors import slip_list


def _moment(today: dt.date | None) -> tuple[dt.datetime, dt.date]:
    """Now and today; a given ``today`` is judged at the end of that day."""
    if today is None:
        now = clock.now()
        return now, timezone.localdate(now)
    end = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=1), dt.time.min))
    return end, today


def _overdue_conditions(*, now: dt.datetime, today: dt.date) -> tuple[Q, Q]:
    acknowledge = Q(status=ComplaintStatus.REGISTERED, acknowledge_due__lt=now)
    resolve = Q(status__in=COMPLAINT_OPEN, resolve_due__lt=today)
    return acknowledge, resolve


def complaint_queryset() -> QuerySet[Complaint]:
    """Complaints with what every page shows of them: customer, order, product and who did each step."""
    return Complaint.objects.select_related(
        "customer",
        "order",
        "product",
        "acknowledged_by",
        "investigated_by",
        "result_recorded_by",
        "feedback_by",
    )


def with_timers(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet[Complaint]:
    """Annotate ``acknowledge_overdue``, ``resolve_overdue`` and ``is_overdue``; overdue first."""
    now, today = _moment(today)
    acknowledge, resolve = _overdue_conditions(now=now, today=today)
    flag = {"default": Value(False), "output_field": BooleanField()}
    return queryset.annotate(
        acknowledge_overdue=Case(When(acknowledge, then=Value(True)), **flag),
        resolve_overdue=Case(When(resolve, then=Value(True)), **flag),
        is_overdue=Case(When(acknowledge | resolve, then=Value(True)), **flag),
        is_open=Case(When(status__in=COMPLAINT_OPEN, then=Value(True)), **flag),
    ).order_by("-is_overdue", "-is_open", "resolve_due", "pk")


# The complaint list's two views: the open complaints, overdue first (what waits on
# someone; a partial index reads only them), or every complaint, newest first (an index
# serves the order, so a page does not sort every complaint over computed flags).
SCOPE_OPEN = "open"
SCOPE_ALL = "all"
OVERDUE_FIRST = ("-is_overdue", "resolve_due", "pk")
NEWEST_FIRST = ("-registered_at", "-pk")


def complaint_scope(*, scope: str | None, status: str | None = None, query: str = "") -> str:
    """Which view a list shows: "open" unless "all" is asked for, or a status or a search looks everywhere."""
    if scope == SCOPE_ALL or (status and status not in COMPLAINT_OPEN) or query.strip():
        return SCOPE_ALL
    return SCOPE_OPEN


def complaint_order(*, scope: str) -> tuple[str, ...]:
    """Open complaints overdue first, then by resolve-by date; all of them newest first."""
    return OVERDUE_FIRST if scope == SCOPE_OPEN else NEWEST_FIRST


def complaint_list(
    *,
    status: str | None = None,
    kind: str | None = None,
    overdue_only: bool = False,
    query: str = "",
    scope: str | None = SCOPE_OPEN,
    today: dt.date | None = None,
) -> QuerySet[Complaint]:
    """Complaints and returns for a list: one query.

    By default the open ones, overdue first, then by resolve-by date. ``scope="all"``, a
    closed or void ``status``, or a search lists every complaint, newest first.
    ``query`` finds the number or the customer's name in either Chinese script or pinyin.
    """
    scope = complaint_scope(scope=scope, status=status, query=query)
    queryset = with_timers(complaint_queryset(), today=today)
    if scope == SCOPE_OPEN and not status:
        queryset = queryset.filter(status__in=COMPLAINT_OPEN)
    if status:
        queryset = queryset.filter(status=status)
    if kind:
        queryset = queryset.filter(kind=kind)
    if overdue_only:
        queryset = queryset.filter(is_overdue=True)
    if query:
        queryset = complaint_search(queryset=queryset, query=query)
    return queryset.order_by(*complaint_order(scope=scope))


def complaint_search(*, queryset: QuerySet, query: str) -> QuerySet[Complaint]:
    """Complaints whose number contains ``query`` or whose customer matches it (either script, pinyin)."""
    customers = customer_search(queryset=Customer.objects.all(), query=query).values("pk")
    return queryset.filter(Q(number__icontains=query.strip()) | Q(customer__in=customers))


def complaint_overdue(*, today: dt.date | None = None) -> QuerySet[Complaint]:
    """Open complaints past a timer: not acknowledged in time, or not resolved in time (R-1.2)."""
    return complaint_list(overdue_only=True, today=today)


def complaint_get(*, pk: int, today: dt.date | None = None) -> Complaint:
    """One complaint with its timers (raises ``Complaint.DoesNotExist``)."""
    return with_timers(complaint_queryset(), today=today).get(pk=pk)


@dataclass(frozen=True)
class ComplaintPage:
    complaint: Complaint
    return_lines: list[ReturnLine]
    nonconformances: list[NonconformanceRecord]
    capas: list[CapaRequest]


def complaint_page(*, pk: int, today: dt.date | None = None) -> ComplaintPage:
    """Everything the complaint page shows, in six queries.

    The complaint with its timers; its return lines and their partial inspections (two
    queries); their nonconformance records; its CAPA requests with their signed steps (two queries).
    """
    complaint = complaint_get(pk=pk, today=today)
    inspections = ReturnInspection.objects.select_related("inspected_by", "nonconformance").order_by(
        "inspected_at", "pk"
    )
    lines = list(
        ReturnLine.objects.filter(complaint=complaint)
        .select_related("product", "inspected_by", "not_coming_by")
        .prefetch_related(Prefetch("inspections", queryset=inspections))
        .order_by("pk")
    )
    records = list(
        NonconformanceRecord.objects.filter(return_line__complaint=complaint)
        .select_related("product", "disposed_by")
        .order_by("pk")
    )
    capas = list(
        capa_for_complaint(complaint=complaint).prefetch_related(
            Prefetch("steps", queryset=CapaStep.objects.select_related("signed_by"))
        )
    )
    return ComplaintPage(
        complaint=complaint, return_lines=lines, nonconformances=records, capas=capas
    )


def capa_for_complaint(*, complaint: Complaint) -> QuerySet[CapaRequest]:
    """The CAPA requests whose source is this complaint (or return), in issue order."""
    return (
        CapaRequest.objects.filter(
            source_type=ContentType.objects.get_for_model(Complaint), source_id=complaint.pk
        )
        .select_related("department")
        .order_by("created_at", "pk")
    )


def returnable_for_customer(
    *, customer: Customer, product_ids: Iterable[int]
) -> dict[int, tuple[Decimal, Decimal]]:
    """Per product: (shipped to the customer on any outbound slip, already returned). Two queries.

    Returns of void complaints do not count.
    """
    ids = list(product_ids)
    shipped = dict(
        OutboundSlipLine.objects.filter(slip__customer=customer, product_id__in=ids)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    returned = dict(
        ReturnLine.objects.filter(complaint__customer=customer, product_id__in=ids)
        .exclude(complaint__status=ComplaintStatus.VOID)
        .values("product_id")
        .annotate(total=Sum("quantity"))
        .values_list("product_id", "total")
    )
    return {pk: (shipped.get(pk) or Decimal(0), returned.get(pk) or Decimal(0)) for pk in ids}


def return_lines_not_inspected(*, complaint: Complaint) -> list[ReturnLine]:
    """Lines of a return with pieces still to inspect: neither inspected nor recorded as not coming."""
    return list(complaint.return_lines.filter(RETURN_LINE_WAITING).select_related("product").order_by("pk"))


def return_lines_to_replace(*, complaint: Complaint) -> list[ReturnLine]:
    """Lines of a return whose inspections so far found goods that need a replacement."""
    return list(
        complaint.return_lines.filter(replacement_needed__gt=0)
        .select_related("product")
        .order_by("pk")
    )


def replacement_arranged(*, complaint: Complaint, mark: str) -> bool:
    """Whether a 補貨 slip or current 補貨 notice carrying ``mark`` exists for this return."""
    if slip_list(customer=complaint.customer, replenishment=True).filter(note=mark).exists():
        return True
    return notice_list(replenishment=True, include_void=False).filter(instructions=mark).exists()


def nonconformance_list(*, undecided_only: bool = False) -> QuerySet[NonconformanceRecord]:
    """Nonconformance records, newest first, with product, return line and complaint: one query."""
    queryset = NonconformanceRecord.objects.select_related(
        "product", "return_line__complaint__customer", "disposed_by"
    )
    if undecided_only:
        queryset = queryset.filter(disposition="")
    return queryset.order_by("-created_at", "-pk")


def feedback_list(
    *, customer: Customer | None = None, unanswered_only: bool = False
) -> QuerySet[Feedback]:
    """Other feedback, newest first, with customer and who answered: one query."""
    queryset = Feedback.objects.select_related("customer", "answered_by")
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    if unanswered_only:
        queryset = queryset.filter(answered_at__isnull=True)
    return queryset.order_by("-received_at", "-pk")


# --- work waiting (My inbox) and the dashboard -----------------------------------------------


def _with_customer(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    return with_timers(queryset.select_related("customer"))


def complaints_to_acknowledge() -> QuerySet[Complaint]:
    """Registered complaints Sales has not yet passed to QC, late first: one query."""
    return _with_customer(Complaint.objects.filter(status=ComplaintStatus.REGISTERED))


def complaints_to_investigate() -> QuerySet[Complaint]:
    """Complaints passed to QC and not yet investigated, late first: one query."""
    return _with_customer(Complaint.objects.filter(status=ComplaintStatus.ACKNOWLEDGED))


def _capa_of_complaint(**filters) -> Exists:
    return Exists(
        CapaRequest.objects.filter(
            source_type__app_label="quality", source_type__model="complaint", source_id=OuterRef("pk"), **filters
        )
    )


def complaints_awaiting_result() -> QuerySet[Complaint]:
    """Investigated complaints whose result QC can record now, late first: one query.

    Not at fault; or at fault with CAPA requests issued and all of them closed. A return
    waits until all its goods are inspected (R-5.5.1.2, R-5.5.2.2).
    """
    not_inspected = Exists(ReturnLine.objects.filter(RETURN_LINE_WAITING, complaint=OuterRef("pk")))
    return _with_customer(
        Complaint.objects.filter(status=ComplaintStatus.INVESTIGATED)
        .filter(~Q(company_at_fault=True) | (_capa_of_complaint() & ~_capa_of_complaint(status__in=CAPA_OPEN)))
        .exclude(not_inspected)
    )


def complaints_to_feed_back() -> QuerySet[Complaint]:
    """Complaints whose result is recorded and not yet fed back to the customer, late first: one query."""
    return _with_customer(Complaint.objects.filter(status=ComplaintStatus.RESULT_RECORDED))


def returns_to_inspect() -> QuerySet[Complaint]:
    """Returns with goods QC has not inspected yet, late first, with what is still to inspect: one query.

    ``waiting_lines``: how many lines still wait; ``waiting_product``, ``waiting_quantity``
    and ``waiting_unit``: the first of them and how much of it is still to inspect.
    """
    lines = ReturnLine.objects.filter(RETURN_LINE_WAITING, complaint=OuterRef("pk"))
    first = lines.order_by("pk")
    return _with_customer(
        Complaint.objects.filter(status__in=COMPLAINT_INSPECTABLE)
        .filter(Exists(lines))
        .annotate(
            waiting_lines=Subquery(
                lines.order_by().values("complaint").annotate(count=Count("pk")).values("count")[:1]
            ),
            waiting_product=Subquery(first.values("product__code")[:1]),
            waiting_unit=Subquery(first.values("product__unit")[:1]),
            waiting_quantity=Subquery(
                first.annotate(rest=F("quantity") - F("arrived") - F("not_coming")).values("rest")[:1],
                output_field=DecimalField(max_digits=14, decimal_places=3),
            ),
        )
    )


def nonconformances_to_dispose() -> QuerySet[NonconformanceRecord]:
    """Nonconformance records whose disposition is not decided, oldest first: one query."""
    return nonconformance_list(undecided_only=True).order_by("created_at", "pk")


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    first_of_next = dt.date(year + (month == 11), (month + 1) % 12 + 1, 1)
    return dt.date(year, month + 1, min(day.day, (first_of_next - dt.timedelta(days=1)).day))


@dataclass(frozen=True)
class CauseBar:
    category: str
    label: str
    count: int
    cumulative_percent: float


def complaint_figures(*, today: dt.date | None = None) -> dict[str, int]:
    """Open complaints and returns, and how many of them are overdue: one query."""
    now, today = _moment(today)
    acknowledge, resolve = _overdue_conditions(now=now, today=today)
    # Overdue complaints are open ones too: only the open complaints are read (status index), not every complaint.
    return Complaint.objects.filter(status__in=COMPLAINT_OPEN).aggregate(
        open=Count("pk", filter=Q(status__in=COMPLAINT_OPEN)),
        overdue=Count("pk", filter=acknowledge | resolve),
    )


def complaint_cause_pareto(*, today: dt.date | None = None, months: int = 12) -> list[CauseBar]:
    """Complaints by 6M cause over the last ``months`` months, most frequent first, with cumulative %: one query.

    Counted by complaint date; void complaints and those not yet investigated (no cause) are left out.
    """
    today = today or clock.today()
    since = _months_before(today, months)
    rows = (
        Complaint.objects.filter(complaint_date__gt=since, complaint_date__lte=today)
        .exclude(status=ComplaintStatus.VOID)
        .exclude(cause_category="")
        .values("cause_category")
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts = sorted(((row["count"], row["cause_category"]) for row in rows), key=lambda item: (-item[0], item[1]))
    total = sum(count for count, _ in counts)
    bars, running = [], 0
    for count, category in counts:
        running += count
        bars.append(
            CauseBar(
                category=category,
                label=str(CauseCategory(category).label),
                count=count,
                cumulative_percent=round(100 * running / total, 1),
            )
        )
    return bars


def replacement_documents(*, complaint: Complaint) -> tuple[list, list]:
    """The 補貨 outbound slips and production notices issued to replace a return's goods: four queries."""
    mark = complaint.replacement_mark
    slips = list(slip_list(customer=complaint.customer, replenishment=True).filter(note=mark))
    notices = list(notice_list(replenishment=True).filter(instructions=mark))
    return slips, notices


def complaints_needing_capa() -> QuerySet[Complaint]:
    """Investigated complaints where the company is at fault and no CAPA request is issued yet: one query."""
    return _with_customer(
        Complaint.objects.filter(status=ComplaintStatus.INVESTIGATED, company_at_fault=True).exclude(
            _capa_of_complaint()
        )
    )


def complaint_number(*, pk: int) -> str:
    """The number of one complaint (empty when there is none): one query."""
    return Complaint.objects.filter(pk=pk).values_list("number", flat=True).first() or ""
