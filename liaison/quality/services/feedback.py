"""Other customer feedback (R-5.5.3): a suggestion, praise or request Sales records and answers."""

import datetime as dt

from django.db import transaction

from liaison.communications.services import communication_record, exchange_record
from liaison.communications.states import Direction, Topic
from liaison.core import clock
from liaison.core.models import User
from liaison.core.roles import require
from liaison.core.services import sign_history
from liaison.core.text import stripped
from liaison.customers.models import Customer
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent
from liaison.quality.errors import ACTIONS, QualityErrorCode
from liaison.quality.models import Feedback
from liaison.quality.services.common import channel_checked, refusal
from liaison.quality.states import FeedbackKind

Code = QualityErrorCode


@transaction.atomic(durable=True)
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
    require(actor, ACTIONS["feedback_record"])
    if kind not in FeedbackKind.values:
        raise refusal(Code.FEEDBACK_KIND_INVALID, field="kind")
    channel_checked(channel)
    content = stripped(content)
    if not content:
        raise refusal(Code.CONTENT_REQUIRED, field="content")
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise refusal(Code.RECEIVED_IN_FUTURE, field="received_at")
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
    sign_history(feedback, actor=actor, reason="Received")
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


@transaction.atomic(durable=True)
def feedback_answer(*, feedback: Feedback, answer: str, channel: str, actor: User) -> Feedback:
    """Sales answers the customer's feedback, once; the answer goes on F5 and the timeline."""
    require(actor, ACTIONS["feedback_answer"])
    feedback = (
        Feedback.objects.select_for_update(of=("self",))
        .select_related("customer")
        .get(pk=feedback.pk)
    )
    if feedback.answered_at is not None:
        raise refusal(Code.ALREADY_ANSWERED, conflict=True, customer=str(feedback.customer))
    channel_checked(channel)
    answer = stripped(answer)
    if not answer:
        raise refusal(Code.ANSWER_REQUIRED, field="answer")
    feedback.answer = answer
    feedback.answered_at = clock.now()
    feedback.answered_by = actor
    feedback.updated_by = actor
    feedback.full_clean()
    sign_history(feedback, actor=actor, reason="Answered")
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
