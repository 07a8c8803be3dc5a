"""Writes of the orders app: F1 order log, clarifications, F2 contract review, F3 change register.

Every function here is one step of the procedure: it checks the actor's role, locks
the rows it changes, checks everything before its first write, and writes the
record, its history, the F5 line and the customer's timeline in one transaction.
A refused step raises ``LiaisonError`` and leaves nothing behind.
"""

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Max
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from liaison.communications.models import ReceivedDocument
from liaison.communications.services import communication_record, exchange_record
from liaison.communications.states import (
    CommunicationChannel,
    Direction,
    ReceivedDocumentStatus,
    Topic,
)
from liaison.core import clock
from liaison.core.errors import refuse
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
from liaison.orders.errors import MESSAGES, OrderErrorCode
from liaison.orders.models import (
    ChangeEntry,
    Clarification,
    Order,
    OrderLine,
    ReviewRound,
    ReviewSignOff,
)
from liaison.orders.rules import is_administrator, is_signoff_department_member
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderChannel,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundReason,
    ReviewRoundStatus,
)
from liaison.stock.selectors import shipped_by_order_line

ORDER_DOC_TYPE = "ORD"
# Links the registration sets from rows it holds or has just written: full_clean need not look them up.
SET_BY_SERVICE = ["order", "customer", "product", "department", "review_round", "change", "received_document",
                  "created_by", "updated_by"]
CHANGE_DOC_TYPE = "CHG"

# The reason categories of a delay the company causes.
COMPANY_CATEGORIES = tuple(
    c for c in ChangeReasonCategory if c != ChangeReasonCategory.CUSTOMER_REQUEST
)
# A change still in progress: a second one waits until it is applied, rejected or withdrawn.
OPEN_CHANGE_STATUSES = (ChangeStatus.REGISTERED, ChangeStatus.UNDER_REVIEW, ChangeStatus.AGREED)


def _require(actor: User, perm: str, action) -> None:
    """Refuse an actor whose roles do not carry ``perm``."""
    if not allowed(actor, perm):
        raise refuse(MESSAGES, OrderErrorCode.NOT_ALLOWED, action=action, forbidden=True)


