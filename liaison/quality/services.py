"""Writes of the quality app: complaints and returns (F6), inspections, nonconformance, other feedback.

A complaint and a return are one F6 record, numbered in one series (``CMP-2026-0001``):
the register of complaints is one register, whatever the customer sends back.
Nonconformance records have their own series (``NCR-2026-0001``). The CAPA services
(F7) live in ``capa.py``.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django_fsm import can_proceed

from liaison.communications.models import CommunicationRecord
from liaison.communications.services import communication_record, exchange_record
from liaison.communications.states import Direction, Topic
from liaison.core import clock, procedure
from liaison.core.errors import LiaisonError, refuse
from liaison.core.models import Department, User
from liaison.core.quantities import format_quantity
from liaison.core.roles import allowed
from liaison.core.services import (
    number_next,
    number_provisional,
    number_settle,
    records_create,
    sign_history,
)
from liaison.customers.models import Customer, TimelineEntry
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.orders.models import Order
from liaison.production.services import notice_issue
from liaison.quality import selectors
from liaison.quality.errors import ACTIONS, MESSAGES, STEPS, QualityErrorCode
from liaison.quality.models import Complaint, Feedback, NonconformanceRecord, ReturnLine
from liaison.quality.states import (
    COMPLAINT_INSPECTABLE,
    CapaStatus,
    CauseCategory,
    ComplaintChannel,
    ComplaintKind,
    ComplaintStatus,
    Disposition,
    FeedbackKind,
)
from liaison.stock.models import OutboundSlip, Product
from liaison.stock.selectors import stock_for_products
from liaison.stock.services import slip_issue, stock_move_record
from liaison.stock.states import MoveDirection, MoveReason

COMPLAINT_TYPE = "CMP"  # complaints and returns share the F6 series
NCR_TYPE = "NCR"
WHY_CHAIN_MAX = 5

Code = QualityErrorCode


def _refuse(code: QualityErrorCode, **kwargs) -> LiaisonError:
    return refuse(MESSAGES, code, **kwargs)


def _sign_history(record, actor: User | None, reason: str) -> None:
    sign_history(record, actor=actor, reason=reason)


def _require(actor: User | None, perm: str, action: str) -> None:
    if not allowed(actor, perm):
        raise _refuse(Code.NOT_ALLOWED, forbidden=True, action=ACTIONS[action])


def _locked(complaint: Complaint) -> Complaint:
    """The complaint's row, locked (only its own row: PostgreSQL cannot lock an outer join's side)."""
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "order", "product")
        .get(pk=complaint.pk)
    )


def _check_step(complaint: Complaint, transition, step: str) -> None:
    if not can_proceed(transition):
        raise _refuse(
            Code.WRONG_STATUS,
            conflict=True,
            number=complaint.number,
            status=ComplaintStatus(complaint.status).label.lower(),
            action=STEPS[step],
        )


def _text(value) -> str:
    return (value or "").strip()


def _decimal(value) -> Decimal | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def _channel(value: str, field: str = "channel") -> str:
    if value not in ComplaintChannel.values:
        raise _refuse(Code.CHANNEL_INVALID, field=field)
    return value


def _done(complaint: Complaint, actor: User, reason: str, fields: list[str]) -> None:
    complaint.updated_by = actor
    _sign_history(complaint, actor, reason)
    complaint.save(update_fields=[*fields, "updated_by"])


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
        quantity = _decimal(line.get("quantity"))
        if quantity is None or quantity <= 0:
            raise _refuse(Code.QUANTITY_NOT_POSITIVE, field="return_lines", product=str(product))
        checked.append((product, quantity))
    if not checked:
        raise _refuse(Code.RETURN_LINES_REQUIRED, field="return_lines")
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
            raise _refuse(
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


@transaction.atomic
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
    _require(actor, "quality.add_complaint", "register")
    content = _text(content)
    if not content:
        raise _refuse(Code.CONTENT_REQUIRED, field="content")
    _channel(channel)
    today = clock.today()
    if complaint_date > today:
        raise _refuse(
            Code.COMPLAINT_DATE_IN_FUTURE,
            field="complaint_date",
            date=complaint_date.isoformat(),
            today=today.isoformat(),
        )
    if order is not None and order.customer_id != customer.pk:
        raise _refuse(
            Code.ORDER_OTHER_CUSTOMER, field="order", order=order.number, customer=str(customer)
        )
    lines = list(return_lines or ())
    if kind == ComplaintKind.RETURN:
        # One return at a time per customer, so two cannot both take back the last shipped pieces.
        customer = Customer.objects.select_for_update().get(pk=customer.pk)
        checked = _checked_return_lines(customer=customer, lines=lines)
    elif lines:
        raise _refuse(Code.RETURN_LINES_ON_COMPLAINT, field="return_lines")
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
        lot=_text(lot),
        requested_remedy=_text(requested_remedy),
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
    _sign_history(complaint, actor, "Registered")
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


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor: User) -> Complaint:
    """Sales acknowledges the complaint and passes it to QC (R-5.5.1.1)."""
    _require(actor, "quality.acknowledge_complaint", "acknowledge")
    complaint = _locked(complaint)
    _check_step(complaint, complaint.acknowledge, "acknowledge")
    complaint.acknowledge(by=actor)
    _done(
        complaint,
        actor,
        "Acknowledged, passed to QC",
        ["status", "acknowledged_at", "acknowledged_by"],
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


def _why_chain(value) -> list[str]:
    if not isinstance(value, list | tuple) or not 1 <= len(value) <= WHY_CHAIN_MAX:
        raise _refuse(Code.WHY_CHAIN_INVALID, field="why_chain")
    chain = [_text(answer) if isinstance(answer, str) else "" for answer in value]
    if not all(chain):
        raise _refuse(Code.WHY_CHAIN_INVALID, field="why_chain")
    return chain


@transaction.atomic
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

    At fault, QC then issues a CAPA request (``capa.capa_issue``) and the result waits
    for it to close; not at fault, the result can be recorded straight away.
    """
    _require(actor, "quality.investigate_complaint", "investigate")
    complaint = _locked(complaint)
    _check_step(complaint, complaint.investigate, "investigate")
    if cause_category not in CauseCategory.values:
        raise _refuse(Code.CAUSE_REQUIRED, field="cause_category", number=complaint.number)
    chain = _why_chain(why_chain)
    root_cause = _text(root_cause)
    if not root_cause:
        raise _refuse(Code.ROOT_CAUSE_REQUIRED, field="root_cause", number=complaint.number)
    if not isinstance(company_at_fault, bool):
        raise _refuse(Code.FAULT_UNDECIDED, field="company_at_fault", number=complaint.number)
    complaint.cause_category = cause_category
    complaint.why_chain = chain
    complaint.root_cause = root_cause
    complaint.containment = _text(containment)
    complaint.company_at_fault = company_at_fault
    complaint.investigate(by=actor)
    complaint.full_clean(exclude=["number", "status"])
    fault = "company at fault" if company_at_fault else "company not at fault"
    _done(
        complaint,
        actor,
        f"Investigated: {fault}",
        [
            "status",
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


@transaction.atomic
def complaint_record_result(*, complaint: Complaint, result: str, actor: User) -> Complaint:
    """QC records the handling result on F6 (R-5.5.1.2).

    If the company is at fault, only once a CAPA request was issued for the complaint
    and every one of them is closed; a return, only once all its goods are inspected.
    """
    _require(actor, "quality.investigate_complaint", "investigate")
    complaint = _locked(complaint)
    _check_step(complaint, complaint.record_result, "record_result")
    result = _text(result)
    if not result:
        raise _refuse(Code.RESULT_REQUIRED, field="result", number=complaint.number)
    if complaint.kind == ComplaintKind.RETURN:
        waiting = selectors.return_lines_not_inspected(complaint=complaint)
        if waiting:
            raise _refuse(
                Code.RETURN_NOT_INSPECTED,
                conflict=True,
                number=complaint.number,
                products=", ".join(line.product.code for line in waiting),
            )
    if complaint.company_at_fault:
        capas = list(selectors.capa_for_complaint(complaint=complaint))
        if not capas:
            raise _refuse(Code.CAPA_MISSING, conflict=True, number=complaint.number)
        still_open = [capa.number for capa in capas if capa.status != CapaStatus.CLOSED]
        if still_open:
            raise _refuse(
                Code.CAPA_OPEN, conflict=True, number=complaint.number, capas=", ".join(still_open)
            )
    complaint.record_result(result=result, by=actor)
    _done(
        complaint,
        actor,
        "Result recorded",
        ["status", "result", "result_recorded_at", "result_recorded_by"],
    )
    return complaint


@transaction.atomic
def complaint_feed_back(
    *, complaint: Complaint, channel: str, summary: str, actor: User
) -> Complaint:
    """QC feeds the result back to the customer (F5 line) and the complaint closes (R-5.5.1.3)."""
    _require(actor, "quality.feedback_complaint", "feedback")
    complaint = _locked(complaint)
    _check_step(complaint, complaint.close, "feed_back")
    _channel(channel)
    summary = _text(summary)
    if not summary:
        raise _refuse(Code.FEEDBACK_SUMMARY_REQUIRED, field="summary", number=complaint.number)
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
    complaint.close()
    _done(
        complaint,
        actor,
        "Fed back to the customer; closed",
        ["status", "feedback_at", "feedback_by", "feedback_summary", "closed_at"],
    )
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_CLOSED,
        actor=actor,
        summary=complaint.number,
        about=complaint,
    )
    return complaint


@transaction.atomic
def complaint_close(*, complaint: Complaint, actor: User) -> Complaint:
    """Close a complaint whose result has been fed back; without feedback it stays open (R-5.5.1.3).

    Feeding back closes the complaint already, so this only ever refuses in practice;
    it exists so a close asked for directly (API, back office) meets the same rule.
    """
    _require(actor, "quality.feedback_complaint", "feedback")
    complaint = _locked(complaint)
    if complaint.feedback_at is None and complaint.status != ComplaintStatus.VOID:
        raise _refuse(Code.CLOSE_WITHOUT_FEEDBACK, conflict=True, number=complaint.number)
    _check_step(complaint, complaint.close, "close")
    complaint.close()
    _done(complaint, actor, "Closed", ["status", "closed_at"])
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_CLOSED,
        actor=actor,
        summary=complaint.number,
        about=complaint,
    )
    return complaint


