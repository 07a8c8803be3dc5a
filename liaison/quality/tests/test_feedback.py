"""Other feedback — suggestions, praise, requests — handled by Sales and recorded in F5 (R-5.5.3)."""

import datetime as dt

import pytest

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import Direction, Topic
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, frozen_today, sales
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.errors import QualityErrorCode as Code
from liaison.quality.models import Feedback
from liaison.quality.services.feedback import feedback_answer, feedback_record
from liaison.quality.states import FeedbackKind

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = dt.datetime(2026, 6, 1, 6, 0, tzinfo=dt.UTC)


today = frozen_today(NOW)


def record(**overrides):
    values = {
        "kind": FeedbackKind.SUGGESTION,
        "channel": "visit",
        "content": "建議外箱加印批號條碼",
    }
    values.update(overrides)
    if "customer" not in values:
        values["customer"] = CustomerFactory()
    if "actor" not in values:
        values["actor"] = sales()
    return feedback_record(**values)


def written():
    return (
        Feedback.objects.count(),
        CommunicationRecord.objects.count(),
        TimelineEntry.objects.count(),
    )


def test_r_5_5_3_sales_records_feedback_on_f5_and_the_timeline():
    received = clock.now() - dt.timedelta(days=2)
    feedback = record(received_at=received)
    assert feedback.received_at == received
    line = CommunicationRecord.objects.get(about_id=feedback.pk, direction=Direction.FROM_CUSTOMER)
    assert (line.topic, line.channel, line.occurred_at) == (Topic.OTHER, "visit", received)
    assert "建議外箱加印批號條碼" in line.summary
    assert TimelineEntry.objects.filter(
        event=TimelineEvent.FEEDBACK_RECEIVED, customer=feedback.customer
    ).exists()


def test_r_5_5_3_sales_answers_the_feedback_once():
    feedback = record()
    actor = sales()
    feedback_answer(
        feedback=feedback, answer="下月起外箱加印條碼", channel="email", actor=actor
    )
    feedback.refresh_from_db()
    assert (feedback.answer, feedback.answered_by, feedback.answered_at) == (
        "下月起外箱加印條碼",
        actor,
        clock.now(),
    )
    line = CommunicationRecord.objects.get(about_id=feedback.pk, direction=Direction.TO_CUSTOMER)
    assert line.channel == "email"
    assert TimelineEntry.objects.filter(event=TimelineEvent.FEEDBACK_ANSWERED).count() == 1
    before = written()
    with pytest.raises(LiaisonError) as refused:
        feedback_answer(feedback=feedback, answer="再答一次", channel="email", actor=actor)
    assert refused.value.code == Code.ALREADY_ANSWERED
    assert written() == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "gossip"}, Code.FEEDBACK_KIND_INVALID),
        ({"channel": "pigeon"}, Code.CHANNEL_INVALID),
        ({"content": ""}, Code.CONTENT_REQUIRED),
        ({"received_at": NOW + dt.timedelta(hours=1)}, Code.RECEIVED_IN_FUTURE),
        ({"actor": Role.QC_INSPECTOR}, Code.NOT_ALLOWED),
    ],
)
def test_r_5_5_3_a_wrong_feedback_record_is_refused_and_nothing_changes(overrides, code):
    overrides = dict(overrides)
    role = overrides.pop("actor", Role.SALES_STAFF)
    overrides.update(customer=CustomerFactory(), actor=UserFactory(roles=[role]))
    before = written()
    with pytest.raises(LiaisonError) as refused:
        record(**overrides)
    assert refused.value.code == code
    assert written() == before


def test_r_5_5_3_an_answer_needs_words_and_a_sales_role():
    feedback = record()
    before = written()
    for actor, answer, code in [
        (sales(), " ", Code.ANSWER_REQUIRED),
        (UserFactory(roles=[Role.WORKSHOP_LEAD]), "好", Code.NOT_ALLOWED),
    ]:
        with pytest.raises(LiaisonError) as refused:
            feedback_answer(feedback=feedback, answer=answer, channel="phone", actor=actor)
        assert refused.value.code == code
    assert written() == before
    feedback.refresh_from_db()
    assert feedback.answered_at is None
