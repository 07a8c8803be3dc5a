"""Meetings, customers and survey rounds for the satisfaction tests; writes go through the services."""

import datetime as dt

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.core.tests.factories import DepartmentFactory, UserFactory
from liaison.customers.tests.factories import ContactFactory, CustomerFactory
from liaison.reviews.models import ReviewMeeting
from liaison.satisfaction import services
from liaison.satisfaction.models import QuestionnaireTemplate

_meetings = iter(range(1, 10_000))

# Scores for the default questionnaire (quality, delivery, price, service, communication).
CODES = ["quality", "delivery", "price", "service", "communication"]


def scores(*values: int) -> dict[str, int]:
    values = values or (4, 4, 4, 4, 4)
    return dict(zip(CODES, values, strict=True))


def sales(**kwargs):
    kwargs.setdefault("last_name", "陳")
    kwargs.setdefault("first_name", "曉燕")
    return UserFactory(roles=[Role.SALES_STAFF], **kwargs)


def qc(**kwargs):
    kwargs.setdefault("last_name", "李")
    kwargs.setdefault("first_name", "建國")
    return UserFactory(roles=[Role.QC_HEAD], **kwargs)


def workshop():
    return DepartmentFactory(code="workshop-1", name="一車間", kind=DepartmentKind.WORKSHOP)


def meeting(meeting_date: dt.date, **kwargs) -> ReviewMeeting:
    """A planned management review (the model only: the management services are another app's)."""
    number = kwargs.pop("number", f"MR-{meeting_date.year}-{next(_meetings):04d}")
    chair = kwargs.pop("chair", None) or UserFactory(roles=[Role.MANAGEMENT])
    return ReviewMeeting.objects.create(
        number=number, title=kwargs.pop("title", f"{meeting_date.year}年管理評審"), meeting_date=meeting_date,
        chair=chair, **kwargs,
    )


def customer_with_contact(*, email=True, **kwargs):
    customer = CustomerFactory(**kwargs)
    ContactFactory(customer=customer, is_primary=True, **({} if email else {"email": ""}))
    return customer


def default_template() -> QuestionnaireTemplate:
    return QuestionnaireTemplate.objects.get(criteria__code="quality", active=True)


def sent_round(*, meeting_date: dt.date, customers, actor, channel="email", send_on: dt.date | None = None):
    survey_round = services.round_plan(meeting=meeting(meeting_date), actor=actor)
    with clock.frozen(send_on or survey_round.planned_send_on):
        forms = services.round_send(survey_round=survey_round, customers=customers, channel=channel, actor=actor)
    return survey_round, forms
