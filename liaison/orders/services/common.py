"""What the steps of the orders app share: the order's lock, the review departments, checked input."""

import datetime as dt
from decimal import Decimal

from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext

from liaison.communications.services import communication_record
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.core import clock, procedure
from liaison.core.errors import refuse
from liaison.core.models import Department, User
from liaison.core.quantities import positive_quantity
from liaison.core.services import sign_history
from liaison.core.states import DepartmentKind
from liaison.orders.errors import MESSAGES, OrderErrorCode
from liaison.orders.models import ChangeEntry, Order, ReviewRound
from liaison.orders.states import CHANGE_WITHDRAWABLE, ChangeKind, OrderStatus, ReviewOutcome

# Links a step sets from rows it holds or has just written: full_clean need not look them up.
SET_BY_SERVICE = ["order", "customer", "product", "department", "review_round", "change", "received_document",
                  "created_by", "updated_by"]


def when_text(moment: dt.datetime) -> str:
    """A moment as a refusal shows it: local time, short format."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def day_text(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def check_channel(channel: str, field: str = "channel") -> None:
    if channel not in CommunicationChannel.values:
        raise refuse(MESSAGES, OrderErrorCode.UNKNOWN_CHANNEL, field=field, channel=channel)


def check_not_future(moment: dt.datetime, field: str) -> None:
    if moment > clock.now():
        raise refuse(MESSAGES, OrderErrorCode.OCCURRED_IN_FUTURE, field=field, when=when_text(moment))


def line_quantity(value, line: int) -> Decimal:
    """The quantity of order line number ``line``, refused unless more than zero."""
    quantity = positive_quantity(value)
    if quantity is None:
        raise refuse(MESSAGES, OrderErrorCode.QUANTITY_NOT_POSITIVE, field="lines", line=line)
    return quantity


def lock_order(order: Order) -> Order:
    """Lock the order's row, and only that row (not its customer's).

    Every step locks the order first and its round, change or clarification after it,
    so two steps on one order queue up instead of deadlocking.
    """
    return Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)


def refuse_unless_accepted(order: Order) -> None:
    """Delivery replies and changes are for accepted orders only."""
    if order.status != OrderStatus.ACCEPTED:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ORDER_NOT_ACCEPTED,
            conflict=True,
            order=order.number,
            status=order.get_status_display(),
        )


def refuse_while_a_change_is_pending(order: Order, code: OrderErrorCode) -> None:
    """Refuse a step on the order while one of its changes is in progress (not applied, rejected or withdrawn)."""
    pending = order.changes.filter(status__in=CHANGE_WITHDRAWABLE).order_by("pk").first()
    if pending is not None:
        raise refuse(
            MESSAGES,
            code,
            conflict=True,
            order=order.number,
            change=pending.number,
            status=pending.get_status_display(),
        )


def review_departments() -> list[Department]:
    """The departments on a new review round (R-5.2.3.1): those set to sign, and every kind the procedure names.

    ``REVIEW_DEPARTMENT_KINDS`` (Sales, workshop, QC, warehouse by default) are the kinds
    every round carries at least: a kind none of the departments set to sign is of comes
    with every active department of that kind. Refused when a kind has no active department
    at all, or when there is no department to sign. One query.
    """
    required = [str(kind) for kind in procedure.setting("REVIEW_DEPARTMENT_KINDS")]
    active = list(Department.objects.filter(Q(signs_contract_review=True) | Q(kind__in=required), active=True))
    covered = {department.kind for department in active if department.signs_contract_review}
    chosen = [d for d in active if d.signs_contract_review or d.kind not in covered]
    missing = [kind for kind in required if kind not in {d.kind for d in chosen}]
    if missing or not chosen:
        labels = [str(DepartmentKind(kind).label) if kind in DepartmentKind.values else kind for kind in missing]
        raise refuse(
            MESSAGES, OrderErrorCode.REVIEW_DEPARTMENTS_MISSING, kinds=", ".join(labels) or gettext("any kind")
        )
    return chosen


def promised_date_move(*, order: Order, change: ChangeEntry, actor: User) -> None:
    """An agreed change with a new delivery date moves the date promised to the customer (R-5.3.1).

    The order log (F1) reads lateness against the promised date, and the delivery reply
    proposes it. Call it with the order locked, inside the agreeing step's transaction.
    """
    if change.new_due_date is None or order.promised_date == change.new_due_date:
        return
    order.promised_date = change.new_due_date
    what = "Delay" if change.kind == ChangeKind.COMPANY else "Change"
    sign_history(order, actor=actor, reason=f"{what} {change.number} agreed: {change.new_due_date.isoformat()}")
    order.save(update_fields=["promised_date", "updated_by"])


def change_decision_record(
    *, order: Order, change: ChangeEntry, review_round: ReviewRound, outcome: str, conditions: str, actor: User
) -> None:
    """The review round's decision on the customer's change (R-5.3.2), inside the deciding step's transaction.

    The decision goes back to the customer as a line of the communication record (F5,
    R-5.4), by the channel their request came by; an accepted change with a new delivery
    date moves the promised date. A change registered before requests said how they came
    has no channel to write, and gets no line.
    """
    if outcome != ReviewOutcome.REJECTED:
        promised_date_move(order=order, change=change, actor=actor)
    if not change.requested_via:
        return
    said = f"{change.number} ({order.number}): {ReviewOutcome(outcome).label}"
    communication_record(
        customer=order.customer,
        channel=change.requested_via,
        direction=Direction.TO_CUSTOMER,
        topic=Topic.ORDER_CHANGE,
        summary=f"{said} — {conditions}" if conditions else said,
        actor=actor,
        about=change,
        occurred_at=review_round.decided_at,
        automatic=True,
    )