@transaction.atomic
def complaint_void(*, complaint: Complaint, reason: str, actor: User) -> Complaint:
    """Take a complaint registered in error out of use before QC investigates it; its number stays.

    Numbered records are voided, never deleted (R-5.7). Only the Sales head may void, and only a
    complaint that is registered or acknowledged: once QC has investigated, it runs to its end.
    """
    _require(actor, "quality.void_complaint", "void")
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(Code.VOID_REASON_REQUIRED, field="reason")
    complaint = _locked(complaint)
    _check_step(complaint, complaint.void, "void")
    complaint.void(by=actor, reason=reason)
    _done(complaint, actor, f"Voided: {reason}", ["status", "voided_at", "voided_by", "void_reason"])
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.COMPLAINT_VOIDED,
        actor=actor,
        summary=f"{complaint.number}: {reason}",
        about=complaint,
    )
    return complaint


# --- returned goods (R-5.5.2.2, R-5.5.2.3) --------------------------------------------------



@transaction.atomic
def return_inspect(
    *,
    return_line: ReturnLine,
    arrived,
    good,
    nonconforming,
    actor: User,
    replacement_needed=0,
    nonconformity: str = "",
) -> ReturnLine:
    """QC inspects all returned goods of one line: good back into stock, nonconforming to an NCR.

    ``good + nonconforming`` must equal ``arrived``, and no more can arrive than was
    returned. ``replacement_needed`` is what the customer gets again (``return_replace``).
    """
    _require(actor, "quality.change_returnline", "inspect")
    complaint = _locked(return_line.complaint)
    line = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=return_line.pk)
    )
    product = line.product
    if complaint.status not in COMPLAINT_INSPECTABLE:
        raise _refuse(
            Code.WRONG_STATUS,
            conflict=True,
            number=complaint.number,
            status=ComplaintStatus(complaint.status).label.lower(),
            action=STEPS["inspect"],
        )
    if line.inspected_at is not None:
        raise _refuse(
            Code.LINE_ALREADY_INSPECTED,
            conflict=True,
            number=complaint.number,
            product=str(product),
        )
    arrived, good, nonconforming, replacement = (
        _decimal(value) for value in (arrived, good, nonconforming, replacement_needed or 0)
    )
    if any(value is None or value < 0 for value in (arrived, good, nonconforming, replacement)):
        raise _refuse(Code.INSPECTION_QUANTITY_NEGATIVE, field="arrived", product=str(product))
    unit = product.unit
    if arrived > line.quantity:
        raise _refuse(
            Code.ARRIVED_MORE_THAN_RETURNED,
            field="arrived",
            arrived=format_quantity(arrived),
            returned=format_quantity(line.quantity),
            unit=unit,
            product=str(product),
        )
    amounts = {
        "good": format_quantity(good),
        "nonconforming": format_quantity(nonconforming),
        "inspected": format_quantity(good + nonconforming),
        "arrived": format_quantity(arrived),
        "unit": unit,
        "product": str(product),
    }
    if good + nonconforming > arrived:
        raise _refuse(Code.INSPECTED_MORE_THAN_ARRIVED, field="good", **amounts)
    if good + nonconforming < arrived:
        raise _refuse(Code.INSPECTION_INCOMPLETE, field="good", **amounts)
    if replacement > line.quantity:
        raise _refuse(
            Code.REPLACEMENT_MORE_THAN_RETURNED,
            field="replacement_needed",
            replacement=format_quantity(replacement),
            returned=format_quantity(line.quantity),
            unit=unit,
            product=str(product),
        )
    nonconformity = _text(nonconformity)
    if nonconforming > 0 and not nonconformity:
        raise _refuse(
            Code.NONCONFORMITY_REQUIRED,
            field="nonconformity",
            quantity=format_quantity(nonconforming),
            unit=unit,
            product=str(product),
        )
    if good > 0 and not product.active:
        raise _refuse(Code.PRODUCT_INACTIVE, field="good", product=str(product))
    line.arrived, line.good, line.nonconforming = arrived, good, nonconforming
    line.replacement_needed = replacement
    line.inspected_at = clock.now()
    line.inspected_by = actor
    line.updated_by = actor
    line.full_clean()
    _sign_history(line, actor, "Inspected")
    line.save(
        update_fields=[
            "arrived",
            "good",
            "nonconforming",
            "replacement_needed",
            "inspected_at",
            "inspected_by",
            "updated_by",
        ]
    )
    if good > 0:
        stock_move_record(
            product=product,
            direction=MoveDirection.IN,
            quantity=good,
            reason=MoveReason.RETURN_GOOD,
            actor=actor,
            document_ref=complaint.number,
        )
    record = None
    if nonconforming > 0:
        record = NonconformanceRecord(
            return_line=line,
            product=product,
            quantity=nonconforming,
            description=nonconformity,
            created_by=actor,
            updated_by=actor,
        )
        record.full_clean(exclude=["number"])
        record.number = number_next(doc_type=NCR_TYPE)
        _sign_history(record, actor, f"Nonconforming goods of {complaint.number}")
        record.save()
    summary = (
        f"{complaint.number} · {product.code}: {format_quantity(arrived)} {unit} arrived, "
        f"{format_quantity(good)} good, {format_quantity(nonconforming)} nonconforming"
        + (f" ({record.number})" if record else "")
    )
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.RETURN_INSPECTED,
        actor=actor,
        summary=summary,
        about=complaint,
    )
    return line


