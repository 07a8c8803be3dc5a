"""Acceptance story 6 in the browser: a survey round from the review calendar to its analysis.

A management review is set for 2026-12-15. On 2026-09-01 the sales clerk plans its survey
round on the rounds page: it goes out on 2026-10-15, two months before. That day the clerk
sends it by e-mail to four customers and by fax to a fifth. On 2026-10-20 one customer
answers through the private link, without logging in, and is unhappy with delivery. On
2026-10-30 (day 15) the scheduled job chases the unreturned e-mailed forms. The fax
customer's form comes back on paper and the clerk enters it; one form comes back on
2026-12-16, a day after its last valid day, and shows as void. The round page shows the
response rate and the scores with their charts; top management reads it in English.

The live server runs in this process, so ``clock.frozen(..., all_threads=True)`` moves
the calendar for the pages too.
"""

import datetime as dt
import re

import pytest
from helpers import desks_fixture, errors_on, make_staff  # noqa: F401 (the ``desks`` fixture)

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import services
from liaison.satisfaction.models import SurveyForm, SurveyRound
from liaison.satisfaction.states import FormState
from liaison.satisfaction.tests.factories import customer_with_contact

pytestmark = pytest.mark.browser
D = dt.date
NAMES = ["深圳市華豐五金製品有限公司", "東莞市永昌塑膠有限公司", "佛山市順德區恒達電器有限公司", "蘇州華南汽車零部件有限公司"]
FAX_NAME = "廈門海灣貿易有限公司"


@pytest.fixture
def setting(db):
    staff = make_staff()
    manager = UserFactory(username="jianhua", last_name="周", first_name="建華", roles=[Role.MANAGEMENT])
    review = planned(meeting_date=D(2026, 12, 15), chair=manager, title="2026年下半年管理評審")
    customers = [customer_with_contact(registered_name=name) for name in NAMES]
    fax_customer = customer_with_contact(registered_name=FAX_NAME, email=False)
    return staff, manager, review, customers, fax_customer


def _open(page, form_id: str):
    """Unfold the card's form (a <details>) unless it is open already."""
    details = page.locator(f"#{form_id}").locator("xpath=ancestor::details")
    if details.get_attribute("open") is None:
        details.locator("summary").click()


def _send(page, customers, channel: str):
    _open(page, "round-send")
    for customer in customers:
        page.locator(f"#round-send input[name=send-customers][value='{customer.pk}']").check()
    page.locator("#round-send select[name=send-channel]").select_option(channel)
    with page.expect_navigation():
        page.locator("#round-send-submit").click()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()


def _enter(page, form, values: list[int], returned_on: dt.date, comments: str = ""):
    _open(page, "round-enter")
    enter = page.locator("#round-enter")
    enter.locator("select[name=enter-form]").select_option(str(form.pk))
    enter.locator("input[name=enter-returned_on]").fill(returned_on.isoformat())
    for row, value in zip(enter.locator("#enter-scores tbody tr").all(), values, strict=True):
        row.locator(f"input[type=radio][value='{value}']").check()
    if comments:
        enter.locator("textarea[name=enter-comments]").fill(comments)
    with page.expect_navigation():
        page.locator("#round-enter-submit").click()
    assert page.locator(".errorlist").count() == 0, page.locator(".errorlist").all_inner_texts()


def _state_of(page, form) -> str:
    return page.locator(f"#round-forms tr[data-form='{form.number}']").get_attribute("data-state")


