"""Demo satisfaction surveys: a past review with a finished round, and the next review's round.

The past review (2026-06-16) had its round sent on 2026-04-16: most customers answered,
the rest were chased on day 15, one returned too late (void), one never did. The next
review (2026-12-15) has its round sent on 2026-10-15 and partly answered. Steps dated
after today are left out, so the demo stays true to the calendar. Idempotent.
"""

import datetime as dt
import itertools

from liaison.core import clock
from liaison.core.models import User
from liaison.customers.models import Customer
from liaison.reviews import services as reviews
from liaison.reviews.models import ReviewMeeting
from liaison.satisfaction import services
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.states import FormState, SurveyChannel

D = dt.date
PAST_REVIEW = ("2026年上半年管理評審", D(2026, 6, 16))
NEXT_REVIEW = ("2026年下半年管理評審", D(2026, 12, 15))
AGENDA = "1. 顧客滿意度調查結果\n2. 客訴處理報告\n3. 糾正和預防措施狀態\n4. 上次評審決議跟進"
# Score sets cycled over the customers who answer (quality, delivery, price, service, communication).
ANSWERS = [
    ((5, 4, 4, 5, 5), "整體滿意，希望交期再穩定一些。"),
    ((4, 4, 3, 4, 4), ""),
    ((4, 2, 3, 4, 3), "最近兩批交貨延誤，影響我方生產。"),
    ((5, 5, 4, 5, 4), "業務回覆及時。"),
    ((3, 4, 4, 3, 4), ""),
]
CODES = ["quality", "delivery", "price", "service", "communication"]


def _scores(values) -> dict[str, int]:
    return dict(zip(CODES, values, strict=True))


def _meeting(title: str, meeting_date: dt.date, manager: User) -> ReviewMeeting:
    meeting = ReviewMeeting.objects.filter(title=title).first()
    if meeting is None:
        with clock.frozen(min(meeting_date, clock.today()) - dt.timedelta(days=120)):
            meeting = reviews.meeting_plan(title=title, meeting_date=meeting_date, chair=manager, actor=manager,
                                              agenda=AGENDA)
    return meeting


def _run_round(meeting: ReviewMeeting, customers: list[Customer], sales: User, *, answered: int, late: int) -> None:
    """Plan and send the round, then answer, chase and return as far as today allows."""
    today = clock.today()
    if hasattr(meeting, "survey_round"):
        return
    send_on = services.planned_send_date(meeting.meeting_date)
    with clock.frozen(send_on - dt.timedelta(days=14)):
        survey_round = services.round_plan(meeting=meeting, actor=sales)
    if send_on > today:
        return
    emailed = [c for c in customers if c.email or any(contact.email for contact in c.contacts.all())]
    faxed = [c for c in customers if c not in emailed]
    with clock.frozen(send_on):
        forms = services.round_send(survey_round=survey_round, customers=emailed, channel=SurveyChannel.EMAIL,
                                    actor=sales) if emailed else []
        if faxed:
            forms += services.round_send(survey_round=survey_round, customers=faxed, channel=SurveyChannel.FAX,
                                         actor=sales)
    answers = itertools.cycle(ANSWERS)
    for offset, form in enumerate(forms[:answered]):
        returned_on = send_on + dt.timedelta(days=5 + 3 * offset)
        if returned_on > today:
            continue
        values, comments = next(answers)
        with clock.frozen(returned_on):
            if form.channel == SurveyChannel.EMAIL:
                services.form_answer_online(token=form.answer_token, scores=_scores(values), comments=comments)
            else:
                services.form_enter(form=form, scores=_scores(values), comments=comments, returned_on=returned_on,
                                    actor=sales)
    chase_on = send_on + dt.timedelta(days=15)
    if chase_on <= today:
        with clock.frozen(chase_on):
            services.surveys_chase_due(actor=None)
            for form in SurveyForm.objects.filter(round=survey_round).exclude(channel=SurveyChannel.EMAIL):
                if form.state() == FormState.CHASE_DUE:
                    services.form_chase(form=form, channel="phone", actor=sales, note="已電話提醒，對方會盡快回傳")
    for form in forms[answered:answered + late]:
        form.refresh_from_db()
        late_on = form.valid_until + dt.timedelta(days=3)
        if late_on <= today and form.returned_on is None:
            with clock.frozen(late_on):
                services.form_enter(form=form, scores=_scores((4, 3, 3, 4, 4)), comments="回傳較晚，抱歉。",
                                    returned_on=late_on, actor=sales)
    with clock.frozen(today):
        services.rounds_close_finished(actor=None)


def load_demo_surveys() -> None:
    """Plan the demo reviews and run their survey rounds through the services."""
    sales = User.objects.filter(username="sales").first()
    manager = User.objects.filter(username="manager").first()
    customers = list(Customer.objects.prefetch_related("contacts").order_by("pk"))
    if sales is None or manager is None or not customers:
        return
    past = _meeting(*PAST_REVIEW, manager)
    _run_round(past, customers, sales, answered=max(len(customers) - 2, 1), late=1)
    if past.is_planned and past.meeting_date <= clock.today():
        with clock.frozen(past.meeting_date):
            reviews.meeting_hold(meeting=past, minutes="評審了上半年顧客滿意度與客訴處理，決議見行動項目。",
                                    actor=manager)
    upcoming = _meeting(*NEXT_REVIEW, manager)
    _run_round(upcoming, customers, sales, answered=max(len(customers) // 2, 1), late=0)