@transaction.atomic
def nonconformance_dispose(
    *,
    record: NonconformanceRecord,
    disposition: str,
    note: str,
    actor: User,
    concession_authorised_by: str = "",
) -> NonconformanceRecord:
    """QC decides what happens to nonconforming product: rework, scrap, concession (with who authorised it) …"""
    _require(actor, "quality.dispose_nonconformancerecord", "dispose")
    record = NonconformanceRecord.objects.select_for_update().get(pk=record.pk)
    if record.disposition:
        raise _refuse(
            Code.ALREADY_DISPOSED,
            conflict=True,
            number=record.number,
            disposition=record.get_disposition_display(),
        )
    if disposition not in Disposition.values:
        raise _refuse(Code.DISPOSITION_INVALID, field="disposition", number=record.number)
    authorised_by = _text(concession_authorised_by)
    if disposition == Disposition.CONCESSION and not authorised_by:
        raise _refuse(
            Code.CONCESSION_NOT_AUTHORISED, field="concession_authorised_by", number=record.number
        )
    record.disposition = disposition
    record.disposition_note = _text(note)
    record.concession_authorised_by = authorised_by if disposition == Disposition.CONCESSION else ""
    record.disposed_at = clock.now()
    record.disposed_by = actor
    record.updated_by = actor
    record.full_clean()
    _sign_history(record, actor, f"Disposition: {disposition}")
    record.save(
        update_fields=[
            "disposition",
            "disposition_note",
            "concession_authorised_by",
            "disposed_at",
            "disposed_by",
            "updated_by",
        ]
    )
    return record


