"""Clarifications (R-5.2.2.2): unclear points raised with the customer, open until answered.

The question and the answer are lines of the communication record (F5) too.
"""

import datetime as dt

from django.db import transaction

from liaison.communications.services import exchange_record
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import User
from liaison.core.roles import require
from liaison.core.services import sign_history
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import ACTIONS, MESSAGES, OrderErrorCode
from liaison.orders.models import Clarification, Order
from liaison.orders.services.common import check_channel, check_not_future, lock_order, when_text
from liaison.orders.states import OrderStatus


@transaction.atomic(durable=True)
def clarification_ask(
    *, order: Order, question: str, channel: CommunicationChannel | str, actor: User
) -> Clarification:
    """Raise an unclear point with the customer; it stays open until answered."""
    require(actor, ACTIONS["ask"])
    question = (question or "").strip()
    if not question:
        raise refuse(MESSAGES, OrderErrorCode.QUESTION_REQUIRED, field="question")
    check_channel(channel)
    order = lock_order(order)
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


@transaction.atomic(durable=True)
def clarification_answer(
    *,
    clarification: Clarification,
    answer: str,
    channel: CommunicationChannel | str,
    actor: User,
    answered_at: dt.datetime | None = None,
) -> Clarification:
    """Record the customer's answer to a clarification, which closes it."""
    require(actor, ACTIONS["answer"])
    answer = (answer or "").strip()
    if not answer:
        raise refuse(MESSAGES, OrderErrorCode.ANSWER_REQUIRED, field="answer")
    check_channel(channel)
    answered_at = answered_at or clock.now()
    check_not_future(answered_at, "answered_at")
    lock_order(Order(pk=clarification.order_id))
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
            when=when_text(clarification.answered_at),
        )
    if answered_at < clarification.asked_at:
        raise refuse(
            MESSAGES,
            OrderErrorCode.ANSWERED_BEFORE_ASKED,
            field="answered_at",
            asked=when_text(clarification.asked_at),
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