def _when(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def _day(day: dt.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _check_channel(channel: str, field: str = "channel") -> None:
    if channel not in CommunicationChannel.values:
        raise refuse(MESSAGES, OrderErrorCode.UNKNOWN_CHANNEL, field=field, channel=channel)


def _check_not_future(moment: dt.datetime, field: str) -> None:
    if moment > clock.now():
        raise refuse(MESSAGES, OrderErrorCode.OCCURRED_IN_FUTURE, field=field, when=_when(moment))


def _quantity(value, line: int) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise refuse(MESSAGES, OrderErrorCode.QUANTITY_NOT_POSITIVE, field="lines", line=line) from None
    if not quantity.is_finite() or quantity <= 0:
        raise refuse(MESSAGES, OrderErrorCode.QUANTITY_NOT_POSITIVE, field="lines", line=line)
    return quantity


def _lock_order(order: Order) -> Order:
    """Lock the order's row, and only that row (not its customer's).

    Every step locks the order first and its round, change or clarification after it,
    so two steps on one order queue up instead of deadlocking.
    """
    return Order.objects.select_for_update(of=("self",)).select_related("customer").get(pk=order.pk)


def _review_departments() -> list[Department]:
    """The departments named on the review form (R-5.2.3.1), as configured."""
    return list(Department.objects.filter(signs_contract_review=True, active=True))


def _review_round_open(
    *,
    order: Order,
    reason: ReviewRoundReason,
    actor: User,
    departments: list[Department],
    change=None,
    first: bool = False,
) -> tuple[ReviewRound, TimelineEntry]:
    """Open the next round of the contract review form, one sign-off line per department.

    ``first``: the order was saved in this transaction and has no round yet, so the round
    is number 1 and cannot clash with another (the database still enforces it).
    """
    last = 0 if first else order.review_rounds.aggregate(last=Max("number"))["last"] or 0
    review_round = ReviewRound(
        order=order,
        number=last + 1,
        reason=reason,
        change=change,
        created_by=actor,
        updated_by=actor,
    )
    if first:
        review_round.full_clean(exclude=["status", *SET_BY_SERVICE], validate_unique=False, validate_constraints=False)
    else:
        review_round.full_clean(exclude=["status"])
    sign_history(review_round, actor=actor, reason="Opened" if change is None else f"Opened for change {change.number}")
    review_round.save()
    # One line per distinct department of a round made just now: nothing to check but the input-free defaults.
    sign_offs = [
        ReviewSignOff(review_round=review_round, department=department, created_by=actor)
        for department in departments
    ]
    records_create(sign_offs, actor=actor, reason="Put on the review form", trusted=SET_BY_SERVICE)
    entry = timeline_record(
        customer=order.customer,
        event=TimelineEvent.REVIEW_OPENED,
        actor=actor,
        summary=f"{review_round}: {', '.join(d.name for d in departments)}",
        about=review_round,
    )
    return review_round, entry


# ── F1: the order log ─────────────────────────────────────────────────────────


@transaction.atomic
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
    _require(actor, "orders.add_order", _("register orders"))
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise refuse(MESSAGES, OrderErrorCode.RECEIVED_IN_FUTURE, field="received_at", now=_when(now))
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
        quantity = _quantity(line["quantity"], line_no)
        if not product.active:
            raise refuse(
                MESSAGES,
                OrderErrorCode.PRODUCT_INACTIVE, field="lines", line=line_no, product=str(product)
            )
        checked.append(
            (line_no, product, quantity, (line.get("specification") or "").strip(), required_date)
        )
    departments = _review_departments()
    if not departments:
        raise refuse(MESSAGES, OrderErrorCode.REVIEW_DEPARTMENTS_MISSING)

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
    _round, opened = _review_round_open(
        order=order, reason=ReviewRoundReason.NEW_ORDER, actor=actor, departments=departments, first=True
    )
    # The number last: concurrent registrations wait for each other only from here to the commit.
    number_settle(
        record=order,
        doc_type=ORDER_DOC_TYPE,
        texts=[(TimelineEntry.objects.filter(pk__in=[registered.pk, opened.pk]), "summary")],
    )
    return order


# ── Clarifications (R-5.2.2.2) ────────────────────────────────────────────────


@transaction.atomic
def clarification_ask(
    *, order: Order, question: str, channel: CommunicationChannel | str, actor: User
) -> Clarification:
    """Raise an unclear point with the customer; it stays open until answered."""
    _require(actor, "orders.add_clarification", _("raise clarifications"))
    question = (question or "").strip()
    if not question:
        raise refuse(MESSAGES, OrderErrorCode.QUESTION_REQUIRED, field="question")
    _check_channel(channel)
    order = _lock_order(order)
    if order.status != OrderStatus.UNDER_REVIEW:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ORDER_NOT_UNDER_REVIEW,
            conflict=True,
            order=order.number,
            status=order.get_status_display(),
        )
    clarification = Clarification(
        order=order, question=question, asked_at=clock.now(), asked_by=actor, created_by=actor
    )
    clarification.full_clean()
    sign_history(clarification, actor=actor, reason="Asked")
    clarification.save()
    exchange_record(
        customer=order.customer,
        channel=channel,
        direction=Direction.TO_CUSTOMER,
        topic=Topic.CLARIFICATION,
        summary=f"{order.number}: {question}",
        actor=actor,
        about=clarification,
        event=TimelineEvent.CLARIFICATION_ASKED,
        occurred_at=clarification.asked_at,
    )
    return clarification


@transaction.atomic
def clarification_answer(
    *,
    clarification: Clarification,
    answer: str,
    channel: CommunicationChannel | str,
    actor: User,
    answered_at: dt.datetime | None = None,
) -> Clarification:
    """Record the customer's answer to a clarification, which closes it."""
    _require(actor, "orders.change_clarification", _("record answers to clarifications"))
    answer = (answer or "").strip()
    if not answer:
        raise refuse(MESSAGES, OrderErrorCode.ANSWER_REQUIRED, field="answer")
    _check_channel(channel)
    answered_at = answered_at or clock.now()
    _check_not_future(answered_at, "answered_at")
    _lock_order(Order(pk=clarification.order_id))
    clarification = (
        Clarification.objects.select_for_update(of=("self",))
        .select_related("order__customer")
        .get(pk=clarification.pk)
    )
    if not clarification.is_open:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ALREADY_ANSWERED,
            conflict=True,
            question=clarification.question[:60],
            when=_when(clarification.answered_at),
        )
    if answered_at < clarification.asked_at:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ANSWERED_BEFORE_ASKED,
            field="answered_at",
            asked=_when(clarification.asked_at),
        )
    clarification.answer = answer
    clarification.answered_at = answered_at
    clarification.answer_recorded_by = actor
    clarification.full_clean()
    sign_history(clarification, actor=actor, reason="Answered")
    clarification.save(update_fields=["answer", "answered_at", "answer_recorded_by", "updated_by"])
    order = clarification.order
    exchange_record(
        customer=order.customer,
        channel=channel,
        direction=Direction.FROM_CUSTOMER,
        topic=Topic.CLARIFICATION,
        summary=f"{order.number}: {answer}",
        actor=actor,
        about=clarification,
        event=TimelineEvent.CLARIFICATION_ANSWERED,
        occurred_at=answered_at,
    )
    return clarification


