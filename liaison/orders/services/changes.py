"""The contract change register, F3 (R-5.3): registering a change, the customer's agreement, withdrawing, applying.

A company delay (R-5.3.1) waits for the customer's agreement; a customer's change
(R-5.3.2) is agreed by deciding the review round it opens (``review.review_decide``).
Applying an agreed change replaces the order's current production notices.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import format_lazy

from liaison.communications.services import communication_record, exchange_record
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import User
from liaison.core.quantities import format_quantity
from liaison.core.roles import require
from liaison.core.services import number_next, sign_history, transition_apply, transition_check
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import ACTIONS, MESSAGES, OrderErrorCode
from liaison.orders.models import ChangeEntry, Order, OrderLine, ReviewRound
from liaison.orders.services.common import (
    check_channel,
    check_not_future,
    line_quantity,
    lock_order,
    promised_date_move,
    refuse_unless_accepted,
    refuse_while_a_change_is_pending,
    review_departments,
)
from liaison.orders.services.review import review_round_open
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderStatus,
    ReviewRoundReason,
    ReviewRoundStatus,
)
from liaison.production.errors import ACTIONS as PRODUCTION_ACTIONS
from liaison.production.models import NoticeLine
from liaison.production.selectors import order_line_coverage
from liaison.production.services import notice_issue, notice_supersede, notice_void
from liaison.production.states import NOTICE_OPEN, NoticeStatus
from liaison.stock.selectors import shipped_by_order_line

CHANGE_DOC_TYPE = "CHG"

# The reason categories of a delay the company causes.
COMPANY_CATEGORIES = tuple(
    c for c in ChangeReasonCategory if c != ChangeReasonCategory.CUSTOMER_REQUEST
)


@transaction.atomic(durable=True)
def change_register(
    *,
    order: Order,
    kind: ChangeKind | str,
    reason_category: ChangeReasonCategory | str,
    reason: str,
    actor: User,
    change_details: str = "",
    new_due_date: dt.date | None = None,
    requested_via: CommunicationChannel | str = "",
) -> ChangeEntry:
    """Enter a contract change into the register (F3).

    A delay the company causes (R-5.3.1) needs a company reason category and the new
    date, then waits for the customer's agreement. A change the customer asks for
    (R-5.3.2) says how the request came (``requested_via``): the request is a line from
    the customer on the communication record (F5, R-5.4), and the order goes back to
    review: a new round of the review form opens.
    """
    require(actor, ACTIONS["change"])
    if kind not in ChangeKind.values:
        raise refuse(MESSAGES, OrderErrorCode.UNKNOWN_CHANGE_KIND, field="kind", kind=kind)
    if kind == ChangeKind.CUSTOMER:
        if not requested_via:
            raise refuse(MESSAGES, OrderErrorCode.REQUEST_CHANNEL_REQUIRED, field="requested_via")
        check_channel(requested_via, field="requested_via")
    else:
        requested_via = ""
    categories = (
        COMPANY_CATEGORIES
        if kind == ChangeKind.COMPANY
        else (ChangeReasonCategory.CUSTOMER_REQUEST,)
    )
    if kind == ChangeKind.CUSTOMER and not reason_category:
        reason_category = ChangeReasonCategory.CUSTOMER_REQUEST
    if reason_category not in categories:
        raise refuse(
            MESSAGES,
            OrderErrorCode.WRONG_CHANGE_CATEGORY,
            field="reason_category",
            category=(
                ChangeReasonCategory(reason_category).label
                if reason_category in ChangeReasonCategory.values
                else reason_category
            ),
            kind=ChangeKind(kind).label,
            # Lazy, so the list reads in the language the message is shown in.
            allowed=format_lazy(", ".join("{}" for _c in categories), *(c.label for c in categories)),
        )
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, OrderErrorCode.REASON_REQUIRED, field="reason")
    if kind == ChangeKind.COMPANY and new_due_date is None:
        raise refuse(MESSAGES, OrderErrorCode.NEW_DUE_DATE_REQUIRED, field="new_due_date")
    order = lock_order(order)
    refuse_unless_accepted(order)
    # A change still in progress holds up the next one until it is applied, rejected or withdrawn.
    refuse_while_a_change_is_pending(order, OrderErrorCode.CHANGE_PENDING)
    departments = review_departments() if kind == ChangeKind.CUSTOMER else []
    if kind == ChangeKind.CUSTOMER and not departments:
        raise refuse(MESSAGES, OrderErrorCode.REVIEW_DEPARTMENTS_MISSING)

    change = ChangeEntry(
        order=order,
        kind=kind,
        reason_category=reason_category,
        reason=reason,
        change_details=(change_details or "").strip(),
        new_due_date=new_due_date,
        requested_via=requested_via,
        created_by=actor,
    )
    change.full_clean(exclude=["number", "status"])
    change.number = number_next(doc_type=CHANGE_DOC_TYPE)
    sign_history(change, actor=actor, reason="Registered")
    change.save()
    text = f"{change.number} ({order.number}): {reason}"
    if kind == ChangeKind.CUSTOMER:
        # The customer's request is a line from the customer on F5.
        exchange_record(
            customer=order.customer,
            channel=requested_via,
            direction=Direction.FROM_CUSTOMER,
            topic=Topic.ORDER_CHANGE,
            summary=f"{text} — {change.change_details}" if change.change_details else text,
            actor=actor,
            about=change,
            event=TimelineEvent.CHANGE_REGISTERED,
            event_summary=text,
        )
    else:
        timeline_record(
            customer=order.customer, event=TimelineEvent.CHANGE_REGISTERED, actor=actor, summary=text, about=change
        )
    if kind == ChangeKind.CUSTOMER:
        transition_apply(change, "open_review", actor=actor, reason="Under review")
        transition_apply(order, "reopen_review", actor=actor, reason=f"Back under review for change {change.number}")
        review_round_open(
            order=order,
            reason=ReviewRoundReason.CUSTOMER_CHANGE,
            actor=actor,
            departments=departments,
            change=change,
        )
    return change


def _check_agreed_by(agreed_by: str, change: ChangeEntry) -> None:
    """What the model says of who agreed (its length), before the transition writes it."""
    try:
        ChangeEntry._meta.get_field("customer_agreed_by").clean(agreed_by, change)
    except ValidationError as error:
        raise ValidationError({"customer_agreed_by": error.error_list}) from None


@transaction.atomic(durable=True)
def change_record_agreement(
    *,
    change: ChangeEntry,
    agreed_by: str,
    agreed_at: dt.datetime,
    via: CommunicationChannel | str,
    actor: User,
) -> ChangeEntry:
    """Record that the customer agreed to a delay: who, when and how (R-5.3.1).

    The agreed date becomes the order's promised delivery date: the order log (F1) reads
    lateness against it, and the delivery reply proposes it.
    """
    require(actor, ACTIONS["agree"])
    agreed_by = (agreed_by or "").strip()
    if not agreed_by:
        raise refuse(MESSAGES, OrderErrorCode.AGREED_BY_REQUIRED, field="agreed_by")
    check_channel(via, field="via")
    check_not_future(agreed_at, "agreed_at")
    order = lock_order(change.order)
    change = ChangeEntry.objects.select_for_update().get(pk=change.pk)
    if change.kind == ChangeKind.CUSTOMER:
        raise refuse(MESSAGES, OrderErrorCode.CHANGE_AGREED_BY_REVIEW, conflict=True, change=change.number)
    transition_check(
        change,
        "agree",
        lambda: refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_NOT_OPEN,
            conflict=True,
            change=change.number,
            status=change.get_status_display(),
        ),
    )
    _check_agreed_by(agreed_by, change)
    transition_apply(
        change,
        "agree",
        params={"agreed_by": agreed_by, "agreed_at": agreed_at, "via": via, "recorded_by": actor},
        actor=actor,
        reason="Customer agreed",
        fields=["customer_agreed_by", "customer_agreed_at", "customer_agreed_via", "agreement_recorded_by"],
    )
    promised_date_move(order=order, change=change, actor=actor)
    text = f"{change.number} ({order.number}): {agreed_by}"
    exchange_record(
        customer=order.customer,
        channel=via,
        direction=Direction.FROM_CUSTOMER,
        topic=Topic.ORDER_CHANGE,
        summary=f"{text} — {change.reason}",
        actor=actor,
        about=change,
        event=TimelineEvent.CHANGE_AGREED,
        event_summary=text,
        occurred_at=agreed_at,
    )
    return change


@transaction.atomic(durable=True)
def change_withdraw(
    *,
    change: ChangeEntry,
    reason: str,
    actor: User,
    refused_via: CommunicationChannel | str = "",
    refused_at: dt.datetime | None = None,
) -> ChangeEntry:
    """Withdraw a change not yet applied, with the reason; the order is free for the next one.

    A delay the customer refuses (R-5.3.1) is withdrawn with what the customer said:
    ``refused_via`` (and ``refused_at``, default now) say how the refusal came, and it
    goes on the communication record (F5) as a line from the customer. A customer's
    change still under review takes its open review round with it, and the order
    returns to accepted on its old terms.
    """
    require(actor, ACTIONS["withdraw"])
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, OrderErrorCode.WITHDRAWAL_REASON_REQUIRED, field="reason")
    if refused_via:
        check_channel(refused_via, field="refused_via")
        refused_at = refused_at or clock.now()
        check_not_future(refused_at, "refused_at")
    order = lock_order(change.order)
    change = ChangeEntry.objects.select_for_update(of=("self",)).get(pk=change.pk)
    transition_check(
        change,
        "withdraw",
        lambda: refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_NOT_WITHDRAWABLE,
            conflict=True,
            change=change.number,
            status=change.get_status_display(),
        ),
    )
    open_round = None
    if change.status == ChangeStatus.UNDER_REVIEW:
        open_round = (
            ReviewRound.objects.select_for_update(of=("self",))
            .filter(order=order, change=change, status=ReviewRoundStatus.OPEN)
            .first()
        )
    transition_apply(
        change,
        "withdraw",
        params={"by": actor, "reason": reason},
        actor=actor,
        reason=f"Withdrawn: {reason}",
        fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason"],
    )
    if open_round is not None:
        transition_apply(open_round, "withdraw", actor=actor, reason=f"Withdrawn with change {change.number}")
        if order.status == OrderStatus.UNDER_REVIEW:
            transition_apply(order, "accept", actor=actor, reason=f"Change {change.number} withdrawn")
    if refused_via:
        communication_record(
            customer=order.customer,
            channel=refused_via,
            direction=Direction.FROM_CUSTOMER,
            topic=Topic.ORDER_CHANGE,
            summary=f"{change.number} ({order.number}): {reason}",
            actor=actor,
            about=change,
            occurred_at=refused_at,
            automatic=True,
        )
    timeline_record(
        customer=order.customer,
        event=TimelineEvent.CHANGE_WITHDRAWN,
        actor=actor,
        summary=f"{change.number} ({order.number}): {reason}",
        about=change,
        occurred_at=refused_at,
    )
    return change


def _new_line_quantities(order: Order, line_quantities: Mapping | None) -> dict[OrderLine, Decimal]:
    """Check the new quantities asked for, keyed by order line or its id."""
    if not line_quantities:
        return {}
    lines = {line.pk: line for line in order.lines.select_for_update()}
    shipped = shipped_by_order_line(order=order)  # regular slips; 補貨 replaces, it does not deliver
    wanted: dict[OrderLine, Decimal] = {}
    for key, value in line_quantities.items():
        pk = getattr(key, "pk", key)
        line = lines.get(pk)
        if line is None:
            raise refuse(
                MESSAGES,
                OrderErrorCode.LINE_NOT_IN_ORDER,
                field="line_quantities",
                line=pk,
                order=order.number,
            )
        quantity = line_quantity(value, line.line_no)
        already = shipped.get(line.pk) or Decimal(0)
        if quantity < already:
            raise refuse(
                MESSAGES,
                OrderErrorCode.QUANTITY_BELOW_SHIPPED,
                field="line_quantities",
                line=line.line_no,
                shipped=format_quantity(already),
            )
        wanted[line] = quantity
    return wanted


@transaction.atomic(durable=True)
def change_apply(
    *,
    change: ChangeEntry,
    actor: User,
    due_date: dt.date | None = None,
    line_quantities: Mapping | None = None,
) -> list:
    """Carry out an agreed change: new quantities, a successor for each current notice, a notice for what is missing.

    ``line_quantities`` maps order lines (or their ids) to their new quantity; the
    order line keeps the old one in its history. Each production notice of the order
    still to be made is voided and replaced by its successor (R-5.3.1, R-5.3.2); the due
    date is ``due_date`` or the change's new delivery date.

    A line that changes is made up to what is still missing (R-5.3.2): what was shipped
    and what completed notices made and stock still holds count
    (``production.selectors.order_line_coverage``). A line that grows puts the growth on
    its latest open notice, or, when its notices are all completed, on a new notice to
    the workshop that made it; a line that shrinks takes it off its latest notices first.
    The change is "applied" when a notice was issued for it, "applied (no new notice
    needed)" when none was. Returns the notices issued.
    """
    require(actor, ACTIONS["apply"])
    require(actor, PRODUCTION_ACTIONS["issue"])  # the successor notices
    order = lock_order(change.order)
    change = ChangeEntry.objects.select_for_update().get(pk=change.pk)
    transition_check(
        change,
        "apply",
        lambda: refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_NOT_AGREED,
            conflict=True,
            change=change.number,
            status=change.get_status_display(),
        ),
    )
    wanted = _new_line_quantities(order, line_quantities)
    changed: dict[int, tuple[OrderLine, Decimal]] = {}  # order line id → (line, old quantity)
    for line, quantity in wanted.items():
        if quantity != line.quantity:
            changed[line.pk] = (line, line.quantity)
            line.quantity = quantity
            line.full_clean()
            sign_history(line, actor=actor, reason=f"Quantity changed by {change.number}")
            line.save(update_fields=["quantity", "updated_by"])

    # The lines are read for each notice below; one query for all of them.
    notices = list(
        order.production_notices.filter(status__in=NOTICE_OPEN).prefetch_related("lines").order_by("issued_at", "pk")
    )
    targets = _targets(order, notices, changed)
    plan = _notice_plan(notices, targets)
    reason = f"{change.number}: {change.reason}"
    due = due_date or change.new_due_date
    issued = []
    # Notices that make less first, so what they give up is free for the ones that make more.
    for notice in sorted(notices, key=lambda n: _grows(n, plan)):
        quantities = plan.get(notice.pk)
        lines = notice.lines.all()
        if quantities is not None and all(not quantities.get(nl.order_line_id, nl.quantity) for nl in lines):
            # The change leaves nothing of this notice to make: void it, with no successor.
            notice_void(notice=notice, reason=reason, actor=actor)
            continue
        issued.append(
            notice_supersede(
                notice=notice, reason=reason, actor=actor, due_date=due, line_quantities=quantities, change=change
            )
        )
    issued += _notices_for_the_missing(order, notices, changed, targets, change=change, due_date=due, actor=actor)
    numbers = ", ".join(n.number for n in issued)
    if issued:
        transition_apply(change, "apply", actor=actor, reason=f"Applied: {numbers}")
    else:
        transition_apply(change, "apply_without_notice", actor=actor, reason="Applied: no new notice")
    timeline_record(
        customer=order.customer,
        event=TimelineEvent.CHANGE_APPLIED,
        actor=actor,
        summary=f"{change.number} ({order.number})" + (f" → {numbers}" if numbers else ""),
        about=change,
    )
    return issued


def _regular_lines(notices, order_line_id: int) -> list:
    """The lines for ``order_line_id`` on the regular (not 補貨) notices, oldest notice first."""
    return [
        line
        for notice in notices
        if not notice.replenishment
        for line in notice.lines.all()
        if line.order_line_id == order_line_id
    ]


def _targets(order, notices, changed) -> dict[int, Decimal]:
    """What the open notices should make of each changed line.

    What they made before, shifted by the change, and never more than is still missing:
    ordered − shipped − made and in stock (the open notices are being replaced).
    """
    grown = [line for line, old in changed.values() if line.quantity > old]
    coverage = (
        order_line_coverage(order=order, order_lines=grown, exclude_notices=[n.pk for n in notices]) if grown else {}
    )
    targets = {}
    for pk, (line, old) in changed.items():
        planned = sum((nl.quantity for nl in _regular_lines(notices, pk)), Decimal(0))
        target = max(planned + line.quantity - old, Decimal(0))
        if pk in coverage:
            target = min(target, coverage[pk].left)
        targets[pk] = target
    return targets


def _notice_plan(notices, targets: Mapping[int, Decimal]) -> dict[int, dict[int, Decimal]]:
    """The new quantities of each open notice's changed lines: notice id → {order line id: quantity}."""
    plan: dict[int, dict[int, Decimal]] = {}
    for pk, target in targets.items():
        lines = _regular_lines(notices, pk)
        if not lines:
            continue
        planned = sum((nl.quantity for nl in lines), Decimal(0))
        if target >= planned:
            # The growth goes on the latest notice only.
            plan.setdefault(lines[-1].notice_id, {})[pk] = lines[-1].quantity + target - planned
            continue
        cut = planned - target
        for nl in reversed(lines):  # taken off the latest notices first
            less = min(nl.quantity, cut)
            plan.setdefault(nl.notice_id, {})[pk] = nl.quantity - less
            cut -= less
    return plan


