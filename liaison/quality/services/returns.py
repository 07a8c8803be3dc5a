"""Returned goods (R-5.5.2.2, R-5.5.2.3): QC's inspection, the disposition of nonconforming goods, the replacement.

Good goods go back into qualified stock; nonconforming ones go to a nonconformance
record with its own series (``NCR-2026-0001``); what the customer gets again goes out
on a 補貨 slip from stock, and what stock cannot cover on a 補貨 production notice.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from liaison.core import clock
from liaison.core.models import Department, User
from liaison.core.quantities import format_quantity, quantity_or_none
from liaison.core.roles import require
from liaison.core.services import number_next, sign_history
from liaison.core.text import stripped
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.production.services import notice_issue
from liaison.quality import selectors
from liaison.quality.errors import ACTIONS, QualityErrorCode
from liaison.quality.models import Complaint, NonconformanceRecord, ReturnInspection, ReturnLine
from liaison.quality.services.common import complaint_locked, refusal, wrong_status
from liaison.quality.states import COMPLAINT_INSPECTABLE, ComplaintKind, ComplaintStatus, Disposition
from liaison.stock.models import OutboundSlip, Product
from liaison.stock.selectors import stock_for_products
from liaison.stock.services import slip_issue, stock_move_record
from liaison.stock.states import MoveDirection, MoveReason

NCR_TYPE = "NCR"

Code = QualityErrorCode


def _line_locked(return_line: ReturnLine) -> tuple[Complaint, ReturnLine]:
    """The return's row and the line's, locked in that order (the complaint first, as every step does)."""
    complaint = complaint_locked(return_line.complaint)
    line = (
        ReturnLine.objects.select_for_update(of=("self",))
        .select_related("product")
        .get(pk=return_line.pk)
    )
    return complaint, line


def _nothing_left(complaint: Complaint, line: ReturnLine):
    return refusal(
        Code.NOTHING_LEFT_TO_INSPECT,
        conflict=True,
        number=complaint.number,
        product=str(line.product),
        arrived=format_quantity(line.arrived),
        not_coming=format_quantity(line.not_coming),
        returned=format_quantity(line.quantity),
        unit=line.product.unit,
    )


@transaction.atomic(durable=True)
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
    """QC inspects the goods of one line that arrived now: good back into stock, nonconforming to an NCR.

    A line is inspected in as many partial inspections as the goods arrive (60 today, 40
    tomorrow): each is kept (``ReturnInspection``) with its own stock move and NCR, and
    the line keeps their totals. ``good + nonconforming`` must equal ``arrived``; the
    inspections never add up to more than was returned, less what is recorded as not
    coming. ``replacement_needed`` is what the customer gets again for these goods
    (``return_replace``); the line's total never exceeds what was returned.
    """
    require(actor, ACTIONS["inspect"])
    complaint, line = _line_locked(return_line)
    product = line.product
    if complaint.status not in COMPLAINT_INSPECTABLE:
        raise wrong_status(complaint, "inspect")
    if line.settled:
        raise _nothing_left(complaint, line)
    arrived, good, nonconforming, replacement = (
        quantity_or_none(value) for value in (arrived, good, nonconforming, replacement_needed or 0)
    )
    if any(value is None or value < 0 for value in (arrived, good, nonconforming, replacement)):
        raise refusal(Code.INSPECTION_QUANTITY_NEGATIVE, field="arrived", product=str(product))
    unit = product.unit
    if arrived == 0:
        raise refusal(Code.INSPECTION_NOTHING_ARRIVED, field="arrived", product=str(product))
    if arrived > line.remaining:
        raise refusal(
            Code.ARRIVED_MORE_THAN_RETURNED,
            field="arrived",
            arrived=format_quantity(arrived),
            returned=format_quantity(line.quantity),
            inspected=format_quantity(line.arrived),
            not_coming=format_quantity(line.not_coming),
            remaining=format_quantity(line.remaining),
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
        raise refusal(Code.INSPECTED_MORE_THAN_ARRIVED, field="good", **amounts)
    if good + nonconforming < arrived:
        raise refusal(Code.INSPECTION_INCOMPLETE, field="good", **amounts)
    if line.replacement_needed + replacement > line.quantity:
        raise refusal(
            Code.REPLACEMENT_MORE_THAN_RETURNED,
            field="replacement_needed",
            replacement=format_quantity(line.replacement_needed + replacement),
            returned=format_quantity(line.quantity),
            unit=unit,
            product=str(product),
        )
    if replacement > 0 and selectors.replacement_arranged(complaint=complaint, mark=complaint.replacement_mark):
        # A return is replaced once (return_replace): what this inspection adds would never be replaced.
        raise refusal(
            Code.REPLACEMENT_ARRANGED_BEFORE,
            field="replacement_needed",
            number=complaint.number,
            replacement=format_quantity(replacement),
            unit=unit,
            product=str(product),
        )
    nonconformity = stripped(nonconformity)
    if nonconforming > 0 and not nonconformity:
        raise refusal(
            Code.NONCONFORMITY_REQUIRED,
            field="nonconformity",
            quantity=format_quantity(nonconforming),
            unit=unit,
            product=str(product),
        )
    if good > 0 and not product.active:
        raise refusal(Code.PRODUCT_INACTIVE, field="good", product=str(product))
    now = clock.now()
    line.arrived += arrived
    line.good += good
    line.nonconforming += nonconforming
    line.replacement_needed += replacement
    line.inspected_at = now
    line.inspected_by = actor
    line.updated_by = actor
    line.full_clean()
    part = f"{format_quantity(arrived)} {unit} of {format_quantity(line.quantity)} {unit}"
    sign_history(line, actor=actor, reason=f"Inspected {part}")
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
        sign_history(record, actor=actor, reason=f"Nonconforming goods of {complaint.number}")
        record.save()
    inspection = ReturnInspection(
        return_line=line,
        arrived=arrived,
        good=good,
        nonconforming=nonconforming,
        replacement_needed=replacement,
        nonconformance=record,
        inspected_at=now,
        inspected_by=actor,
        created_by=actor,
        updated_by=actor,
    )
    inspection.full_clean(exclude=["return_line", "nonconformance", "inspected_by"])
    sign_history(inspection, actor=actor, reason=f"Inspected {part}")
    inspection.save()
    summary = (
        f"{complaint.number} · {product.code}: {format_quantity(arrived)} {unit} arrived, "
        f"{format_quantity(good)} good, {format_quantity(nonconforming)} nonconforming"
        + (f" ({record.number})" if record else "")
        + (f"; {format_quantity(line.remaining)} {unit} still to inspect" if line.remaining > 0 else "")
    )
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.RETURN_INSPECTED,
        actor=actor,
        summary=summary,
        about=complaint,
    )
    return line


@transaction.atomic(durable=True)
def return_rest_not_coming(*, return_line: ReturnLine, reason: str, actor: User) -> ReturnLine:
    """Record that the rest of a return line will not arrive (the customer kept it, it was lost …): who and why.

    Only what is still to inspect, all of it, and only while QC may still inspect; the
    line is then settled, so the return can get its result and close (R-5.5.2.2).
    """
    require(actor, ACTIONS["not_coming"])
    complaint, line = _line_locked(return_line)
    product = line.product
    if complaint.status not in COMPLAINT_INSPECTABLE:
        raise wrong_status(complaint, "inspect")
    if line.settled:
        raise _nothing_left(complaint, line)
    reason = stripped(reason)
    rest = line.remaining
    if not reason:
        raise refusal(
            Code.NOT_COMING_REASON_REQUIRED,
            field="reason",
            product=str(product),
            remaining=format_quantity(rest),
            unit=product.unit,
        )
    line.not_coming = rest
    line.not_coming_reason = reason
    line.not_coming_at = clock.now()
    line.not_coming_by = actor
    line.updated_by = actor
    line.full_clean()
    sign_history(line, actor=actor, reason=f"Rest not coming: {reason}")
    line.save(update_fields=["not_coming", "not_coming_reason", "not_coming_at", "not_coming_by", "updated_by"])
    timeline_record(
        customer=complaint.customer,
        event=TimelineEvent.RETURN_REST_NOT_COMING,
        actor=actor,
        summary=f"{complaint.number} · {product.code}: {format_quantity(rest)} {product.unit} not coming: {reason}",
        about=complaint,
    )
    return line


@transaction.atomic(durable=True)
def nonconformance_dispose(
    *,
    record: NonconformanceRecord,
    disposition: str,
    note: str,
    actor: User,
    concession_authorised_by: str = "",
) -> NonconformanceRecord:
    """QC decides what happens to nonconforming product: rework, scrap, concession (with who authorised it) …"""
    require(actor, ACTIONS["dispose"])
    record = NonconformanceRecord.objects.select_for_update().get(pk=record.pk)
    if record.disposition:
        raise refusal(
            Code.ALREADY_DISPOSED,
            conflict=True,
            number=record.number,
            disposition=record.get_disposition_display(),
        )
    if disposition not in Disposition.values:
        raise refusal(Code.DISPOSITION_INVALID, field="disposition", number=record.number)
    authorised_by = stripped(concession_authorised_by)
    if disposition == Disposition.CONCESSION and not authorised_by:
        raise refusal(
            Code.CONCESSION_NOT_AUTHORISED, field="concession_authorised_by", number=record.number
        )
    record.disposition = disposition
    record.disposition_note = stripped(note)
    record.concession_authorised_by = authorised_by if disposition == Disposition.CONCESSION else ""
    record.disposed_at = clock.now()
    record.disposed_by = actor
    record.updated_by = actor
    record.full_clean()
    sign_history(record, actor=actor, reason=f"Disposition: {disposition}")
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


@transaction.atomic(durable=True)
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
    require(actor, ACTIONS["replace_by_notice"])
    require(actor, ACTIONS["replace_by_slip"])
    complaint = complaint_locked(complaint)
    if complaint.kind != ComplaintKind.RETURN:
        raise refusal(Code.NOT_A_RETURN, number=complaint.number)
    if complaint.status == ComplaintStatus.VOID:
        raise wrong_status(complaint, "replace")
    mark = complaint.replacement_mark
    if selectors.replacement_arranged(complaint=complaint, mark=mark):
        raise refusal(Code.ALREADY_REPLACED, conflict=True, number=complaint.number)
    needed: dict[int, Decimal] = {}
    products: dict[int, Product] = {}
    for line in selectors.return_lines_to_replace(complaint=complaint):
        needed[line.product_id] = needed.get(line.product_id, Decimal(0)) + line.replacement_needed
        products[line.product_id] = line.product
    if not needed:
        raise refusal(Code.NOTHING_TO_REPLACE, conflict=True, number=complaint.number)
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
            raise refusal(
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
