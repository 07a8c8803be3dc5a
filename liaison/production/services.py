"""Writes of the production app: issuing, progressing, voiding and superseding notices (F4).

``notice_issue``, ``notice_void`` and ``notice_supersede`` are building blocks too (a change
applied to an order, a replacement arranged for a return call them inside their own
transaction); the workshop's ``notice_start`` and ``notice_complete`` are steps of their own.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import transaction

from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import Department, User, linked_model
from liaison.core.quantities import format_quantity, positive_quantity, quantity_or_none
from liaison.core.roles import allowed, require
from liaison.core.services import number_next, sign_history, transition_apply
from liaison.core.states import DepartmentKind
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.production.errors import ACTIONS, MESSAGES, ProductionErrorCode
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.selectors import order_line_coverage
from liaison.production.states import NoticeStatus
from liaison.stock.services import stock_move_record
from liaison.stock.states import MoveDirection, MoveReason

NOTICE_TYPE = "PN"

Code = ProductionErrorCode


def _locked(notice: ProductionNotice, *related: str) -> ProductionNotice:
    """The notice's row, locked; only its own row (PostgreSQL cannot lock an outer join's side)."""
    return ProductionNotice.objects.select_for_update(of=("self",)).select_related(*related).get(pk=notice.pk)


def _refuse_closed(notice: ProductionNotice) -> None:
    """Refuse to change a notice that is void or completed."""
    if notice.status == NoticeStatus.VOID:
        raise refuse(MESSAGES, Code.NOTICE_ALREADY_VOID, conflict=True, number=notice.number)
    if notice.status == NoticeStatus.COMPLETED:
        raise refuse(MESSAGES, Code.NOTICE_COMPLETED, conflict=True, number=notice.number)


def _summary(notice: ProductionNotice) -> str:
    mark = " · 補貨" if notice.replenishment else ""
    return f"{notice.number} · {notice.workshop} · {notice.due_date:%Y-%m-%d}{mark}"


def _checked_lines(*, lines: Iterable[Mapping], order) -> list[NoticeLine]:
    """Unsaved notice lines, each checked against the order it is made for."""
    checked = []
    for line in lines:
        product = line["product"]
        order_line = line.get("order_line")
        quantity = positive_quantity(line.get("quantity"))
        if quantity is None:
            raise refuse(MESSAGES, Code.QUANTITY_NOT_POSITIVE, field="lines", product=str(product))
        if not product.active:
            raise refuse(MESSAGES, Code.PRODUCT_INACTIVE, field="lines", product=str(product))
        if order_line is not None:
            if order is None or order_line.order_id != order.pk:
                raise refuse(
                    MESSAGES,
                    Code.ORDER_LINE_OTHER_ORDER,
                    field="lines",
                    line=str(order_line),
                    order=order.number if order else "—",
                )
            if order_line.product_id != product.pk:
                raise refuse(
                    MESSAGES,
                    Code.LINE_PRODUCT_MISMATCH,
                    field="lines",
                    line=str(order_line),
                    ordered=str(order_line.product),
                    product=str(product),
                )
        specification = (line.get("specification") or "").strip()
        if not specification and order_line is not None:
            specification = order_line.specification
        checked.append(
            NoticeLine(product=product, order_line=order_line, quantity=quantity, specification=specification)
        )
    if not checked:
        raise refuse(MESSAGES, Code.NO_LINES, field="lines")
    return checked


def _orders():
    """The orders notices are issued for (``ProductionNotice.order``)."""
    return linked_model(ProductionNotice, "order")


def _locked_order(order, *, replenishment: bool):
    """The order locked; refused unless it takes deliveries (a replenishment: also once completed)."""
    order = _orders().objects.select_for_update(of=("self",)).get(pk=order.pk)
    if not order.takes_deliveries(replacement=replenishment):
        raise refuse(
            MESSAGES,
            Code.ORDER_NOT_ACCEPTED,
            field="order",
            order=order.number,
            status=order.get_status_display(),
        )
    return order


def _create(
    *,
    order,
    workshop: Department,
    due_date: dt.date,
    lines: list[NoticeLine],
    actor: User,
    replenishment: bool,
    instructions: str,
    change,
    reason: str,
) -> ProductionNotice:
    """Number and save a notice whose input has been checked; add it to the customer's timeline."""
    notice = ProductionNotice(
        order=order,
        workshop=workshop,
        due_date=due_date,
        replenishment=replenishment,
        instructions=(instructions or "").strip(),
        change=change,
        issued_at=clock.now(),
        issued_by=actor,
        created_by=actor,
        updated_by=actor,
    )
    # The status is the state machine's (protected; full_clean would assign it).
    notice.full_clean(exclude=["number", "status"])
    notice.number = number_next(doc_type=NOTICE_TYPE)
    sign_history(notice, actor=actor, reason=reason)
    notice.save()
    for line in lines:
        line.notice = notice
        line.created_by = line.updated_by = actor
        line.full_clean()
        sign_history(line, actor=actor, reason=reason)
        line.save()
    if order is not None:
        timeline_record(
            customer=order.customer,
            event=TimelineEvent.NOTICE_ISSUED,
            actor=actor,
            summary=_summary(notice),
            about=notice,
        )
    return notice


