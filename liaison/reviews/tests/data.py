"""A management review with something in every section of its pack: the data the pack tests share."""

import datetime as dt
from dataclasses import dataclass

from liaison.core import clock
from liaison.core.tests.factories import WorkshopFactory, manager, qc_head, sales, sales_head, workshop_lead
from liaison.customers.models import Customer
from liaison.customers.tests.factories import CustomerFactory
from liaison.production import services as production_services
from liaison.production.tests.factories import notice
from liaison.quality.tests.factories import capa, investigated
from liaison.reviews import services
from liaison.reviews.models import ReviewMeeting
from liaison.reviews.tests.factories import held, planned
from liaison.satisfaction.services import round_plan

CUSTOMER_NAME = "杭州天成汽車零部件有限公司"


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
    previous = held(
        meeting_date=dt.date(2026, 6, 15),
        chair=chair,
        title="2026年上半年管理評審",
        actions=[
            {"description": "提高一車間準時交貨率至95%", "owner": head, "due_date": dt.date(2026, 9, 30)},
            {"description": "客訴處理時間縮短至10天", "owner": qc, "due_date": dt.date(2026, 8, 31)},
        ],
    )
    services.action_complete(action=previous.actions.get(owner=qc), outcome="平均結案時間已降至9天", actor=qc)
    meeting_date = dt.date(2026, 11, 27) if hold else dt.date(2026, 12, 15)
    meeting = planned(meeting_date=meeting_date, chair=chair, participants=[chair, head, qc])
    round_plan(meeting=meeting, actor=sales())
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

    customer = Customer.objects.filter(registered_name=CUSTOMER_NAME).first() or CustomerFactory(
        registered_name=CUSTOMER_NAME, short_name="天成汽配"
    )
    with clock.frozen(dt.date(2026, 9, 10)):
        at_fault = investigated(at_fault=True, customer=customer)
        capa(source=at_fault)  # due 2026-10-10: overdue today
    with clock.frozen(dt.date(2026, 11, 2)):
        investigated(at_fault=False, customer=customer, content="包裝破損")
        capa(source=investigated(at_fault=True, customer=customer, content="尺寸超差"), closed=True)
    return ReviewData(meeting=meeting, previous=previous)
