"""The contract review form, F2 (R-5.2.3.1, R-5.1.2): its rounds, the departments' sign-offs, the decision.

``review_round_open`` is a building block: registering an order and registering a
customer's change open a round inside their own transaction.
"""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Max

from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import Department, User
from liaison.core.roles import allowed, require
from liaison.core.services import records_create, sign_history, transition_apply, transition_check
from liaison.customers.models import TimelineEntry
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import ACTIONS, MESSAGES, OrderErrorCode
from liaison.orders.models import ChangeEntry, Order, ReviewRound, ReviewSignOff
from liaison.orders.services.common import SET_BY_SERVICE, change_decision_record, lock_order
from liaison.orders.states import ReviewOutcome, ReviewRoundReason

# The customer's timeline line of each outcome of a review round.
DECIDED_EVENT = {
    ReviewOutcome.ACCEPTED: TimelineEvent.REVIEW_ACCEPTED,
    ReviewOutcome.ACCEPTED_WITH_CONDITIONS: TimelineEvent.REVIEW_ACCEPTED_WITH_CONDITIONS,
    ReviewOutcome.REJECTED: TimelineEvent.REVIEW_REJECTED,
}


def review_round_open(
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


def _lock_open_round(review_round: ReviewRound) -> ReviewRound:
    """Lock an open round's row; the caller has locked its order first (see ``lock_order``)."""
    review_round = (
        ReviewRound.objects.select_for_update(of=("self",))
        .select_related("order__customer")
        .get(pk=review_round.pk)
    )
    transition_check(
        review_round,
        "decide",
        lambda: refuse(
            MESSAGES,
            OrderErrorCode.ROUND_NOT_OPEN,
            conflict=True,
            review=str(review_round),
            status=review_round.get_status_display(),
        ),
    )
    return review_round


@transaction.atomic(durable=True)
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
    require(actor, ACTIONS["sign"])
    sign_off = ReviewSignOff.objects.select_related("department", "review_round__order").get(
        pk=sign_off.pk
    )
    if not allowed(actor, ACTIONS["sign"], sign_off):
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
    lock_order(Order(pk=sign_off.review_round.order_id))
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


@transaction.atomic(durable=True)
def review_legal_check(
    *, review_round: ReviewRound, passed: bool, note: str, actor: User
) -> ReviewRound:
    """Record whether the product meets applicable laws and regulations (R-5.1.2)."""
    require(actor, ACTIONS["legal"])
    if not isinstance(passed, bool):
        raise refuse(MESSAGES, OrderErrorCode.LEGAL_CHECK_INCOMPLETE, field="passed")
    note = (note or "").strip()
    if not passed and not note:
        raise refuse(MESSAGES, OrderErrorCode.LEGAL_NOTE_REQUIRED, field="note")
    lock_order(Order(pk=review_round.order_id))
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


def _check_can_pass(
    review_round: ReviewRound, order: Order, outcome: str, conditions: str, answers: Mapping[int, str]
) -> list[ReviewSignOff]:
    """Everything R-5.1.2, R-5.2.2.2 and R-5.2.3.1 ask before a review may pass; the objecting sign-offs."""
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
    objecting = [s for s in sign_offs if not s.all_ok]
    if outcome == ReviewOutcome.ACCEPTED_WITH_CONDITIONS:
        if not conditions:
            raise refuse(MESSAGES, OrderErrorCode.CONDITIONS_REQUIRED, field="conditions")
        # Each department's "cannot meet" gets its answer: how it will be met.
        unanswered = [str(s.department) for s in objecting if not answers.get(s.pk)]
        if unanswered:
            raise refuse(
                MESSAGES,
                OrderErrorCode.OBJECTION_UNANSWERED,
                field="answers",
                review=str(review_round),
                departments=", ".join(unanswered),
            )
    elif objecting:
        raise refuse(
            MESSAGES,
            OrderErrorCode.SIGN_OFF_OBJECTION,
            review=str(review_round),
            departments=", ".join(str(s.department) for s in objecting),
        )
    return objecting


def _answers_record(objecting: list[ReviewSignOff], answers: Mapping[int, str], actor: User) -> None:
    """Write on each objecting department's line how its "cannot meet" will be met."""
    for sign_off in objecting:
        sign_off.objection_answer = answers[sign_off.pk]
        sign_history(sign_off, actor=actor, reason="Cannot meet answered in the decision")
        sign_off.save(update_fields=["objection_answer", "updated_by"])


@transaction.atomic(durable=True)
def review_decide(
    *,
    review_round: ReviewRound,
    outcome: ReviewOutcome | str,
    conditions: str,
    actor: User,
    answers: Mapping[int, str] | None = None,
) -> ReviewRound:
    """Decide a review round: accepted, accepted with conditions, or rejected (R-5.2.3.1).

    Every passing outcome waits for the open clarifications (R-5.2.2.2). Accepted with
    conditions needs the conditions, and ``answers`` (sign-off id → how it will be met) for
    every department that answered "cannot meet"; they are written on its line.

    Round 1 accepts or rejects the order. A round opened by a customer change
    (R-5.3.2) agrees or rejects that change; the order, back under review meanwhile,
    returns to accepted either way: a rejected change leaves the contract as it was.
    """
    require(actor, ACTIONS["decide"])
    if outcome not in ReviewOutcome.values:
        raise refuse(MESSAGES, OrderErrorCode.UNKNOWN_OUTCOME, field="outcome", outcome=outcome)
    conditions = (conditions or "").strip()
    if outcome == ReviewOutcome.REJECTED and not conditions:
        raise refuse(MESSAGES, OrderErrorCode.REJECTION_REASON_REQUIRED, field="conditions")
    order = lock_order(review_round.order)
    review_round = _lock_open_round(review_round)
    answers = {int(pk): (text or "").strip() for pk, text in (answers or {}).items() if str(pk).isdigit()}
    passes = outcome != ReviewOutcome.REJECTED
    objecting = _check_can_pass(review_round, order, outcome, conditions, answers) if passes else []
    change = None
    if review_round.change_id is not None:
        change = ChangeEntry.objects.select_for_update().get(pk=review_round.change_id)

    decided = f"Review {review_round}: {outcome}"
    transition_apply(
        review_round,
        "decide",
        params={"outcome": outcome, "conditions": conditions, "by": actor},
        actor=actor,
        reason=f"Decided: {outcome}",
        fields=["outcome", "conditions", "decided_at", "decided_by"],
    )
    if change is not None:
        if passes:
            # The customer asked for the change; the departments' agreement is this decision.
            transition_apply(
                change,
                "agree",
                params={"agreed_by": "", "agreed_at": review_round.decided_at, "via": "", "recorded_by": actor},
                actor=actor,
                reason=decided,
                fields=["customer_agreed_by", "customer_agreed_at", "customer_agreed_via", "agreement_recorded_by"],
            )
        else:
            transition_apply(change, "reject", actor=actor, reason=decided)
        change_decision_record(
            order=order, change=change, review_round=review_round, outcome=outcome, conditions=conditions, actor=actor
        )
    if outcome == ReviewOutcome.ACCEPTED_WITH_CONDITIONS:
        _answers_record(objecting, answers, actor)
    # A round for a change returns the order to accepted whatever its outcome.
    transition_apply(order, "accept" if passes or change is not None else "reject", actor=actor, reason=decided)
    # The outcome is the event: a label stored in the decider's language would stay in it for every reader.
    timeline_record(
        customer=order.customer,
        event=DECIDED_EVENT[outcome],
        actor=actor,
        summary=f"{review_round} — {conditions}" if conditions else str(review_round),
        about=review_round,
    )
    return review_round