def _check_workshop(workshop: Department) -> None:
    if workshop.kind != DepartmentKind.WORKSHOP or not workshop.active:
        raise refuse(MESSAGES, Code.NOT_A_WORKSHOP, field="workshop", department=str(workshop))


def _check_change(change, order) -> None:
    if change is not None and (order is None or change.order_id != order.pk):
        raise refuse(
            MESSAGES,
            Code.CHANGE_OTHER_ORDER,
            field="change",
            change=change.number,
            change_order=change.order.number,
            order=order.number if order else "—",
        )


def _refuse_beyond_order(order, lines: list[NoticeLine], *, replacing: ProductionNotice | None = None) -> None:
    """Refuse to put an order line on notices beyond what is still to deliver (R-5.2.3.3, R-5.3.2).

    Left to put on a notice (``selectors.order_line_coverage``): ordered − shipped on
    regular slips − made on the order's completed notices and still in stock − on its other
    open notices (not counting ``replacing``, the notice a successor replaces).
    Replenishment (補貨) slips and notices replace goods; they do not count.
    """
    wanted: dict[int, Decimal] = {}
    by_id = {}
    for line in lines:
        if line.order_line is not None:
            wanted[line.order_line.pk] = wanted.get(line.order_line.pk, Decimal(0)) + line.quantity
            by_id[line.order_line.pk] = line.order_line
    if not wanted:
        return
    coverage = order_line_coverage(
        order=order, order_lines=by_id.values(), exclude_notices=[replacing.pk] if replacing else []
    )
    for pk, quantity in wanted.items():
        covered = coverage[pk]
        if quantity > covered.left:
            raise refuse(
                MESSAGES,
                Code.BEYOND_ORDER,
                field="lines",
                line=str(by_id[pk]),
                ordered=format_quantity(covered.ordered),
                shipped=format_quantity(covered.shipped),
                in_stock=format_quantity(covered.in_stock),
                on_notices=format_quantity(covered.on_notices),
                left=format_quantity(covered.left),
                requested=format_quantity(quantity),
            )