@transaction.atomic
def return_replace(
    *,
    complaint: Complaint,
    actor: User,
    workshop: Department | None = None,
    due_date: dt.date | None = None,
) -> tuple[OutboundSlip | None, object | None]:
    """Replace returned goods (R-5.5.2.3): ship what stock covers on a 補貨 slip, produce the rest.

    For every inspected line's ``replacement_needed``: qualified stock goes out on one
    replenishment (補貨) outbound slip; the shortfall goes on one 補貨 production notice
    to ``workshop`` by ``due_date`` (needed only when stock is short). Returns
    ``(slip or None, notice or None)``. A return is replaced once.
    """
    _require(actor, "production.issue_productionnotice", "replace")
    _require(actor, "stock.add_outboundslip", "replace")
    complaint = _locked(complaint)
    if complaint.kind != ComplaintKind.RETURN:
        raise _refuse(Code.NOT_A_RETURN, number=complaint.number)
    if complaint.status == ComplaintStatus.VOID:
        raise _refuse(
            Code.WRONG_STATUS,
            conflict=True,
            number=complaint.number,
            status=ComplaintStatus(complaint.status).label.lower(),
            action=STEPS["replace"],
        )
    mark = complaint.replacement_mark
    if selectors.replacement_arranged(complaint=complaint, mark=mark):
        raise _refuse(Code.ALREADY_REPLACED, conflict=True, number=complaint.number)
    needed: dict[int, Decimal] = {}
    products: dict[int, Product] = {}
    for line in selectors.return_lines_to_replace(complaint=complaint):
        needed[line.product_id] = needed.get(line.product_id, Decimal(0)) + line.replacement_needed
        products[line.product_id] = line.product
    if not needed:
        raise _refuse(Code.NOTHING_TO_REPLACE, conflict=True, number=complaint.number)
    stock = stock_for_products(product_ids=needed)
    from_stock, to_make = [], []
    for pk, quantity in needed.items():
        shipped = min(max(stock[pk], Decimal(0)), quantity)
        if shipped > 0:
            from_stock.append({"product": products[pk], "quantity": shipped})
        if quantity - shipped > 0:
            to_make.append({"product": products[pk], "quantity": quantity - shipped})
    notice = None
    if to_make:
        if workshop is None or due_date is None:
            short = ", ".join(
                f"{line['product'].code} × {format_quantity(line['quantity'])}" for line in to_make
            )
            raise _refuse(
                Code.WORKSHOP_REQUIRED, field="workshop", number=complaint.number, short=short
            )
        notice = notice_issue(
            order=complaint.order,
            workshop=workshop,
            due_date=due_date,
            lines=to_make,
            actor=actor,
            replenishment=True,
            instructions=mark,
        )
        if complaint.order is None:
            # notice_issue puts a notice on the timeline of its order's customer; this one has no order.
            timeline_record(
                customer=complaint.customer,
                event=TimelineEvent.NOTICE_ISSUED,
                actor=actor,
                summary=f"{notice.number} · {notice.workshop} · {notice.due_date:%Y-%m-%d} · {mark}",
                about=notice,
            )
    slip = None
    if from_stock:
        slip = slip_issue(
            customer=complaint.customer,
            lines=from_stock,
            actor=actor,
            order=complaint.order,
            replenishment=True,
            note=mark,
        )
    return slip, notice


