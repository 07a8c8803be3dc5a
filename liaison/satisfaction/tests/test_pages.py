"""The staff pages of the surveys: rounds, one round with its forms and analysis, one form F10.

Sales acts; QC and top management read; a workshop does not see them. Every step posts
to its own view; a refused step shows the page again with the error and what was typed,
and changes nothing.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.customers.tests.factories import CustomerFactory
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import services
from liaison.satisfaction.models import SurveyForm, SurveyRound
from liaison.satisfaction.states import FormState
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def users(sales, qc):
    return {
        "sales": sales,
        "qc": qc,
        "management": UserFactory(roles=[Role.MANAGEMENT]),
        "workshop": UserFactory(roles=[Role.WORKSHOP_LEAD]),
        "sales_head": UserFactory(roles=[Role.SALES_HEAD]),
    }


@pytest.fixture
def story(sales):
    """Review 2026-12-15; round sent 2026-10-15 to three customers; one answered online with delivery 2."""
    customers = [customer_with_contact(registered_name=f"客戶{n}有限公司") for n in "甲乙丙"]
    with clock.frozen(D(2026, 9, 1)):
        survey_round, forms = sent_round(meeting_date=D(2026, 12, 15), customers=customers, actor=sales)
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=forms[0].answer_token, scores=scores(4, 2, 3, 4, 4), comments="交期延誤")
    return survey_round, forms


def _state(survey_round):
    return sorted(SurveyForm.objects.filter(round=survey_round).values_list("number", "returned_on", "voided_at"))


@pytest.mark.parametrize("role, status", [("sales", 200), ("qc", 200), ("management", 200), ("workshop", 403)])
def test_r_5_6_3_round_pages_by_role(client_as, users, story, role, status):
    survey_round, forms = story
    client = client_as(users[role])
    for url in (
        reverse("satisfaction:rounds"),
        reverse("satisfaction:round", args=[survey_round.pk]),
        reverse("satisfaction:analysis"),
        reverse("satisfaction:form", args=[forms[0].pk]),
    ):
        assert client.get(url).status_code == status, url


def test_r_5_6_3_only_sales_is_offered_the_steps(client_as, users, story):
    survey_round, forms = story
    url = reverse("satisfaction:round", args=[survey_round.pk])
    sales_page = client_as(users["sales"]).get(url).content.decode()
    assert 'id="round-send"' in sales_page and 'id="round-enter"' in sales_page
    manager_page = client_as(users["management"]).get(url).content.decode()
    assert 'id="round-send"' not in manager_page and 'id="round-enter"' not in manager_page
    rounds = client_as(users["qc"]).get(reverse("satisfaction:rounds")).content.decode()
    assert 'id="round-plan"' not in rounds


def test_r_5_6_3_rounds_list_counts_and_half_year_warning(client_as, users, story):
    survey_round, _forms = story
    page = client_as(users["sales"]).get(reverse("satisfaction:rounds")).content.decode()
    row = re.search(rf'<tr data-round="{survey_round.number}".*?</tr>', page, re.S).group(0)
    assert re.search(r'data-col="sent">3<', row) and re.search(r'data-col="returned">1<', row)
    # 2026's round goes out in October: the first half-year has none (R-5.6.3: twice a year).
    assert 'id="half-year-warning"' in page and "2026" in page


def test_r_5_6_3_plan_a_round_from_the_page(client_as, users):
    review = planned(meeting_date=D(2027, 6, 15))
    response = client_as(users["sales"]).post(reverse("satisfaction:round-plan"), {"plan-meeting": review.pk})
    survey_round = SurveyRound.objects.get(meeting=review)
    assert response.status_code == 302 and response["Location"] == reverse("satisfaction:round", args=[survey_round.pk])
    assert survey_round.planned_send_on == D(2027, 4, 15)


def test_r_5_6_3_plan_refused_for_qc_changes_nothing(client_as, users):
    review = planned(meeting_date=D(2027, 6, 15))
    response = client_as(users["qc"]).post(reverse("satisfaction:round-plan"), {"plan-meeting": review.pk})
    assert response.status_code == 403
    assert not SurveyRound.objects.exists()


def test_r_5_6_3_send_from_the_page(client_as, users, sales):
    with clock.frozen(D(2026, 9, 1)):
        survey_round = services.round_plan(meeting=planned(meeting_date=D(2026, 12, 15)), actor=sales)
    customer = customer_with_contact()
    with clock.frozen(D(2026, 10, 15)):
        response = client_as(users["sales"]).post(
            reverse("satisfaction:round-send", args=[survey_round.pk]),
            {"send-customers": [customer.pk], "send-channel": "fax"},
        )
    assert response.status_code == 302
    form = SurveyForm.objects.get(round=survey_round)
    assert form.customer == customer and form.channel == "fax" and form.chase_due_on == D(2026, 10, 30)


def test_r_5_6_3_send_refused_keeps_the_choice_and_sends_nothing(client_as, users, sales):
    with clock.frozen(D(2026, 9, 1)):
        survey_round = services.round_plan(meeting=planned(meeting_date=D(2026, 12, 15)), actor=sales)
    without_contact = CustomerFactory(registered_name="無聯絡人有限公司")
    with clock.frozen(D(2026, 10, 15)):
        response = client_as(users["sales"]).post(
            reverse("satisfaction:round-send", args=[survey_round.pk]),
            {"send-customers": [without_contact.pk], "send-channel": "post"},
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert "無聯絡人有限公司" in page and "no active contact" in page
    assert re.search(rf'value="{without_contact.pk}"[^>]*checked', page)
    assert not SurveyForm.objects.exists()
    survey_round.refresh_from_db()
    assert survey_round.status == "planned"


def test_r_5_6_3_enter_a_paper_form(client_as, users, story):
    survey_round, forms = story
    form = forms[1]
    data = {"enter-form": form.pk, "enter-returned_on": "2026-11-20", "enter-comments": "整體滿意",
            **{f"enter-score_{code}": value for code, value in scores(5, 4, 4, 5, 5).items()}}
    response = client_as(users["sales"]).post(reverse("satisfaction:round-enter", args=[survey_round.pk]), data)
    assert response.status_code == 302
    form.refresh_from_db()
    assert form.returned_on == D(2026, 11, 20) and form.state() == FormState.RETURNED
    assert sorted(form.scores.values_list("score", flat=True)) == [4, 4, 5, 5, 5]


def test_r_5_6_3_a_late_paper_form_is_entered_void(client_as, users, story):
    survey_round, forms = story
    data = {"enter-form": forms[1].pk, "enter-returned_on": "2026-12-16",
            **{f"enter-score_{code}": value for code, value in scores(3, 3, 3, 3, 3).items()}}
    with clock.frozen(D(2026, 12, 16)):
        response = client_as(users["sales"]).post(
            reverse("satisfaction:round-enter", args=[survey_round.pk]), data, follow=True
        )
    forms[1].refresh_from_db()
    assert forms[1].state() == FormState.VOID_LATE
    assert "void and not counted" in response.content.decode()


def test_r_5_6_3_enter_refused_keeps_input_and_changes_nothing(client_as, users, story):
    survey_round, forms = story
    before = _state(survey_round)
    data = {"enter-form": forms[1].pk, "enter-returned_on": "2026-11-20", "enter-comments": "價格偏高",
            "enter-score_quality": "5", "enter-score_delivery": "4"}
    response = client_as(users["sales"]).post(reverse("satisfaction:round-enter", args=[survey_round.pk]), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Give a score from 1 to 5 for every question" in page
    assert "價格偏高" in page and re.search(r'name="enter-score_quality"[^>]*value="5"[^>]*checked|value="5"[^>]*name="enter-score_quality"[^>]*checked', page)
    assert _state(survey_round) == before and not forms[1].scores.exists()


def test_r_5_6_4_round_page_shows_the_analysis_with_charts(client_as, users, story):
    survey_round, forms = story
    page = client_as(users["management"]).get(reverse("satisfaction:round", args=[survey_round.pk]))
    html = page.content.decode()
    assert html.count('class="chart"') == 3
    assert 'data-figure="response-rate">33.3 %' in html  # 1 of 3
    assert re.search(rf'data-form="{forms[0].number}" data-dissatisfied="1"', html)
    assert page.context["analysis"].weighted_index == 3.35


def test_r_5_6_6_raise_capa_link_for_qc_only(client_as, users, story):
    survey_round, forms = story
    url = reverse("satisfaction:round", args=[survey_round.pk])
    assert "raise-capa" in client_as(users["qc"]).get(url).content.decode()
    assert "raise-capa" not in client_as(users["sales"]).get(url).content.decode()
    form_page = client_as(users["qc"]).get(reverse("satisfaction:form", args=[forms[0].pk])).content.decode()
    assert 'id="form-capa"' in form_page


def test_r_5_6_3_void_from_the_form_page(client_as, users, story):
    _round, forms = story
    response = client_as(users["sales_head"]).post(
        reverse("satisfaction:form-void", args=[forms[2].pk]), {"void-reason": "寄錯客戶"}
    )
    assert response.status_code == 302
    forms[2].refresh_from_db()
    assert forms[2].voided_at is not None and forms[2].void_reason == "寄錯客戶"


@pytest.mark.parametrize(
    ("role", "step"),
    [
        ("management", "enter"),  # management reads the round, enters no form
        ("sales", "void"),  # sales staff do not void forms (the Sales head does)
    ],
    ids=["management-enters", "sales-staff-voids"],
)
def test_r_5_6_3_a_form_step_outside_the_role_is_refused_and_changes_nothing(
    client_as, users, story, role, step
):
    survey_round, forms = story
    if step == "enter":
        form = forms[1]
        url = reverse("satisfaction:round-enter", args=[survey_round.pk])
        data = {"enter-form": form.pk, "enter-returned_on": "2026-11-20",
                **{f"enter-score_{code}": value for code, value in scores().items()}}
    else:
        form = forms[2]
        url = reverse("satisfaction:form-void", args=[form.pk])
        data = {"void-reason": "寄錯客戶"}
    response = client_as(users[role]).post(url, data)  # refused before anything is read
    assert response.status_code == 403
    form.refresh_from_db()
    assert form.returned_on is None and form.voided_at is None


def test_r_5_6_3_chase_by_phone_from_the_form_page(client_as, users, story):
    _round, forms = story
    with clock.frozen(D(2026, 10, 31)):
        response = client_as(users["sales"]).post(
            reverse("satisfaction:form-chase", args=[forms[2].pk]), {"chase-channel": "phone", "chase-note": "王小姐"}
        )
    assert response.status_code == 302
    forms[2].refresh_from_db()
    assert forms[2].chase_channel == "phone"


def test_r_5_6_3_chase_refused_before_day_15(client_as, users, story):
    _round, forms = story
    with clock.frozen(D(2026, 10, 29)):
        response = client_as(users["sales"]).post(
            reverse("satisfaction:form-chase", args=[forms[2].pk]), {"chase-channel": "phone", "chase-note": "王小姐"}
        )
    assert response.status_code == 200 and "王小姐" in response.content.decode()
    forms[2].refresh_from_db()
    assert forms[2].chased_at is None


def test_r_5_6_6_mark_the_comments_a_complaint(client_as, users, story):
    _round, forms = story
    response = client_as(users["sales"]).post(
        reverse("satisfaction:form-complaint", args=[forms[0].pk]), {"complaint-is_complaint": "on"}
    )
    assert response.status_code == 302
    forms[0].refresh_from_db()
    assert forms[0].comment_is_complaint


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_round_pages_read_a_fixed_number_of_queries(client_as, users, sales):
    client = client_as(users["sales"])
    counts = []
    for size, year in ((2, 2027), (8, 2028)):
        customers = [customer_with_contact() for _ in range(size)]
        with clock.frozen(D(year, 1, 1)):
            survey_round, forms = sent_round(meeting_date=D(year, 6, 15), customers=customers, actor=sales)
        for form in forms:
            with clock.frozen(D(year, 4, 20)):
                services.form_answer_online(token=form.answer_token, scores=scores())
        with clock.frozen(D(year, 5, 1)):
            counts.append(
                (
                    _count_queries(client, reverse("satisfaction:round", args=[survey_round.pk])),
                    _count_queries(client, reverse("satisfaction:rounds")),
                    _count_queries(client, reverse("satisfaction:analysis") + f"?round={survey_round.pk}"),
                )
            )
    assert counts[0] == counts[1]


@pytest.mark.parametrize("role, shown", [("sales", True), ("qc", True), ("management", True), ("workshop", False)])
def test_r_5_6_3_sidebar_has_the_satisfaction_menu_for_its_readers(client_as, users, role, shown):
    html = client_as(users[role]).get(reverse("admin:index")).content.decode()
    assert (reverse("satisfaction:rounds") in html) == shown
    assert (reverse("satisfaction:analysis") in html) == shown