@transaction.atomic
def notice_issue(
    *,
    order,
    workshop: Department,
    due_date: dt.date,
    lines: Iterable[Mapping],
    actor: User,
    replenishment: bool = False,
    instructions: str = "",
    change=None,
) -> ProductionNotice:
    """Issue a production notice (F4) to a workshop for what stock cannot cover (R-5.2.3.3).

    ``lines`` are dicts ``{product, quantity, order_line=None, specification=""}``; a
    line's specification defaults to its order line's. The order must be accepted; a
    replenishment (補貨, R-5.5.2.3) notice may have no order, or one already completed.
    Everything is checked before the number is taken.
    """
    require(actor, ACTIONS["issue"])
    _check_workshop(workshop)
    if due_date is None:
        raise refuse(MESSAGES, Code.DUE_DATE_REQUIRED, field="due_date")
    today = clock.today()
    if due_date < today:
        raise refuse(
            MESSAGES,
            Code.DUE_DATE_IN_PAST,
            field="due_date",
            due_date=due_date.isoformat(),
            today=today.isoformat(),
        )
    if order is None:
        if not replenishment:
            raise refuse(MESSAGES, Code.ORDER_REQUIRED, field="order")
    else:
        order = _locked_order(order, replenishment=replenishment)
    _check_change(change, order)
    checked = _checked_lines(lines=lines, order=order)
    if order is not None and not replenishment:
        _refuse_beyond_order(order, checked)
    reason = f"Issued for change {change.number}" if change else "Issued"
    return _create(
        order=order,
        workshop=workshop,
        due_date=due_date,
        lines=checked,
        actor=actor,
        replenishment=replenishment,
        instructions=instructions,
        change=change,
        reason=reason,
    )


def _locked_for_progress(notice: ProductionNotice, actor: User) -> ProductionNotice:
    require(actor, ACTIONS["progress"])
    notice = _locked(notice, "workshop", "order__customer")
    if not allowed(actor, ACTIONS["progress"], notice):
        raise refuse(
            MESSAGES,
            Code.NOT_YOUR_WORKSHOP, number=notice.number, workshop=str(notice.workshop), forbidden=True
        )
    return notice


@transaction.atomic(durable=True)
def notice_start(*, notice: ProductionNotice, note: str, actor: User) -> ProductionNotice:
    """The workshop starts production of a notice, with a progress note (R-3.2)."""
    notice = _locked_for_progress(notice, actor)
    _refuse_closed(notice)
    return transition_apply(
        notice,
        "start",
        params={"note": (note or "").strip()[:300]},
        actor=actor,
        reason="Production started",
        fields=["progress_note"],
        refusal=lambda: refuse(MESSAGES, Code.NOTICE_ALREADY_STARTED, conflict=True, number=notice.number),
    )


@transaction.atomic(durable=True)
def notice_complete(*, notice: ProductionNotice, actor: User) -> ProductionNotice:
    """The workshop has made everything on the notice (R-3.2); lateness is fixed from now on.

    The finished goods go into qualified stock in the same transaction, one stock move
    in (reason "production", the notice's number as document) per line. So what the
    notice covered stays covered, now by stock, and the order page does not offer a
    second notice for it; the goods leave stock on an outbound slip (F8).
    """
    notice = _locked_for_progress(notice, actor)
    _refuse_closed(notice)
    for line in notice.lines.select_related("product").order_by("pk"):
        stock_move_record(
            product=line.product,
            direction=MoveDirection.IN,
            quantity=line.quantity,
            reason=MoveReason.PRODUCTION,
            actor=actor,
            document_ref=notice.number,
            note=notice.order.number if notice.order is not None else "",
        )
    transition_apply(
        notice, "complete", params={"by": actor}, actor=actor, reason="Completed",
        fields=["completed_at", "completed_by"],
    )
    if notice.order is not None:
        late = notice.days_late()
        timeline_record(
            customer=notice.order.customer,
            event=TimelineEvent.NOTICE_COMPLETED,
            actor=actor,
            summary=_summary(notice) + (f" · +{late}d" if late else ""),
            about=notice,
        )
    return notice