# ── F2: the contract review ───────────────────────────────────────────────────


def _lock_open_round(review_round: ReviewRound) -> ReviewRound:
    """Lock an open round's row; the caller has locked its order first (see ``_lock_order``)."""
    review_round = (
        ReviewRound.objects.select_for_update(of=("self",))
        .select_related("order__customer")
        .get(pk=review_round.pk)
    )
    if not can_proceed(review_round.decide):
        raise refuse(
            MESSAGES,
            OrderErrorCode.ROUND_NOT_OPEN,
            conflict=True,
            review=str(review_round),
            status=review_round.get_status_display(),
        )
    return review_round


@transaction.atomic
def review_sign_off(
    *,
    sign_off: ReviewSignOff,
    capability_ok: bool,
    capacity_ok: bool,
    delivery_date_ok: bool,
    quality_ok: bool,
    opinion: str,
    actor: User,
) -> ReviewSignOff:
    """Give one department's opinion on the review form (R-5.2.3.1).

    Only a member of that department (or an administrator) signs its line. A
    department may sign again while the round is open; the history keeps the
    earlier opinion.
    """
    _require(actor, "orders.change_reviewsignoff", _("sign contract reviews"))
    sign_off = ReviewSignOff.objects.select_related("department", "review_round__order").get(
        pk=sign_off.pk
    )
    if not (is_signoff_department_member(actor, sign_off) or is_administrator(actor)):
        raise refuse(
            MESSAGES,
            OrderErrorCode.NOT_YOUR_DEPARTMENT,
            department=sign_off.department,
            review=str(sign_off.review_round),
            forbidden=True,
        )
    answers = {
        "capability_ok": capability_ok,
        "capacity_ok": capacity_ok,
        "delivery_date_ok": delivery_date_ok,
        "quality_ok": quality_ok,
    }
    for field, value in answers.items():
        if not isinstance(value, bool):
            raise refuse(MESSAGES, OrderErrorCode.SIGN_OFF_INCOMPLETE, field=field)
    opinion = (opinion or "").strip()
    if not all(answers.values()) and not opinion:
        raise refuse(
            MESSAGES,
            OrderErrorCode.OPINION_REQUIRED, field="opinion", department=sign_off.department
        )
    _lock_order(Order(pk=sign_off.review_round.order_id))
    review_round = _lock_open_round(sign_off.review_round)
    sign_off = (
        ReviewSignOff.objects.select_for_update(of=("self",))
        .select_related("department")
        .get(pk=sign_off.pk)
    )
    for field, value in answers.items():
        setattr(sign_off, field, value)
    sign_off.opinion = opinion
    sign_off.signed_at = clock.now()
    sign_off.signed_by = actor
    sign_off.full_clean()
    sign_history(sign_off, actor=actor, reason="Signed")
    sign_off.save(update_fields=[*answers, "opinion", "signed_at", "signed_by", "updated_by"])
    mark = "✓" if sign_off.all_ok else "✗"
    timeline_record(
        customer=review_round.order.customer,
        event=TimelineEvent.REVIEW_SIGNED,
        actor=actor,
        summary=f"{review_round} {sign_off.department.name} {mark} {opinion}".strip(),
        about=sign_off,
    )
    return sign_off