def test_story_6_survey_round_from_plan_to_analysis(desks, browser, live_server, setting, screenshot):
    staff, manager, review, customers, fax_customer = setting
    clerk = desks(staff.clerk)

    # 2026-09-01: the clerk plans the round of the coming review; it goes out two months before.
    with clock.frozen(D(2026, 9, 1), all_threads=True):
        clerk.goto("/satisfaction/rounds/")
        assert clerk.locator("#half-year-warning").is_visible()  # nothing yet in 2026
        clerk.locator("#round-plan select[name=plan-meeting]").select_option(str(review.pk))
        with clerk.expect_navigation():
            clerk.locator("#round-plan-submit").click()
        refused = errors_on(clerk) + clerk.locator(".messagelist, [role=alert]").all_inner_texts()
        assert SurveyRound.objects.filter(meeting=review).exists(), refused
        survey_round = SurveyRound.objects.get(meeting=review)
        assert survey_round.planned_send_on == D(2026, 10, 15)
        assert clerk.locator("#round-dates [data-date=send]").inner_text() == "2026-10-15"
        assert clerk.locator("#round-dates [data-date=chase]").inner_text() == "2026-10-30"
        screenshot(clerk, "story6-01-round-planned-zh-hant")

    # 2026-10-15: the forms go out: four by e-mail with the private link, one by fax.
    with clock.frozen(D(2026, 10, 15), all_threads=True):
        clerk.goto(f"/satisfaction/rounds/{survey_round.pk}/")
        _send(clerk, customers, "email")
        _send(clerk, [fax_customer], "fax")
        forms = {form.customer_id: form for form in SurveyForm.objects.filter(round=survey_round)}
        assert len(forms) == 5
        assert all(form.valid_until == D(2026, 12, 15) for form in forms.values())
        screenshot(clerk, "story6-02-forms-sent-zh-hant")
    unhappy, on_time, late, silent = (forms[customer.pk] for customer in customers)
    faxed = forms[fax_customer.pk]

    # 2026-10-20: the customer answers through the private link, not logged in.
    with clock.frozen(D(2026, 10, 20), all_threads=True):
        context = browser.new_context(base_url=live_server.url, locale="zh-TW", viewport={"width": 900, "height": 900})
        customer_page = context.new_page()
        customer_page.goto(unhappy.answer_path())
        for code, value in zip(["quality", "delivery", "price", "service", "communication"], [4, 2, 3, 4, 4],
                               strict=True):
            customer_page.locator(f"input[name=score_{code}][value='{value}']").check()
        customer_page.locator("textarea[name=comments]").fill("交期經常延誤，希望改善。")
        screenshot(customer_page, "story6-03-customer-answers-zh-hant")
        with customer_page.expect_navigation():
            customer_page.locator("button[type=submit]").click()
        assert "done=1" in customer_page.url
        screenshot(customer_page, "story6-04-customer-thanks-zh-hant")
        customer_page.goto(silent.answer_path() + "?lang=en")
        screenshot(customer_page, "story6-05-answer-page-en")
        context.close()
    unhappy.refresh_from_db()
    assert unhappy.answered_online and unhappy.returned_on == D(2026, 10, 20)

    # 2026-10-30, day 15: the scheduled job chases the unreturned e-mailed forms, once.
    with clock.frozen(D(2026, 10, 30), all_threads=True):
        chased = services.surveys_chase_due()
        assert sorted(f.number for f in chased) == sorted(f.number for f in (on_time, late, silent))
        clerk.goto(f"/satisfaction/rounds/{survey_round.pk}/")
        assert _state_of(clerk, on_time) == FormState.CHASED
        assert _state_of(clerk, faxed) == FormState.CHASE_DUE  # the fax customer is for Sales to phone
        screenshot(clerk, "story6-06-chased-zh-hant")

    # The paper forms come back: the fax customer's and one e-mailed form on its last valid day.
    with clock.frozen(D(2026, 11, 20), all_threads=True):
        clerk.goto(f"/satisfaction/rounds/{survey_round.pk}/")
        _enter(clerk, faxed, [5, 4, 4, 5, 5], D(2026, 11, 18), "整體滿意")
    with clock.frozen(D(2026, 12, 15), all_threads=True):
        clerk.goto(f"/satisfaction/rounds/{survey_round.pk}/")
        _enter(clerk, on_time, [4, 4, 3, 4, 5], D(2026, 12, 15))

    # 2026-12-16: one returns a day late: entered, kept, void.
    with clock.frozen(D(2026, 12, 16), all_threads=True):
        clerk.goto(f"/satisfaction/rounds/{survey_round.pk}/")
        _enter(clerk, late, [3, 3, 3, 3, 3], D(2026, 12, 16))
        assert _state_of(clerk, late) == FormState.VOID_LATE
        assert _state_of(clerk, silent) == FormState.EXPIRED
        assert _state_of(clerk, on_time) == FormState.RETURNED
        # The analysis: 3 of 5 returned in time; the late one is left out; one dissatisfied.
        assert clerk.locator("[data-figure=response-rate]").inner_text() == "60.0 %"
        assert clerk.locator("[data-figure=void]").inner_text() == "1"
        assert clerk.locator("[data-figure=dissatisfied]").inner_text() == "1"
        assert clerk.locator(f"#per-customer tr[data-form='{unhappy.number}']").get_attribute("data-dissatisfied") == "1"
        assert clerk.locator(f"#per-customer tr[data-form='{late.number}']").count() == 0
        clerk.wait_for_function("document.querySelectorAll('canvas.chart').length === 3")
        assert clerk.js_errors == []
        screenshot(clerk, "story6-07-round-analysis-zh-hant")

        # Top management reads the same round in English; it may not enter or send.
        boss = desks(manager, locale="en-US")
        boss.goto(f"/satisfaction/rounds/{survey_round.pk}/")
        assert boss.locator("#round-enter").count() == 0 and boss.locator("#round-send").count() == 0
        assert re.search(r"Response rate", boss.locator("#analysis-figures").inner_text(), re.IGNORECASE)
        assert boss.locator("[data-figure=response-rate]").inner_text() == "60.0 %"
        assert boss.js_errors == []
        screenshot(boss, "story6-08-round-analysis-en")
        boss.goto(f"/satisfaction/forms/{late.pk}/")
        assert boss.locator("#form-page").get_attribute("data-state") == FormState.VOID_LATE
        screenshot(boss, "story6-09-late-form-void-en")