@transaction.atomic
def notice_void(
    *, notice: ProductionNotice, reason: str, actor: User, successor: ProductionNotice | None = None
) -> ProductionNotice:
    """Void a notice: it keeps its number, lines and history, marked void with who, when and why.

    ``successor`` is the notice that replaces it (R-5.3.1, R-5.3.2): another current
    notice of the same order.
    """
    require(actor, ACTIONS["void"])
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, Code.VOID_REASON_REQUIRED, field="reason")
    notice = _locked(notice, "order__customer")
    _refuse_closed(notice)
    if successor is not None and (
        successor.pk == notice.pk
        or successor.order_id != notice.order_id
        or successor.status == NoticeStatus.VOID
    ):
        raise refuse(
            MESSAGES,
            Code.SUCCESSOR_INVALID, field="successor", successor=successor.number, number=notice.number
        )
    replaced = f" by {successor.number}" if successor else ""
    transition_apply(
        notice,
        "void",
        params={"by": actor, "reason": reason[:300], "successor": successor},
        actor=actor,
        reason=f"Voided{replaced}: {reason}",
        fields=["voided_at", "voided_by", "void_reason", "superseded_by"],
    )
    if notice.order is not None:
        timeline_record(
            customer=notice.order.customer,
            event=TimelineEvent.NOTICE_VOIDED,
            actor=actor,
            summary=f"{notice.number}{' → ' + successor.number if successor else ''}: {reason}",
            about=notice,
        )
    return notice


@transaction.atomic
def notice_supersede(
    *,
    notice: ProductionNotice,
    reason: str,
    actor: User,
    due_date: dt.date | None = None,
    line_quantities: Mapping[int, Decimal] | None = None,
    change=None,
) -> ProductionNotice:
    """Replace a notice after a change: issue its successor, void it pointing to the successor.

    The successor goes to the same order and workshop with the same 補貨 mark and the
    same lines, except: ``due_date`` if given (else the original's, even if already
    past), and ``line_quantities``, which maps **order line ids** to the new quantity
    of that line (0 drops the line). ``change`` is the F3 entry it is issued for.
    """
    require(actor, ACTIONS["issue"])
    require(actor, ACTIONS["void"])
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, Code.VOID_REASON_REQUIRED, field="reason")
    # The order before the notice, as change_apply does, so the two cannot deadlock.
    order_id = ProductionNotice.objects.values_list("order_id", flat=True).get(pk=notice.pk)
    if order_id is not None:
        list(_orders().objects.select_for_update(of=("self",)).filter(pk=order_id).values_list("pk"))
    notice = _locked(notice, "workshop", "order")
    _refuse_closed(notice)
    order = notice.order
    if order is not None:
        order = _locked_order(order, replenishment=notice.replenishment)
    _check_change(change, order)
    if due_date is not None and due_date != notice.due_date:
        today = clock.today()
        if due_date < today:
            raise refuse(
                MESSAGES,
                Code.DUE_DATE_IN_PAST,
                field="due_date",
                due_date=due_date.isoformat(),
                today=today.isoformat(),
            )
    quantities = {int(key): value for key, value in (line_quantities or {}).items()}
    old_lines = list(notice.lines.select_related("product", "order_line"))
    on_notice = {line.order_line_id for line in old_lines if line.order_line_id is not None}
    for key in quantities:
        if key not in on_notice:
            raise refuse(MESSAGES, Code.LINE_NOT_ON_NOTICE, field="line_quantities", number=notice.number, line=key)
    new_lines = []
    for line in old_lines:
        quantity = quantities.get(line.order_line_id, line.quantity)
        if quantity_or_none(quantity) == 0:
            continue  # the change leaves nothing of this line to make
        new_lines.append(
            {
                "product": line.product,
                "order_line": line.order_line,
                "quantity": quantity,
                "specification": line.specification,
            }
        )
    checked = _checked_lines(lines=new_lines, order=order)
    if order is not None and not notice.replenishment:
        # A line that grew makes more than its original did: no more than is left to make.
        before = {line.order_line_id: line.quantity for line in old_lines}
        grown = [line for line in checked if line.order_line is not None and line.quantity > before[line.order_line.pk]]
        _refuse_beyond_order(order, grown, replacing=notice)
    _check_workshop(notice.workshop)
    successor = _create(
        order=order,
        workshop=notice.workshop,
        due_date=due_date or notice.due_date,
        lines=checked,
        actor=actor,
        replenishment=notice.replenishment,
        instructions=notice.instructions,
        change=change,
        reason=f"Issued to replace {notice.number}",
    )
    notice_void(notice=notice, reason=reason, actor=actor, successor=successor)
    return successor