@transaction.atomic
def review_legal_check(
    *, review_round: ReviewRound, passed: bool, note: str, actor: User
) -> ReviewRound:
    """Record whether the product meets applicable laws and regulations (R-5.1.2)."""
    _require(actor, "orders.change_reviewround", _("record the check against laws and regulations"))
    if not isinstance(passed, bool):
        raise refuse(MESSAGES, OrderErrorCode.LEGAL_CHECK_INCOMPLETE, field="passed")
    note = (note or "").strip()
    if not passed and not note:
        raise refuse(MESSAGES, OrderErrorCode.LEGAL_NOTE_REQUIRED, field="note")
    _lock_order(Order(pk=review_round.order_id))
    review_round = _lock_open_round(review_round)
    review_round.legal_check_passed = passed
    review_round.legal_check_note = note
    review_round.full_clean(exclude=["status"])
    sign_history(
        review_round,
        actor=actor,
        reason="Laws and regulations checked" if passed else "Fails laws and regulations",
    )
    review_round.save(update_fields=["legal_check_passed", "legal_check_note", "updated_by"])
    return review_round


def _check_can_pass(review_round: ReviewRound, order: Order, outcome: str, conditions: str) -> None:
    """Everything R-5.1.2, R-5.2.2.2 and R-5.2.3.1 ask before a review may pass."""
    sign_offs = list(review_round.sign_offs.select_related("department"))
    missing = [str(s.department) for s in sign_offs if not s.is_signed]
    if missing:
        raise refuse(
            MESSAGES,
            OrderErrorCode.SIGN_OFFS_MISSING,
            review=str(review_round),
            departments=", ".join(missing),
        )
    if review_round.legal_check_passed is None:
        raise refuse(MESSAGES, OrderErrorCode.LEGAL_CHECK_MISSING, review=str(review_round))
    if review_round.legal_check_passed is False:
        raise refuse(
            MESSAGES,
            OrderErrorCode.LEGAL_CHECK_FAILED,
            review=str(review_round),
            note=review_round.legal_check_note,
        )
    open_questions = [c.question for c in order.clarifications.filter(answered_at__isnull=True)]
    if open_questions:
        raise refuse(
            MESSAGES,
            OrderErrorCode.CLARIFICATION_OPEN,
            order=order.number,
            count=len(open_questions),
            questions="; ".join(f"“{q[:60]}”" for q in open_questions),
        )
    if outcome == ReviewOutcome.ACCEPTED_WITH_CONDITIONS:
        if not conditions:
            raise refuse(MESSAGES, OrderErrorCode.CONDITIONS_REQUIRED, field="conditions")
    else:
        objecting = [str(s.department) for s in sign_offs if not s.all_ok]
        if objecting:
            raise refuse(
                MESSAGES,
                OrderErrorCode.SIGN_OFF_OBJECTION,
                review=str(review_round),
                departments=", ".join(objecting),
            )


