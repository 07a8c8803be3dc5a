"""A management review with something in every section of its pack: the data the pack tests share.

The survey section is the satisfaction app's real analysis of real forms (R-5.6.4, R-5.6.7):
the previous review's round (one form, all 4s) and this review's round, sent to four
customers, three of whom answered by e-mail (figures worked out by hand in ``SURVEY``).
"""

import datetime as dt
from dataclasses import dataclass

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, manager, qc_head, sales, sales_head, workshop_lead
from liaison.customers.models import Customer
from liaison.customers.tests.factories import ContactFactory, CustomerFactory
from liaison.production import services as production_services
from liaison.production.tests.factories import notice
from liaison.quality.tests.factories import capa, investigated
from liaison.reviews import services
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import services as survey_services
from liaison.satisfaction.services import round_plan
from liaison.satisfaction.tests.factories import scores

CUSTOMER_NAME = "杭州天成汽車零部件有限公司"
SHORT_NAMES = {CUSTOMER_NAME: "天成汽配"}
# This review's survey: customer → scores (quality, delivery, price, service, communication); None: not returned.
SURVEY = {
    CUSTOMER_NAME: (2, 3, 3, 3, 3),  # a 2 under the threshold of 3: dissatisfied, index 2.7
    "深圳市华南精密电子有限公司": (5, 5, 4, 4, 5),  # index 4.7
    "蘇州恒達機械有限公司": (4, 4, 4, 4, 4),  # index 4.0
    "寧波永興模具有限公司": None,  # sent, not returned: the response rate is 3/4
}


@dataclass
class ReviewData:
    meeting: ReviewMeeting
    previous: ReviewMeeting


def _notice(workshop, *, due: dt.date, completed: dt.date | None = None):
    with clock.frozen(dt.date(2026, 9, 1)):
        record = notice(workshop=workshop, due_date=due)
    if completed is not None:
        with clock.frozen(completed):
            production_services.notice_complete(notice=record, actor=workshop_lead(workshop))
    return record


def review_data(*, hold: bool = False) -> ReviewData:
    """The 2026-12-15 review (held today when ``hold``), the 2026-06-15 one before it, and the period's records."""
    chair = manager()
    head, qc = sales_head(), qc_head()
    previous = planned(meeting_date=dt.date(2026, 6, 15), chair=chair, title="2026年上半年管理評審")
    _survey(previous, {"深圳市华南精密电子有限公司": (4, 4, 4, 4, 4)})  # the trend's earlier round: index 4.0
    with clock.frozen(previous.meeting_date):
        services.meeting_hold(
            meeting=previous,
            minutes="評審了顧客滿意度與客訴處理。",
            actions=[
                {"description": "提高一車間準時交貨率至95%", "owner": head, "due_date": dt.date(2026, 9, 30)},
                {"description": "客訴處理時間縮短至10天", "owner": qc, "due_date": dt.date(2026, 8, 31)},
            ],
            actor=chair,
        )
    services.action_complete(action=previous.actions.get(owner=qc), outcome="平均結案時間已降至9天", actor=qc)
    meeting_date = dt.date(2026, 11, 27) if hold else dt.date(2026, 12, 15)
    meeting = planned(meeting_date=meeting_date, chair=chair, participants=[chair, head, qc])
    forms = _survey(meeting, SURVEY)
    if hold:
        services.meeting_hold(
            meeting=meeting,
            minutes="顧客滿意度整體良好；交貨準時率仍需改善。決議如下。",
            actions=[{"description": "二車間增加一條裝配線", "owner": head, "due_date": dt.date(2027, 3, 31)}],
            actor=chair,
        )

    stamping = WorkshopFactory(name="一車間（沖壓）")
    assembly = WorkshopFactory(name="二車間（裝配）")
    _notice(stamping, due=dt.date(2026, 10, 10), completed=dt.date(2026, 10, 8))
    _notice(stamping, due=dt.date(2026, 10, 10), completed=dt.date(2026, 10, 13))
    _notice(stamping, due=dt.date(2026, 11, 1), completed=dt.date(2026, 11, 6))
    _notice(assembly, due=dt.date(2026, 11, 10), completed=dt.date(2026, 11, 10))
    _notice(assembly, due=dt.date(2026, 11, 20))

    customer = _customer(CUSTOMER_NAME)
    with clock.frozen(dt.date(2026, 9, 10)):
        at_fault = investigated(at_fault=True, customer=customer)
        capa(source=at_fault)  # due 2026-10-10: overdue today
    with clock.frozen(dt.date(2026, 11, 2)):
        investigated(at_fault=False, customer=customer, content="包裝破損")
        capa(source=investigated(at_fault=True, customer=customer, content="尺寸超差"), closed=True)
    with clock.frozen(dt.date(2026, 11, 20)):  # QC raises the dissatisfied customer's CAPA
        survey_services.dissatisfaction_raise(
            form=forms[CUSTOMER_NAME], department=stamping, problem="顧客對產品質量不滿意（2分）",
            effectiveness_criterion="下一輪調查產品質量不低於4分", due_date=dt.date(2027, 1, 31), actor=qc,
        )
    return ReviewData(meeting=meeting, previous=previous)


def _customer(name: str) -> Customer:
    customer = Customer.objects.filter(registered_name=name).first()
    if customer is None:
        customer = CustomerFactory(registered_name=name, short_name=SHORT_NAMES.get(name, name[:4]))
        ContactFactory(customer=customer, is_primary=True)
    return customer


def _survey(meeting: ReviewMeeting, answers: dict) -> dict:
    """The meeting's survey round, sent by e-mail on its planned day; each customer answers a week later."""
    survey_round = round_plan(meeting=meeting, actor=sales())
    customers = [_customer(name) for name in answers]
    with clock.frozen(survey_round.planned_send_on):
        forms = survey_services.round_send(survey_round=survey_round, customers=customers, channel="email",
                                           actor=sales())
    by_name = {form.customer.registered_name: form for form in forms}
    with clock.frozen(survey_round.planned_send_on + dt.timedelta(days=7)):
        for name, values in answers.items():
            if values is not None:
                survey_services.form_answer_online(token=by_name[name].answer_token, scores=scores(*values))
    return by_name
