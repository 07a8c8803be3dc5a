"""The order log, F1: registering an order (it opens its review form, F2), replying its delivery date, voiding it."""

import datetime as dt
from collections.abc import Mapping

from django.db import transaction

from liaison.communications.models import ReceivedDocument
from liaison.communications.services import exchange_record
from liaison.communications.states import (
    CommunicationChannel,
    Direction,
    ReceivedChannel,
    ReceivedDocumentStatus,
    Topic,
)
from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import User
from liaison.core.roles import require
from liaison.core.services import (
    number_provisional,
    number_settle,
    records_create,
    sign_history,
    transition_apply,
    transition_check,
)
from liaison.customers.models import Customer, TimelineEntry
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import ACTIONS, MESSAGES, OrderErrorCode
from liaison.orders.models import Order, OrderLine
from liaison.orders.services.common import (
    SET_BY_SERVICE,
    check_channel,
    day_text,
    line_quantity,
    lock_order,
    refuse_unless_accepted,
    refuse_while_a_change_is_pending,
    review_departments,
    when_text,
)
from liaison.orders.services.review import review_round_open
from liaison.orders.states import OrderChannel, ReviewRoundReason, ReviewRoundStatus
from liaison.production.services import notice_void
from liaison.production.states import NoticeStatus

ORDER_DOC_TYPE = "ORD"


@transaction.atomic(durable=True)
def order_register(
    *,
    customer: Customer,
    channel: OrderChannel | str,
    lines: list[Mapping],
    actor: User,
    customer_po: str = "",
    received_document: ReceivedDocument | None = None,
    received_at: dt.datetime | None = None,
    delivery_terms: str = "",
    packaging: str = "",
    post_delivery: str = "",
    notes: str = "",
) -> Order:
    """Enter an order into the order log (F1) and open its contract review form (F2).

    ``lines`` are dicts ``{product, quantity, specification, required_date}``. The
    order is numbered ORD-yyyy-nnnn only once everything has been checked
    (R-5.1.1, R-5.2.1, R-5.2.2.1).
    """
    require(actor, ACTIONS["register"])
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise refuse(MESSAGES, OrderErrorCode.RECEIVED_IN_FUTURE, field="received_at", now=when_text(now))
    if channel == OrderChannel.FAX:
        # Every customer fax is catalogued (R-5.2.2.3): a faxed order's F1 entry names its fax.
        if received_document is None:
            raise refuse(MESSAGES, OrderErrorCode.FAX_DOCUMENT_REQUIRED, field="received_document")
        if received_document.channel != ReceivedChannel.FAX:
            raise refuse(
                MESSAGES,
                OrderErrorCode.DOCUMENT_NOT_FAX,
                field="received_document",
                document=received_document.number,
                channel=received_document.get_channel_display(),
            )
    if received_document is not None:
        if received_document.customer_id != customer.pk:
            raise refuse(
                MESSAGES,
                OrderErrorCode.DOCUMENT_OTHER_CUSTOMER,
                field="received_document",
                document=received_document.number,
                sender=received_document.customer,
                customer=customer,
            )
        if received_document.status == ReceivedDocumentStatus.VOID:
            raise refuse(
                MESSAGES,
                OrderErrorCode.DOCUMENT_VOID,
                field="received_document",
                document=received_document.number,
            )
    if not lines:
        raise refuse(MESSAGES, OrderErrorCode.LINES_REQUIRED, field="lines")
    checked = []
    for line_no, line in enumerate(lines, start=1):
        product, required_date = line.get("product"), line.get("required_date")
        if product is None or required_date is None or line.get("quantity") in (None, ""):
            raise refuse(MESSAGES, OrderErrorCode.LINE_INCOMPLETE, field="lines", line=line_no)
        quantity = line_quantity(line["quantity"], line_no)
        if not product.active:
            raise refuse(
                MESSAGES,
                OrderErrorCode.PRODUCT_INACTIVE, field="lines", line=line_no, product=str(product)
            )
        checked.append(
            (line_no, product, quantity, (line.get("specification") or "").strip(), required_date)
        )
    departments = review_departments()

    order = Order(
        number=number_provisional(doc_type=ORDER_DOC_TYPE),
        customer=customer,
        channel=channel,
        customer_po=customer_po.strip(),
        received_document=received_document,
        received_at=received_at,
        delivery_terms=delivery_terms.strip(),
        packaging=packaging.strip(),
        post_delivery=post_delivery.strip(),
        notes=notes.strip(),
        created_by=actor,
    )
    order_lines = [
        OrderLine(
            order=order,
            line_no=line_no,
            product=product,
            quantity=quantity,
            specification=specification,
            required_date=required_date,
            created_by=actor,
            updated_by=actor,
        )
        for line_no, product, quantity, specification, required_date in checked
    ]
    # An unknown channel or an over-long field stops here, before anything is written. The
    # service set the links and the number itself; the database enforces the unique pairs.
    order.full_clean(exclude=["number", "status", *SET_BY_SERVICE], validate_unique=False, validate_constraints=False)
    for order_line in order_lines:
        order_line.full_clean(exclude=SET_BY_SERVICE, validate_unique=False, validate_constraints=False)
    sign_history(order, actor=actor, reason="Registered")
    order.save()
    records_create(order_lines, actor=actor, reason="Registered with the order", trusted=SET_BY_SERVICE)
    summary = " ".join(
        part
        for part in (
            order.number,
            order.customer_po,
            received_document.number if received_document else "",
        )
        if part
    )
    registered = timeline_record(
        customer=customer,
        event=TimelineEvent.ORDER_REGISTERED,
        actor=actor,
        summary=summary,
        about=order,
    )
    _round, opened = review_round_open(
        order=order, reason=ReviewRoundReason.NEW_ORDER, actor=actor, departments=departments, first=True
    )
    # The number last: concurrent registrations wait for each other only from here to the commit.
    number_settle(
        record=order,
        doc_type=ORDER_DOC_TYPE,
        texts=[(TimelineEntry.objects.filter(pk__in=[registered.pk, opened.pk]), "summary")],
    )
    return order