@transaction.atomic
def review_decide(
    *, review_round: ReviewRound, outcome: ReviewOutcome | str, conditions: str, actor: User
) -> ReviewRound:
    """Decide a review round: accepted, accepted with conditions, or rejected (R-5.2.3.1).

    Round 1 accepts or rejects the order. A round opened by a customer change
    (R-5.3.2) agrees or rejects that change; the order, back under review meanwhile,
    returns to accepted either way: a rejected change leaves the contract as it was.
    """
    _require(actor, "orders.decide_reviewround", _("decide contract reviews"))
    if outcome not in ReviewOutcome.values:
        raise refuse(MESSAGES, OrderErrorCode.UNKNOWN_OUTCOME, field="outcome", outcome=outcome)
    conditions = (conditions or "").strip()
    if outcome == ReviewOutcome.REJECTED and not conditions:
        raise refuse(MESSAGES, OrderErrorCode.REJECTION_REASON_REQUIRED, field="conditions")
    order = _lock_order(review_round.order)
    review_round = _lock_open_round(review_round)
    passes = outcome != ReviewOutcome.REJECTED
    if passes:
        _check_can_pass(review_round, order, outcome, conditions)
    change = None
    if review_round.change_id is not None:
        change = ChangeEntry.objects.select_for_update().get(pk=review_round.change_id)

    review_round.decide(outcome=outcome, conditions=conditions, by=actor)
    review_round.full_clean(exclude=["status"])
    sign_history(review_round, actor=actor, reason=f"Decided: {outcome}")
    review_round.save(
        update_fields=["status", "outcome", "conditions", "decided_at", "decided_by", "updated_by"]
    )
    if change is None and passes:
        order.accept()
    elif change is None:
        order.reject()
    else:
        order.accept()
        if passes:
            # The customer asked for the change; the departments' agreement is this decision.
            change.agree(agreed_by="", agreed_at=review_round.decided_at, via="", recorded_by=actor)
        else:
            change.reject()
        sign_history(change, actor=actor, reason=f"Review {review_round}: {outcome}")
        change.save(
            update_fields=[
                "status",
                "customer_agreed_by",
                "customer_agreed_at",
                "customer_agreed_via",
                "agreement_recorded_by",
                "updated_by",
            ]
        )
    sign_history(order, actor=actor, reason=f"Review {review_round}: {outcome}")
    order.save(update_fields=["status", "updated_by"])
    summary = f"{review_round}: {ReviewOutcome(outcome).label}"
    timeline_record(
        customer=order.customer,
        event=TimelineEvent.REVIEW_DECIDED,
        actor=actor,
        summary=f"{summary} — {conditions}" if conditions else summary,
        about=review_round,
    )
    return review_round


@transaction.atomic
def order_delivery_reply(
    *,
    order: Order,
    promised_date: dt.date,
    channel: CommunicationChannel | str,
    actor: User,
    summary: str = "",
) -> Order:
    """Reply the delivery date to the customer; the reply is an F5 record (R-5.2.3.3)."""
    _require(actor, "orders.change_order", _("reply delivery dates"))
    _check_channel(channel)
    if promised_date < clock.today():
        raise refuse(
            MESSAGES,
            OrderErrorCode.PROMISED_DATE_PAST, field="promised_date", date=_day(promised_date)
        )
    order = _lock_order(order)
    if order.status != OrderStatus.ACCEPTED:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ORDER_NOT_ACCEPTED,
            conflict=True,
            order=order.number,
            status=order.get_status_display(),
        )
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


# ── F3: the contract change register ──────────────────────────────────


@transaction.atomic
def change_register(
    *,
    order: Order,
    kind: ChangeKind | str,
    reason_category: ChangeReasonCategory | str,
    reason: str,
    actor: User,
    change_details: str = "",
    new_due_date: dt.date | None = None,
) -> ChangeEntry:
    """Enter a contract change into the register (F3).

    A delay the company causes (R-5.3.1) needs a company reason category and the new
    date, then waits for the customer's agreement. A change the customer asks for
    (R-5.3.2) sends the order back to review: a new round of the review form opens.
    """
    _require(actor, "orders.add_changeentry", _("register contract changes"))
    if kind not in ChangeKind.values:
        raise refuse(MESSAGES, OrderErrorCode.UNKNOWN_CHANGE_KIND, field="kind", kind=kind)
    allowed = (
        COMPANY_CATEGORIES
        if kind == ChangeKind.COMPANY
        else (ChangeReasonCategory.CUSTOMER_REQUEST,)
    )
    if kind == ChangeKind.CUSTOMER and not reason_category:
        reason_category = ChangeReasonCategory.CUSTOMER_REQUEST
    if reason_category not in allowed:
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
            allowed=format_lazy(", ".join("{}" for _c in allowed), *(c.label for c in allowed)),
        )
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, OrderErrorCode.REASON_REQUIRED, field="reason")
    if kind == ChangeKind.COMPANY and new_due_date is None:
        raise refuse(MESSAGES, OrderErrorCode.NEW_DUE_DATE_REQUIRED, field="new_due_date")
    order = _lock_order(order)
    if order.status != OrderStatus.ACCEPTED:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ORDER_NOT_ACCEPTED,
            conflict=True,
            order=order.number,
            status=order.get_status_display(),
        )
    pending = order.changes.filter(status__in=OPEN_CHANGE_STATUSES).first()
    if pending is not None:
        raise refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_PENDING,
            conflict=True,
            order=order.number,
            change=pending.number,
            status=pending.get_status_display(),
        )
    departments = _review_departments() if kind == ChangeKind.CUSTOMER else []
    if kind == ChangeKind.CUSTOMER and not departments:
        raise refuse(MESSAGES, OrderErrorCode.REVIEW_DEPARTMENTS_MISSING)

    change = ChangeEntry(
        order=order,
        kind=kind,
        reason_category=reason_category,
        reason=reason,
        change_details=(change_details or "").strip(),
        new_due_date=new_due_date,
        created_by=actor,
    )
    change.full_clean(exclude=["number", "status"])
    change.number = number_next(doc_type=CHANGE_DOC_TYPE)
    sign_history(change, actor=actor, reason="Registered")
    change.save()
    timeline_record(
        customer=order.customer,
        event=TimelineEvent.CHANGE_REGISTERED,
        actor=actor,
        summary=f"{change.number} ({order.number}): {reason}",
        about=change,
    )
    if kind == ChangeKind.CUSTOMER:
        change.open_review()
        sign_history(change, actor=actor, reason="Under review")
        change.save(update_fields=["status", "updated_by"])
        order.reopen_review()
        sign_history(order, actor=actor, reason=f"Back under review for change {change.number}")
        order.save(update_fields=["status", "updated_by"])
        _review_round_open(
            order=order,
            reason=ReviewRoundReason.CUSTOMER_CHANGE,
            actor=actor,
            departments=departments,
            change=change,
        )
    return change