# --- other feedback (R-5.5.3) ---------------------------------------------------------------


@transaction.atomic
def feedback_record(
    *,
    customer: Customer,
    kind: str,
    channel: str,
    content: str,
    actor: User,
    received_at: dt.datetime | None = None,
) -> Feedback:
    """Sales records a suggestion, praise or request from a customer, on F5 and the timeline."""
    _require(actor, "quality.add_feedback", "feedback_record")
    if kind not in FeedbackKind.values:
        raise _refuse(Code.FEEDBACK_KIND_INVALID, field="kind")
    _channel(channel)
    content = _text(content)
    if not content:
        raise _refuse(Code.CONTENT_REQUIRED, field="content")
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise _refuse(Code.RECEIVED_IN_FUTURE, field="received_at")
    feedback = Feedback(
        customer=customer,
        kind=kind,
        channel=channel,
        received_at=received_at,
        content=content,
        created_by=actor,
        updated_by=actor,
    )
    feedback.full_clean()
    _sign_history(feedback, actor, "Received")
    feedback.save()
    summary = f"{feedback.get_kind_display()}: {content}"
    communication_record(
        customer=customer,
        channel=channel,
        direction=Direction.FROM_CUSTOMER,
        topic=Topic.OTHER,
        summary=summary[:1000],
        actor=actor,
        about=feedback,
        occurred_at=received_at,
        automatic=True,
    )
    timeline_record(
        customer=customer,
        event=TimelineEvent.FEEDBACK_RECEIVED,
        actor=actor,
        summary=summary,
        about=feedback,
    )
    return feedback


@transaction.atomic
def feedback_answer(*, feedback: Feedback, answer: str, channel: str, actor: User) -> Feedback:
    """Sales answers the customer's feedback, once; the answer goes on F5 and the timeline."""
    _require(actor, "quality.change_feedback", "feedback_answer")
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=feedback.pk)
    )
    if feedback.answered_at is not None:
        raise _refuse(Code.ALREADY_ANSWERED, conflict=True, customer=str(feedback.customer))
    _channel(channel)
    answer = _text(answer)
    if not answer:
        raise _refuse(Code.ANSWER_REQUIRED, field="answer")
    feedback.answer = answer
    feedback.answered_at = clock.now()
    feedback.answered_by = actor
    feedback.updated_by = actor
    feedback.full_clean()
    _sign_history(feedback, actor, "Answered")
    feedback.save(update_fields=["answer", "answered_at", "answered_by", "updated_by"])
    exchange_record(
        customer=feedback.customer,
        channel=channel,
        direction=Direction.TO_CUSTOMER,
        topic=Topic.OTHER,
        summary=answer[:1000],
        actor=actor,
        about=feedback,
        event=TimelineEvent.FEEDBACK_ANSWERED,
        event_summary=answer,
    )
    return feedback
