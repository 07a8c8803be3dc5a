"""Complaints and returns on F6: register, acknowledge, investigate, record the result, feed back, close, void.

A complaint and a return are one F6 record, numbered in one series (``CMP-2026-0001``):
the register of complaints is one register, whatever the customer sends back.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from django.db import transaction

from liaison.communications.models import CommunicationRecord
from liaison.communications.services import communication_record, exchange_record
from liaison.communications.states import Direction, Topic
from liaison.core import clock, procedure
from liaison.core.models import User
from liaison.core.quantities import format_quantity, positive_quantity
from liaison.core.roles import require
from liaison.core.services import (
    number_provisional,
    number_settle,
    records_create,
    sign_history,
    transition_apply,
    transition_check,
)
from liaison.core.text import stripped
from liaison.customers.models import Customer, TimelineEntry
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.orders.models import Order
from liaison.quality import selectors
from liaison.quality.errors import ACTIONS, QualityErrorCode
from liaison.quality.models import Complaint, ReturnLine
from liaison.quality.services.common import channel_checked, complaint_locked, refusal, wrong_status
from liaison.quality.states import CAPA_OPEN, CauseCategory, ComplaintKind, ComplaintStatus
from liaison.stock.models import Product

COMPLAINT_TYPE = "CMP"  # complaints and returns share the F6 series
WHY_CHAIN_MAX = 5

Code = QualityErrorCode


# --- registration (R-5.5.1.1, R-5.5.2.1) ----------------------------------------------------

# Links the registration takes from rows the caller holds or it has just written: not looked up again.
_REGISTER_TRUSTED = ["customer", "order", "product", "complaint", "created_by", "updated_by"]


def _checked_return_lines(
    *, customer: Customer, lines: Iterable[Mapping]
) -> list[tuple[Product, Decimal]]:
    """Returned products and quantities, none more than was shipped to the customer and not yet returned."""
    checked = []
    for line in lines:
        product = line["product"]
        quantity = positive_quantity(line.get("quantity"))
        if quantity is None:
            raise refusal(Code.QUANTITY_NOT_POSITIVE, field="return_lines", product=str(product))
        checked.append((product, quantity))
    if not checked:
        raise refusal(Code.RETURN_LINES_REQUIRED, field="return_lines")
    wanted: dict[int, Decimal] = {}
    products = {}
    for product, quantity in checked:
        wanted[product.pk] = wanted.get(product.pk, Decimal(0)) + quantity
        products[product.pk] = product
    balance = selectors.returnable_for_customer(customer=customer, product_ids=wanted)
    for pk, quantity in wanted.items():
        shipped, returned = balance[pk]
        if quantity > shipped - returned:
            product = products[pk]
            raise refusal(
                Code.RETURNED_MORE_THAN_SHIPPED,
                field="return_lines",
                customer=str(customer),
                product=str(product),
                unit=product.unit,
                requested=format_quantity(quantity),
                shipped=format_quantity(shipped),
                returned=format_quantity(returned),
                available=format_quantity(max(shipped - returned, Decimal(0))),
            )
    return checked


@transaction.atomic(durable=True)
def complaint_register(
    *,
    customer: Customer,
    channel: str,
    complaint_date: dt.date,
    content: str,
    actor: User,
    order: Order | None = None,
    product: Product | None = None,
    lot: str = "",
    requested_remedy: str = "",
    kind: str = ComplaintKind.COMPLAINT,
    return_lines: Iterable[Mapping] = (),
) -> Complaint:
    """Register a complaint or a return on F6, however it arrived, and start its timers (R-1.2).

    ``return_lines`` (a return only) are dicts ``{product, quantity}``; the customer can
    send back no more of a product than was shipped to them (their outbound slips) less
    what earlier returns took back. The customer's words go on F5 and the timeline.
    """
    require(actor, ACTIONS["register"])
    content = stripped(content)
    if not content:
        raise refusal(Code.CONTENT_REQUIRED, field="content")
    channel_checked(channel)
    today = clock.today()
    if complaint_date > today:
        raise refusal(
            Code.COMPLAINT_DATE_IN_FUTURE,
            field="complaint_date",
            date=complaint_date.isoformat(),
            today=today.isoformat(),
        )
    if order is not None and order.customer_id != customer.pk:
        raise refusal(Code.ORDER_OTHER_CUSTOMER, field="order", order=order.number, customer=str(customer))
    lines = list(return_lines or ())
    if kind == ComplaintKind.RETURN:
        # One return at a time per customer, so two cannot both take back the last shipped pieces.
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        checked = _checked_return_lines(customer=customer, lines=lines)
    elif lines:
        raise refusal(Code.RETURN_LINES_ON_COMPLAINT, field="return_lines")
    else:
        checked = []
    now = clock.now()
    complaint = Complaint(
        number=number_provisional(doc_type=COMPLAINT_TYPE),
        kind=kind,
        customer=customer,
        channel=channel,
        complaint_date=complaint_date,
        content=content,
        order=order,
        product=product,
        lot=stripped(lot),
        requested_remedy=stripped(requested_remedy),
        registered_at=now,
        acknowledge_due=now + dt.timedelta(hours=procedure.setting("COMPLAINT_ACKNOWLEDGE_HOURS")),
        # Resolution is counted from the day the customer complained, not from registration.
        resolve_due=complaint_date + dt.timedelta(days=procedure.setting("COMPLAINT_RESOLVE_DAYS")),
        created_by=actor,
        updated_by=actor,
    )
    # The status is the state machine's (protected; full_clean would assign it). The links are
    # rows the caller holds, checked above; the database enforces the unique number.
    complaint.full_clean(
        exclude=["number", "status", *_REGISTER_TRUSTED], validate_unique=False, validate_constraints=False
    )
    return_lines = [
        ReturnLine(complaint=complaint, product=line_product, quantity=quantity, created_by=actor, updated_by=actor)
        for line_product, quantity in checked
    ]
    for line in return_lines:
        line.full_clean(exclude=_REGISTER_TRUSTED, validate_unique=False, validate_constraints=False)
    sign_history(complaint, actor=actor, reason="Registered")
    complaint.save()
    records_create(return_lines, actor=actor, reason="Registered", trusted=_REGISTER_TRUSTED)
    is_return = kind == ComplaintKind.RETURN
    returned = ", ".join(f"{p.code} × {format_quantity(q)}" for p, q in checked)
    summary = f"{complaint.number}: {returned + ' · ' if returned else ''}{content}"
    record = exchange_record(
        customer=customer,
        channel=channel,
        direction=Direction.FROM_CUSTOMER,
        topic=Topic.OTHER,
        summary=summary[:1000],
        actor=actor,
        about=complaint,
        event=TimelineEvent.RETURN_REGISTERED if is_return else TimelineEvent.COMPLAINT_REGISTERED,
        event_summary=summary,
    )
    # The number last: concurrent registrations wait for each other only from here to the commit.
    number_settle(
        record=complaint,
        doc_type=COMPLAINT_TYPE,
        texts=[
            (CommunicationRecord.objects.filter(pk=record.pk), "summary"),
            (CommunicationRecord.history.filter(id=record.pk), "summary"),
            # The F5 line's and the complaint's own line on the customer's timeline.
            (TimelineEntry.objects.filter(customer=customer, occurred_at__gte=now), "summary"),
        ],
    )
    return complaint


@transaction.atomic(durable=True)
def complaint_acknowledge(*, complaint: Complaint, actor: User) -> Complaint:
    """Sales acknowledges the complaint and passes it to QC (R-5.5.1.1)."""
    require(actor, ACTIONS["acknowledge"])
    complaint = complaint_locked(complaint)
    transition_apply(
        complaint,
        "acknowledge",
        params={"by": actor},
        actor=actor,
        reason="Acknowledged, passed to QC",
        fields=["acknowledged_at", "acknowledged_by"],
        refusal=lambda: wrong_status(complaint, "acknowledge"),
    )
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_ACKNOWLEDGED,
        actor=actor,
        summary=complaint.number,
        about=complaint,
    )
    return complaint


# --- investigation, result, feedback (R-5.5.1.2, R-5.5.1.3) ---------------------------------


def _return_settled(complaint: Complaint) -> None:
    """Refuse while a return has pieces neither inspected nor recorded as not coming (R-5.5.2.2)."""
    if complaint.kind != ComplaintKind.RETURN:
        return
    waiting = selectors.return_lines_not_inspected(complaint=complaint)
    if waiting:
        raise refusal(
            Code.RETURN_NOT_INSPECTED,
            conflict=True,
            number=complaint.number,
            products=", ".join(
                f"{line.product.code} {format_quantity(line.remaining)} {line.product.unit}" for line in waiting
            ),
        )


def _why_chain(value) -> list[str]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= WHY_CHAIN_MAX:
        raise refusal(Code.WHY_CHAIN_INVALID, field="why_chain")
    chain = [stripped(answer) if isinstance(answer, str) else "" for answer in value]
    if not all(chain):
        raise refusal(Code.WHY_CHAIN_INVALID, field="why_chain")
    return chain


@transaction.atomic(durable=True)
def complaint_investigate(
    *,
    complaint: Complaint,
    cause_category: str,
    why_chain: list[str],
    root_cause: str,
    containment: str,
    company_at_fault: bool,
    actor: User,
) -> Complaint:
    """QC records the cause: 6M category, 5-why chain, root cause, containment, and whether we are at fault.

    At fault, QC then issues a CAPA request (``capa.services.capa_issue``) and the result
    waits for it to close; not at fault, the result can be recorded straight away.
    """
    require(actor, ACTIONS["investigate"])
    complaint = complaint_locked(complaint)
    transition_check(complaint, "investigate", lambda: wrong_status(complaint, "investigate"))
    if cause_category not in CauseCategory.values:
        raise refusal(Code.CAUSE_REQUIRED, field="cause_category", number=complaint.number)
    chain = _why_chain(why_chain)
    root_cause = stripped(root_cause)
    if not root_cause:
        raise refusal(Code.ROOT_CAUSE_REQUIRED, field="root_cause", number=complaint.number)
    if not isinstance(company_at_fault, bool):
        raise refusal(Code.FAULT_UNDECIDED, field="company_at_fault", number=complaint.number)
    complaint.cause_category = cause_category
    complaint.why_chain = chain
    complaint.root_cause = root_cause
    complaint.containment = stripped(containment)
    complaint.company_at_fault = company_at_fault
    complaint.full_clean(exclude=["number", "status"])
    fault = "company at fault" if company_at_fault else "company not at fault"
    transition_apply(
        complaint,
        "investigate",
        params={"by": actor},
        actor=actor,
        reason=f"Investigated: {fault}",
        fields=[
            "cause_category",
            "why_chain",
            "root_cause",
            "containment",
            "company_at_fault",
            "investigated_at",
            "investigated_by",
        ],
    )
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_INVESTIGATED,
        actor=actor,
        summary=f"{complaint.number} · {complaint.get_cause_category_display()}: {root_cause}",
        about=complaint,
    )
    return complaint


@transaction.atomic(durable=True)
def complaint_record_result(*, complaint: Complaint, result: str, actor: User) -> Complaint:
    """QC records the handling result on F6 (R-5.5.1.2).

    If the company is at fault, only once a CAPA request was issued for the complaint
    and every one of them is closed; a return, only once all its goods are inspected.
    """
    require(actor, ACTIONS["record_result"])
    complaint = complaint_locked(complaint)
    transition_check(complaint, "record_result", lambda: wrong_status(complaint, "record_result"))
    result = stripped(result)
    if not result:
        raise refusal(Code.RESULT_REQUIRED, field="result", number=complaint.number)
    _return_settled(complaint)
    if complaint.company_at_fault:
        capas = list(selectors.capa_for_complaint(complaint=complaint))
        if not capas:
            raise refusal(Code.CAPA_MISSING, conflict=True, number=complaint.number)
        still_open = [capa.number for capa in capas if capa.status in CAPA_OPEN]
        if still_open:
            raise refusal(Code.CAPA_OPEN, conflict=True, number=complaint.number, capas=", ".join(still_open))
    return transition_apply(
        complaint,
        "record_result",
        params={"result": result, "by": actor},
        actor=actor,
        reason="Result recorded",
        fields=["result", "result_recorded_at", "result_recorded_by"],
    )


@transaction.atomic(durable=True)
def complaint_feed_back(*, complaint: Complaint, channel: str, summary: str, actor: User) -> Complaint:
    """QC feeds the result back to the customer (F5 line) and the complaint closes (R-5.5.1.3)."""
    require(actor, ACTIONS["feedback"])
    complaint = complaint_locked(complaint)
    transition_check(complaint, "close", lambda: wrong_status(complaint, "feed_back"))
    # Feeding back closes the complaint: not while returned pieces are neither inspected nor not coming.
    _return_settled(complaint)
    channel_checked(channel)
    summary = stripped(summary)
    if not summary:
        raise refusal(Code.FEEDBACK_SUMMARY_REQUIRED, field="summary", number=complaint.number)
    communication_record(
        customer=complaint.customer,
        channel=channel,
        direction=Direction.TO_CUSTOMER,
        topic=Topic.COMPLAINT_FEEDBACK,
        summary=f"{complaint.number}: {summary}"[:1000],
        actor=actor,
        about=complaint,
        automatic=True,
    )
    complaint.feedback_at = clock.now()
    complaint.feedback_by = actor
    complaint.feedback_summary = summary
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_RESULT_FED_BACK,
        actor=actor,
        summary=f"{complaint.number}: {summary}",
        about=complaint,
    )
    return _closed(
        complaint,
        actor=actor,
        reason="Fed back to the customer; closed",
        fields=["feedback_at", "feedback_by", "feedback_summary", "closed_at"],
    )


def _closed(
    complaint: Complaint,
    *,
    actor: User,
    reason: str,
    fields: list[str],
    refusal: Callable[[], Exception] | None = None,
) -> Complaint:
    """Close the complaint and put the closing on the customer's timeline, in the caller's transaction."""
    transition_apply(complaint, "close", actor=actor, reason=reason, fields=fields, refusal=refusal)
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_CLOSED,
        actor=actor,
        summary=complaint.number,
        about=complaint,
    )
    return complaint


@transaction.atomic(durable=True)
def complaint_close(*, complaint: Complaint, actor: User) -> Complaint:
    """Answer a close asked for on its own (API, an old link): feeding the result back closes a complaint.

    The procedure has no separate close (R-5.5.1.3: the QC head feeds the result back and
    records it on F6). A complaint closed by its feedback is answered as it is, unchanged;
    a void one is refused as void; any other is told that the feedback closes it (400).
    Nothing is written.
    """
    require(actor, ACTIONS["feedback"])
    complaint = complaint_locked(complaint)
    if complaint.status == ComplaintStatus.CLOSED:
        return complaint
    if complaint.status == ComplaintStatus.VOID:
        raise wrong_status(complaint, "close")
    raise refusal(Code.CLOSE_WITHOUT_FEEDBACK, number=complaint.number)


@transaction.atomic(durable=True)
def complaint_void(*, complaint: Complaint, reason: str, actor: User) -> Complaint:
    """Take a complaint registered in error out of use before QC investigates it; its number stays.

    Numbered records are voided, never deleted (R-5.7). Only the Sales head may void, and only a
    complaint that is registered or acknowledged: once QC has investigated, it runs to its end.
    """
    require(actor, ACTIONS["void"])
    reason = stripped(reason)
    if not reason:
        raise refusal(Code.VOID_REASON_REQUIRED, field="reason")
    complaint = complaint_locked(complaint)
    transition_apply(
        complaint,
        "void",
        params={"by": actor, "reason": reason},
        actor=actor,
        reason=f"Voided: {reason}",
        fields=["voided_at", "voided_by", "void_reason"],
        refusal=lambda: wrong_status(complaint, "void"),
    )
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_VOIDED,
        actor=actor,
        summary=f"{complaint.number}: {reason}",
        about=complaint,
    )
    return complaint