@transaction.atomic
def change_record_agreement(
    *,
    change: ChangeEntry,
    agreed_by: str,
    agreed_at: dt.datetime,
    via: CommunicationChannel | str,
    actor: User,
) -> ChangeEntry:
    """Record that the customer agreed to a delay: who, when and how (R-5.3.1)."""
    _require(actor, "orders.change_changeentry", _("record the customer's agreement to a change"))
    agreed_by = (agreed_by or "").strip()
    if not agreed_by:
        raise refuse(MESSAGES, OrderErrorCode.AGREED_BY_REQUIRED, field="agreed_by")
    _check_channel(via, field="via")
    _check_not_future(agreed_at, "agreed_at")
    order = _lock_order(change.order)
    change = ChangeEntry.objects.select_for_update().get(pk=change.pk)
    if change.kind == ChangeKind.CUSTOMER:
        raise refuse(MESSAGES, OrderErrorCode.CHANGE_AGREED_BY_REVIEW, conflict=True, change=change.number)
    if not can_proceed(change.agree):
        raise refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_NOT_OPEN,
            conflict=True,
            change=change.number,
            status=change.get_status_display(),
        )
    change.agree(agreed_by=agreed_by, agreed_at=agreed_at, via=via, recorded_by=actor)
    change.full_clean(exclude=["status"])
    sign_history(change, actor=actor, reason="Customer agreed")
    change.save(
        update_fields=[
            "status",
            "customer_agreed_by",
            "customer_agreed_at",
            "customer_agreed_via",
            "agreement_recorded_by",
            "updated_by",
        ]
    )
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


@transaction.atomic
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
    _require(actor, "orders.change_changeentry", _("withdraw contract changes"))
    reason = (reason or "").strip()
    if not reason:
        raise refuse(MESSAGES, OrderErrorCode.WITHDRAWAL_REASON_REQUIRED, field="reason")
    if refused_via:
        _check_channel(refused_via, field="refused_via")
        refused_at = refused_at or clock.now()
        _check_not_future(refused_at, "refused_at")
    order = _lock_order(change.order)
    change = ChangeEntry.objects.select_for_update(of=("self",)).get(pk=change.pk)
    if not can_proceed(change.withdraw):
        raise refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_NOT_WITHDRAWABLE,
            conflict=True,
            change=change.number,
            status=change.get_status_display(),
        )
    open_round = None
    if change.status == ChangeStatus.UNDER_REVIEW:
        open_round = (
            ReviewRound.objects.select_for_update(of=("self",))
            .filter(order=order, change=change, status=ReviewRoundStatus.OPEN)
            .first()
        )
    change.withdraw(by=actor, reason=reason)
    sign_history(change, actor=actor, reason=f"Withdrawn: {reason}")
    change.save(
        update_fields=["status", "withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_by"]
    )
    if open_round is not None:
        open_round.withdraw()
        sign_history(open_round, actor=actor, reason=f"Withdrawn with change {change.number}")
        open_round.save(update_fields=["status", "updated_by"])
    if open_round is not None and order.status == OrderStatus.UNDER_REVIEW:
        order.accept()
        sign_history(order, actor=actor, reason=f"Change {change.number} withdrawn")
        order.save(update_fields=["status", "updated_by"])
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
        quantity = _quantity(value, line.line_no)
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


