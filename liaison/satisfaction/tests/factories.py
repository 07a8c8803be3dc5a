"""Customers to survey and survey rounds, sent through the satisfaction services."""

import datetime as dt

from liaison.core import clock
from liaison.customers.tests.factories import ContactFactory, CustomerFactory
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import services
from liaison.satisfaction.models import QuestionnaireTemplate

# Scores for the default questionnaire (quality, delivery, price, service, communication).
CODES = ["quality", "delivery", "price", "service", "communication"]


def scores(*values: int) -> dict[str, int]:
    values = values or (4, 4, 4, 4, 4)
    return dict(zip(CODES, values, strict=True))


def customer_with_contact(*, email=True, **kwargs):
    customer = CustomerFactory(**kwargs)
    ContactFactory(customer=customer, is_primary=True, **({} if email else {"email": ""}))
    return customer


def default_template() -> QuestionnaireTemplate:
    return QuestionnaireTemplate.objects.get(criteria__code="quality", active=True)


def sent_round(
    *, meeting_date: dt.date, customers, actor, channel="email", send_on: dt.date | None = None,
    reason: str | None = None,
):
    """A round planned from a management review on ``meeting_date`` and sent on its day (or ``send_on``).

    Sent on another day than the planned one, outside its window (R-5.6.3), it goes with
    ``reason`` (default: a test's reason); ``reason=""`` leaves it to the service to refuse.
    """
    survey_round = services.round_plan(meeting=planned(meeting_date=meeting_date), actor=actor)
    day = send_on or survey_round.planned_send_on
    if reason is None:
        reason = "測試指定的寄出日" if survey_round.outside_window(day) else ""
    with clock.frozen(day):
        forms = services.round_send(
            survey_round=survey_round, customers=customers, channel=channel, actor=actor, reason=reason
        )
    return survey_round, forms