def _grows(notice, plan) -> bool:
    quantities = plan.get(notice.pk) or {}
    return any(quantities.get(nl.order_line_id, nl.quantity) > nl.quantity for nl in notice.lines.all())


def _notices_for_the_missing(order, notices, changed, targets, *, change, due_date, actor) -> list:
    """A notice for each line that grew beyond what its open notices make: to the workshop that made it before.

    A line no workshop ever made (stock covered it) gets none here: the order page offers
    its shortfall for a notice of its own.
    """
    missing = {}
    for pk, target in targets.items():
        if target > 0 and not _regular_lines(notices, pk):
            missing[pk] = target
    if not missing:
        return []
    made_by = {}
    earlier = NoticeLine.objects.filter(
        order_line_id__in=missing, notice__replenishment=False
    ).exclude(notice__status=NoticeStatus.VOID).select_related("notice__workshop").order_by("notice__issued_at", "pk")
    for nl in earlier:
        made_by[nl.order_line_id] = nl.notice.workshop  # the latest one wins
    by_workshop: dict = {}
    for pk, quantity in missing.items():
        if pk in made_by:
            line = changed[pk][0]
            by_workshop.setdefault(made_by[pk], []).append(
                {"product": line.product, "order_line": line, "quantity": quantity}
            )
    return [
        notice_issue(order=order, workshop=workshop, due_date=due_date, lines=lines, actor=actor, change=change)
        for workshop, lines in by_workshop.items()
    ]
