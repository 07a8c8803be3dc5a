"""Reads of the orders app: the order log, one order's page and its chain; fixed query counts."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
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
from django.db.models.functions import Coalesce

from liaison.communications.selectors import within_days
from liaison.core import clock
from liaison.core.models import Department
from liaison.core.selectors import workshop_list
from liaison.customers.models import Customer
from liaison.customers.selectors import customer_search
from liaison.orders.models import ChangeEntry, Clarification, Order, OrderLine, ReviewRound, ReviewSignOff
from liaison.orders.states import (
    CHANGE_OPEN,
    CHANGE_WITHDRAWABLE,
    ORDER_OPEN,
    ChangeStatus,
    OrderStatus,
    ReviewRoundStatus,
)
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.selectors import notice_visible_to
from liaison.production.states import NOTICE_OPEN, NoticeStatus
from liaison.stock.models import OutboundSlip, OutboundSlipLine
from liaison.stock.selectors import shipped_by_order_line, stock_for_products

ZERO = Decimal(0)


def order_search(*, queryset: QuerySet | None = None, query: str = "") -> QuerySet:
    """Orders whose number or customer PO contains ``query``, or whose customer's name matches it.

    The customer is matched like the customer list does: 客户 finds 客戶, pinyin works.
    """
    queryset = Order.objects.all() if queryset is None else queryset
    query = query.strip()
    if not query:
        return queryset
    return queryset.filter(
        Q(number__icontains=query)
        | Q(customer_po__icontains=query)
        | Q(customer__in=customer_search(query=query).values("pk"))
    )


def _late_notice(today: dt.date):
    return Exists(
        ProductionNotice.objects.filter(
            order=OuterRef("pk"), status__in=NOTICE_OPEN, due_date__lt=today
        )
    )


def order_list(
    *,
    query: str = "",
    status: str | None = None,
    customer: Customer | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    today: dt.date | None = None,
) -> QuerySet:
    """The order log (F1), newest first, in one query.

    Each order carries ``first_required`` and ``last_required`` (its lines' required
    dates), ``due`` (the promised date, else the first required date), ``is_overdue``
    (still open and past ``due``) and ``has_late_notice`` (a workshop is behind, R-3.2).
    ``date_from``/``date_to`` are local calendar days of receipt, both included.
    """
    today = today or clock.today()
    queryset = order_search(query=query)
    if status:
        queryset = queryset.filter(status=status)
    if customer is not None:
        queryset = queryset.filter(customer=customer)
    queryset = within_days(queryset, field="received_at", date_from=date_from, date_to=date_to)
    return order_annotate(queryset, today=today).select_related("customer").order_by("-received_at", "-pk")


def _required_date(*, first: bool) -> Subquery:
    """The earliest (or latest) required delivery date of the order's lines."""
    lines = OrderLine.objects.filter(order=OuterRef("pk")).order_by("required_date" if first else "-required_date")
    return Subquery(lines.values("required_date")[:1], output_field=DateField())