@transaction.atomic(durable=True)
def order_delivery_reply(
    *,
    order: Order,
    promised_date: dt.date,
    channel: CommunicationChannel | str,
    actor: User,
    summary: str = "",
) -> Order:
    """Reply the delivery date to the customer; the reply is an F5 record (R-5.2.3.3)."""
    require(actor, ACTIONS["reply"])
    check_channel(channel)
    if promised_date < clock.today():
        raise refuse(
            MESSAGES,
            OrderErrorCode.PROMISED_DATE_PAST, field="promised_date", date=day_text(promised_date)
        )
    order = lock_order(order)
    refuse_unless_accepted(order)
    order.promised_date = promised_date
    sign_history(order, actor=actor, reason=f"Delivery date replied: {promised_date.isoformat()}")
    order.save(update_fields=["promised_date", "updated_by"])
    text = f"{order.number} → {promised_date.isoformat()}"
    summary = (summary or "").strip()
    exchange_record(
        customer=order.customer,
        channel=channel,
        direction=Direction.TO_CUSTOMER,
        topic=Topic.DELIVERY_REPLY,
        summary=f"{text}: {summary}" if summary else text,
        actor=actor,
        about=order,
        event=TimelineEvent.DELIVERY_REPLIED,
        event_summary=text,
    )
    return order


@transaction.atomic(durable=True)
def order_void(*, order: Order, reason: str, actor: User) -> Order:
    """Void an order registered in error: it keeps its number, marked void with who, when and why.

    The Sales head's step, and only while nothing has been delivered for the order: refused
    once goods were shipped (F8) or a production notice went into production (F4), and while
    a change is in progress (withdraw it first). Its open review round is withdrawn and its
    notices not yet started are voided with it, so no open work is left on it.
    """
    require(actor, ACTIONS["void"])
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, OrderErrorCode.VOID_REASON_REQUIRED, field="reason")
    order = lock_order(order)
    transition_check(
        order,
        "void",
        lambda: refuse(
            MESSAGES,
            OrderErrorCode.ORDER_NOT_VOIDABLE,
            conflict=True,
            order=order.number,
            status=order.get_status_display(),
        ),
    )
    slip = order.outbound_slips.order_by("shipped_at", "pk").first()
    if slip is not None:
        raise refuse(MESSAGES, OrderErrorCode.VOID_GOODS_SHIPPED, conflict=True, order=order.number, slip=slip.number)
    # Locked (after the order, as production does) so a workshop cannot start one meanwhile.
    notices = list(
        order.production_notices.select_for_update(of=("self",)).exclude(status=NoticeStatus.VOID).order_by("pk")
    )
    started = next((n for n in notices if n.status != NoticeStatus.ISSUED), None)
    if started is not None:
        raise refuse(
            MESSAGES,
            OrderErrorCode.VOID_NOTICE_IN_PRODUCTION,
            conflict=True,
            notice=started.number,
            order=order.number,
            status=started.get_status_display(),
        )
    refuse_while_a_change_is_pending(order, OrderErrorCode.VOID_CHANGE_PENDING)
    open_round = (
        order.review_rounds.select_for_update(of=("self",)).filter(status=ReviewRoundStatus.OPEN).first()
    )
    if open_round is not None:
        transition_apply(open_round, "withdraw", actor=actor, reason=f"Withdrawn: order voided: {reason}")
    for issued in notices:
        notice_void(notice=issued, reason=f"Order {order.number} voided: {reason}", actor=actor)
    transition_apply(
        order,
        "void",
        params={"by": actor, "reason": reason[:300]},
        actor=actor,
        reason=f"Voided: {reason}",
        fields=["voided_at", "voided_by", "void_reason"],
    )
    timeline_record(
        customer=order.customer,
        event=TimelineEvent.ORDER_VOIDED,
        actor=actor,
        summary=f"{order.number}: {reason}",
        about=order,
    )
    return order