@transaction.atomic
def change_apply(
    *,
    change: ChangeEntry,
    actor: User,
    due_date: dt.date | None = None,
    line_quantities: Mapping | None = None,
) -> list:
    """Carry out an agreed change: new quantities, and a successor for each current notice.

    ``line_quantities`` maps order lines (or their ids) to their new quantity; the
    order line keeps the old one in its history. Each production notice of the order
    still to be made is voided and replaced by its successor (R-5.3.1, R-5.3.2), whose
    lines follow the new quantities; the due date is ``due_date`` or the change's new
    delivery date.
    """
    from liaison.production.services import notice_supersede, notice_void
    from liaison.production.states import NOTICE_OPEN

    _require(actor, "orders.change_changeentry", _("apply contract changes"))
    _require(actor, "production.issue_productionnotice", _("issue production notices"))
    order = _lock_order(change.order)
    change = ChangeEntry.objects.select_for_update().get(pk=change.pk)
    if not can_proceed(change.apply):
        raise refuse(
            MESSAGES,
            OrderErrorCode.CHANGE_NOT_AGREED,
            conflict=True,
            change=change.number,
            status=change.get_status_display(),
        )
    wanted = _new_line_quantities(order, line_quantities)
    deltas = {}
    for line, quantity in wanted.items():
        if quantity != line.quantity:
            deltas[line.pk] = quantity - line.quantity
            line.quantity = quantity
            line.full_clean()
            sign_history(line, actor=actor, reason=f"Quantity changed by {change.number}")
            line.save(update_fields=["quantity", "updated_by"])

    successors = []
    # The lines are read for each notice below; one query for all of them.
    notices = order.production_notices.filter(
        status__in=NOTICE_OPEN
    ).prefetch_related("lines")
    reason = f"{change.number}: {change.reason}"
    for notice in notices.order_by("issued_at", "pk"):
        quantities = _notice_line_quantities(notice, deltas)
        if _nothing_left(notice, quantities):
            # The change leaves nothing of this notice to make: void it, with no successor.
            notice_void(notice=notice, reason=reason, actor=actor)
            continue
        successors.append(
            notice_supersede(
                notice=notice,
                reason=reason,
                actor=actor,
                due_date=due_date or change.new_due_date,
                line_quantities=quantities,
                change=change,
            )
        )
    change.apply()
    applied = ", ".join(n.number for n in successors)
    sign_history(change, actor=actor, reason=f"Applied: {applied}" if applied else "Applied")
    change.save(update_fields=["status", "updated_by"])
    timeline_record(
        customer=order.customer,
        event=TimelineEvent.CHANGE_APPLIED,
        actor=actor,
        summary=f"{change.number} ({order.number})" + (f" → {applied}" if applied else ""),
        about=change,
    )
    return successors


def _notice_line_quantities(notice, deltas: Mapping[int, Decimal]) -> dict[int, Decimal] | None:
    """New quantities of a notice's lines, keyed by order line id, shifted like their order lines.

    A line whose order line grew by 50 makes 50 more; one that shrank below what is
    left to make goes to 0, which drops it from the successor.
    """
    if not deltas:
        return None
    quantities = {}
    for notice_line in notice.lines.all():
        delta = deltas.get(notice_line.order_line_id)
        if delta:
            quantities[notice_line.order_line_id] = max(notice_line.quantity + delta, Decimal(0))
    return quantities or None


def _nothing_left(notice, quantities: Mapping[int, Decimal] | None) -> bool:
    if quantities is None:
        return False
    return all(not quantities.get(line.order_line_id, line.quantity) for line in notice.lines.all())