def order_annotate(queryset: QuerySet, *, today: dt.date | None = None) -> QuerySet:
    """Add the order log's computed columns (see ``order_list``) to a queryset of orders."""
    today = today or clock.today()
    # Subqueries, not Min/Max over a join: no GROUP BY, so a page of the log reads 50 orders
    # and a count reads only the orders (with aggregates both read every line; bench/latency.py).
    return queryset.annotate(
        first_required=_required_date(first=True),
        last_required=_required_date(first=False),
    ).annotate(
        due=Coalesce(F("promised_date"), F("first_required")),
        is_overdue=Case(
            When(Q(status__in=ORDER_OPEN) & Q(due__lt=today), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
        has_late_notice=_late_notice(today),
    )


def order_get(*, pk: int) -> Order:
    """One order with its customer, received document and who registered it (raises DoesNotExist)."""
    return order_annotate(
        Order.objects.select_related("customer", "received_document", "created_by", "voided_by")
    ).get(pk=pk)


@dataclass
class LineFigures:
    """One order line with what the page shows beside it."""

    line: OrderLine
    stock: Decimal  # the product's whole qualified stock
    shipped: Decimal  # on regular slips; a replenishment (補貨) does not deliver the order
    on_notices: Decimal  # on current notices a workshop has not finished yet
    # The part of ``stock`` left for this line once earlier lines of the same product took theirs.
    available: Decimal | None = None
    outstanding: Decimal = field(init=False)
    can_ship: Decimal = field(init=False)
    shortfall: Decimal = field(init=False)

    @property
    def ordered(self) -> Decimal:
        return self.line.quantity

    def __post_init__(self):
        if self.available is None:
            self.available = self.stock
        self.outstanding = max(ZERO, self.line.quantity - self.shipped)
        # R-5.2.3.2: what stock can cover now; R-5.2.3.3: what production must still make.
        self.can_ship = min(self.available, self.outstanding)
        self.shortfall = max(ZERO, self.outstanding - self.available - self.on_notices)


@dataclass
class ChainLink:
    """One step of the order's chain (R-5.3): a review round, register entry, notice or slip."""

    at: dt.datetime
    kind: str  # "review_round", "change", "notice", "slip"
    record: object


@dataclass
class OrderPage:
    order: Order
    lines: list[LineFigures]
    clarifications: list[Clarification]
    review_rounds: list[ReviewRound]
    changes: list[ChangeEntry]
    notices: list[ProductionNotice]
    slips: list[OutboundSlip]
    workshops: list[Department]
    # Complaints and returns about the order (F6), newest first: read through the reverse relation
    # (the quality app sits above orders and is never imported here).
    complaints: list = field(default_factory=list)

    @property
    def current_round(self) -> ReviewRound | None:
        return self.review_rounds[-1] if self.review_rounds else None

    @property
    def earlier_rounds(self) -> list[ReviewRound]:
        return list(reversed(self.review_rounds[:-1]))

    @property
    def open_clarifications(self) -> list[Clarification]:
        return [item for item in self.clarifications if item.is_open]

    @property
    def open_changes(self) -> list[ChangeEntry]:
        return [c for c in self.changes if c.status in CHANGE_OPEN]

    @property
    def agreed_changes(self) -> list[ChangeEntry]:
        return [c for c in self.changes if c.status == ChangeStatus.AGREED]

    @property
    def withdrawable_changes(self) -> list[ChangeEntry]:
        """Changes not yet applied, rejected or withdrawn: the ones that hold up the next change."""
        return [c for c in self.changes if c.status in CHANGE_WITHDRAWABLE]

    @property
    def current_notices(self) -> list[ProductionNotice]:
        return [n for n in self.notices if n.status != NoticeStatus.VOID]

    @property
    def can_ship_any(self) -> bool:
        return any(figures.can_ship > 0 for figures in self.lines)

    @property
    def shortfall_any(self) -> bool:
        return any(figures.shortfall > 0 for figures in self.lines)

    @property
    def chain(self) -> list[ChainLink]:
        """Review rounds, register entries, notices (current and void) and slips, oldest first."""
        links = [ChainLink(r.opened_at, "review_round", r) for r in self.review_rounds]
        links += [ChainLink(c.created_at, "change", c) for c in self.changes]
        links += [ChainLink(n.issued_at, "notice", n) for n in self.notices]
        links += [ChainLink(s.shipped_at, "slip", s) for s in self.slips]
        return sorted(links, key=lambda link: link.at)


def order_page(*, order: Order, user=None) -> OrderPage:
    """Everything the order page shows, in a fixed number of queries whatever the order's size.

    Its complaints and returns (F6) too, one query, so who reads the order sees what the customer
    complained about it (R-5.5.1.1).

    Given ``user``, the notices are only those the user may read (a workshop lead sees
    their own workshop's); the line figures still count every notice.
    """
    lines = list(order.lines.select_related("product").order_by("line_no"))
    stock = stock_for_products(product_ids={line.product_id for line in lines})
    # Regular slips only: a replenishment (補貨) replaces goods, it does not deliver the order.
    shipped = shipped_by_order_line(order=order)
    on_notices = dict(
        NoticeLine.objects.filter(
            order_line__order=order, notice__status__in=NOTICE_OPEN, notice__replenishment=False
        )
        .values_list("order_line_id")
        .annotate(total=Sum("quantity"))
    )
    # Lines of the same product share its stock, in line order: none is offered the whole of it.
    left = dict(stock)
    figures = []
    for line in lines:
        outstanding = max(ZERO, line.quantity - (shipped.get(line.pk) or ZERO))
        available = min(left.get(line.product_id, ZERO), outstanding)
        left[line.product_id] = left.get(line.product_id, ZERO) - available
        figures.append(
            LineFigures(
                line=line,
                stock=stock.get(line.product_id, ZERO),
                shipped=shipped.get(line.pk) or ZERO,
                on_notices=on_notices.get(line.pk) or ZERO,
                available=available,
            )
        )
    sign_offs = ReviewSignOff.objects.select_related("department", "signed_by").order_by(
        "department__kind", "department__code"
    )
    review_rounds = list(
        order.review_rounds.select_related("decided_by", "change", "created_by")
        .prefetch_related(Prefetch("sign_offs", queryset=sign_offs))
        .order_by("number")
    )
    notice_lines = NoticeLine.objects.select_related("product").order_by("pk")
    notices = order.production_notices.select_related(
        "workshop", "issued_by", "voided_by", "superseded_by", "change"
    ).prefetch_related(Prefetch("lines", queryset=notice_lines))
    if user is not None:
        notices = notice_visible_to(user=user, queryset=notices)
    notices = list(notices.order_by("issued_at", "pk"))
    slip_lines = OutboundSlipLine.objects.select_related("product").order_by("pk")
    slips = list(
        order.outbound_slips.select_related("created_by")
        .prefetch_related(Prefetch("lines", queryset=slip_lines))
        .order_by("shipped_at", "pk")
    )
    return OrderPage(
        order=order,
        lines=figures,
        clarifications=list(
            order.clarifications.select_related("asked_by", "answer_recorded_by").order_by("asked_at", "pk")
        ),
        review_rounds=review_rounds,
        changes=list(
            order.changes.select_related("created_by", "agreement_recorded_by", "withdrawn_by").order_by(
                "created_at", "pk"
            )
        ),
        notices=notices,
        slips=slips,
        workshops=workshop_list(),
        complaints=list(order.complaints.order_by("-registered_at", "-pk")),
    )


def review_rounds_list() -> QuerySet[ReviewRound]:
    """Contract review rounds (F2) for the back office, newest first, with their order and customer."""
    return (
        ReviewRound.objects.select_related("order", "order__customer", "decided_by")
        .annotate(
            signed=Count("sign_offs", filter=Q(sign_offs__signed_at__isnull=False)),
            departments=Count("sign_offs"),
        )
        .order_by("-opened_at", "-pk")
    )


def change_list() -> QuerySet[ChangeEntry]:
    """The change register (F3) for the back office, newest first."""
    return ChangeEntry.objects.select_related("order", "order__customer").order_by("-created_at", "-pk")



# What waits on whom: the inbox (liaison.workspace.inbox, through orders/workspace.py) reads these, one query
# each, most urgent first (earliest required date; orders without lines last). The computed columns are
# correlated subqueries, not aggregates over a join: no GROUP BY, so the inbox can count
# them cheaply and read only the first few.


def _first_required(order_path: str) -> Subquery:
    """The earliest required delivery date of the lines of the order at ``order_path``."""
    return Subquery(
        OrderLine.objects.filter(order=OuterRef(order_path)).order_by("required_date").values("required_date")[:1],
        output_field=DateField(),
    )


def _urgent_first():
    return (F("first_required").asc(nulls_last=True), "pk")


def _sign_off_count(**filters) -> Coalesce:
    counted = (
        ReviewSignOff.objects.filter(review_round=OuterRef("pk"), **filters)
        .order_by()
        .values("review_round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def review_rounds_awaiting_decision() -> QuerySet[ReviewRound]:
    """Open review rounds of orders under review, with how many departments have signed."""
    return (
        ReviewRound.objects.filter(status=ReviewRoundStatus.OPEN, order__status=OrderStatus.UNDER_REVIEW)
        .select_related("order", "order__customer")
        .annotate(
            first_required=_first_required("order"),
            signed=_sign_off_count(signed_at__isnull=False),
            departments=_sign_off_count(),
        )
        .order_by(*_urgent_first())
    )


def sign_offs_awaiting(*, department_id: int) -> QuerySet[ReviewSignOff]:
    """A department's unsigned lines on open review forms."""
    return (
        ReviewSignOff.objects.filter(
            department_id=department_id, signed_at__isnull=True, review_round__status=ReviewRoundStatus.OPEN
        )
        .select_related("department", "review_round", "review_round__order", "review_round__order__customer")
        .annotate(first_required=_first_required("review_round__order"))
        .order_by(*_urgent_first())
    )


def clarifications_open() -> QuerySet[Clarification]:
    """Questions put to customers and not answered yet, on orders still open."""
    return (
        Clarification.objects.filter(answered_at__isnull=True, order__status__in=ORDER_OPEN)
        .select_related("order", "order__customer")
        .annotate(first_required=_first_required("order"))
        .order_by(*_urgent_first())
    )


def orders_awaiting_reply() -> QuerySet[Order]:
    """Accepted orders whose delivery date has not been replied to the customer yet (R-5.2.3.3)."""
    return (
        Order.objects.filter(status=OrderStatus.ACCEPTED, promised_date__isnull=True)
        .select_related("customer")
        .annotate(first_required=_first_required("pk"))
        .order_by(*_urgent_first())
    )


def changes_to_apply() -> QuerySet[ChangeEntry]:
    """Changes the customer agreed to whose new production notice is not issued yet."""
    return (
        ChangeEntry.objects.filter(status=ChangeStatus.AGREED)
        .select_related("order", "order__customer")
        .order_by(F("new_due_date").asc(nulls_last=True), "pk")
    )
