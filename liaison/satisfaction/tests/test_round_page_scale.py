"""The round page and the analysis at scale (issue 7): a round may hold 50 000 forms.

The forms table is paged (50 a page), filtered by state and customer in the query string;
the counts by state are one aggregate whose state is computed in the database from the
same date rules as ``SurveyForm.state``; the send form offers a search of the customers,
not all of them; the analysis lists one page of its per-customer rows. The number of
queries does not depend on the number of forms.
"""

import datetime as dt
import re
from collections import Counter

import pytest
from django.urls import reverse

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import selectors, services
from liaison.satisfaction.analysis import round_analysis
from liaison.satisfaction.forms import SEND_CHOICES
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.states import FormState
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round
from liaison.satisfaction.views import PER_PAGE

D = dt.date
pytestmark = pytest.mark.django_db
TODAY = D(2026, 11, 27)


def _round_with_every_state(sales):
    """A round sent 2026-10-01 (chase day 10-16, valid until 12-01) with a form in every state on 11-27.

    Two forms sit on the boundaries: chase day today (chase due) and last valid day today (not expired).
    """
    names = ["sent", "chase_today", "chased", "returned", "late", "expired", "void", "valid_today"]
    customers = [customer_with_contact(registered_name=f"{name} 有限公司") for name in names]
    with clock.frozen(D(2026, 8, 1)):
        survey_round, forms = sent_round(
            meeting_date=D(2026, 12, 1), customers=customers, actor=sales, send_on=D(2026, 10, 1)
        )
    form = {f.customer.registered_name.split()[0]: f for f in forms}
    SurveyForm.objects.filter(pk=form["sent"].pk).update(chase_due_on=D(2026, 11, 28))
    SurveyForm.objects.filter(pk=form["chase_today"].pk).update(chase_due_on=TODAY)
    with clock.frozen(D(2026, 10, 16)):
        services.form_chase(form=form["chased"], channel="phone", actor=sales)
    with clock.frozen(D(2026, 10, 20)):
        services.form_enter(form=form["returned"], scores=scores(), returned_on=D(2026, 10, 20), actor=sales)
    SurveyForm.objects.filter(pk=form["late"].pk).update(returned_on=D(2026, 12, 2))
    SurveyForm.objects.filter(pk=form["expired"].pk).update(valid_until=D(2026, 11, 26))
    services.form_void(form=form["void"], reason="寄錯", actor=UserFactory(roles=[Role.SALES_HEAD]))
    SurveyForm.objects.filter(pk=form["valid_today"].pk).update(valid_until=TODAY, chase_due_on=D(2026, 11, 28))
    return survey_round, form


def test_r_5_6_3_state_counted_in_the_database_equals_the_python_state(sales):
    survey_round, form = _round_with_every_state(sales)
    rows = list(SurveyForm.objects.filter(round=survey_round))
    python = Counter(row.state(TODAY).value for row in rows)
    assert set(python) == set(FormState.values)  # every state is there
    counts = selectors.round_state_counts(survey_round=survey_round, today=TODAY)
    assert counts == {state: python.get(state, 0) for state in FormState.values}
    annotated = dict(SurveyForm.objects.filter(round=survey_round).with_state(TODAY).values_list("pk", "state"))
    assert annotated == {row.pk: row.state(TODAY).value for row in rows}
    assert annotated[form["chase_today"].pk] == FormState.CHASE_DUE
    assert annotated[form["valid_today"].pk] == FormState.SENT
    assert (annotated[form["late"].pk], annotated[form["expired"].pk]) == (FormState.VOID_LATE, FormState.EXPIRED)


def test_r_5_6_3_round_page_tabs_count_and_filter_by_state(client, sales):
    survey_round, form = _round_with_every_state(sales)
    client.force_login(sales)
    url = reverse("satisfaction:round", args=[survey_round.pk])
    html = client.get(url).content.decode()
    tabs = dict(re.findall(r'data-state="(\w+)" data-count="(\d+)"', html))
    assert tabs["all"] == "8" and tabs["returned"] == "1" and tabs["sent"] == "2" and tabs["expired"] == "1"
    html = client.get(url, {"state": "chase_due"}).content.decode()
    assert re.findall(r'<tr data-form="([^"]+)" data-state="(\w+)"', html) == [
        (form["chase_today"].number, "chase_due")
    ]
    # An unknown state is ignored, not an error.
    assert len(_rows(client.get(url, {"state": "nonsense"}).content.decode())) == 8


@pytest.fixture
def big_round(sales):
    """A round sent to PER_PAGE + 5 customers, one of them 特別客戶; the first two answered."""
    customers = [customer_with_contact(registered_name=f"客戶{n:03d}") for n in range(PER_PAGE + 4)]
    customers.append(customer_with_contact(registered_name="特別客戶有限公司"))
    with clock.frozen(D(2026, 9, 1)):
        survey_round, forms = sent_round(meeting_date=D(2026, 12, 15), customers=customers, actor=sales)
    for form in forms[:2]:
        with clock.frozen(D(2026, 10, 20)):
            services.form_answer_online(token=form.answer_token, scores=scores(4, 2, 3, 4, 4))
    return survey_round, forms


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr data-form="([^"]+)" data-state=', html)


def test_r_5_6_3_round_page_lists_fifty_forms_a_page(client, sales, big_round):
    survey_round, forms = big_round
    client.force_login(sales)
    url = reverse("satisfaction:round", args=[survey_round.pk])
    numbers = sorted(form.number for form in forms)
    first = client.get(url).content.decode()
    assert _rows(first) == numbers[:PER_PAGE]
    assert 'data-page="1" data-pages="2"' in first and "?page=2#forms" in first
    second = client.get(url, {"page": "2"}).content.decode()
    assert _rows(second) == numbers[PER_PAGE:]
    # Past the end or nonsense: the last or the first page, never an error.
    assert _rows(client.get(url, {"page": "99"}).content.decode()) == numbers[PER_PAGE:]
    assert _rows(client.get(url, {"page": "x"}).content.decode()) == numbers[:PER_PAGE]


def test_r_5_6_3_round_page_searches_forms_by_customer_and_keeps_the_filter(client, sales, big_round):
    survey_round, forms = big_round
    client.force_login(sales)
    url = reverse("satisfaction:round", args=[survey_round.pk])
    special = next(form for form in forms if form.customer.registered_name == "特別客戶有限公司")
    html = client.get(url, {"q": "特别"}).content.decode()  # Simplified finds Traditional
    assert _rows(html) == [special.number]
    html = client.get(url, {"q": "客戶", "state": "chase_due"}).content.decode()
    assert len(_rows(html)) == PER_PAGE and "state=chase_due" in html and "page=2" in html
    page_two = re.search(r'href="([^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "q=%E5%AE%A2%E6%88%B6" in page_two and "state=chase_due" in page_two
    assert len(_rows(client.get(page_two).content.decode())) == PER_PAGE + 5 - 2 - PER_PAGE


def test_r_5_6_3_send_form_offers_a_search_not_every_customer(client, sales):
    with clock.frozen(D(2026, 9, 1)):
        survey_round = services.round_plan(meeting=planned(meeting_date=D(2026, 12, 15)), actor=sales)
    customers = [customer_with_contact(registered_name=f"客戶{n:03d}") for n in range(SEND_CHOICES + 3)]
    wanted = customer_with_contact(registered_name="遠方貿易有限公司")
    client.force_login(sales)
    url = reverse("satisfaction:round", args=[survey_round.pk])
    html = client.get(url).content.decode()
    assert len(re.findall(r'name="send-customers"', html)) == SEND_CHOICES and 'id="send-offered"' in html
    assert f'value="{wanted.pk}"' not in html
    html = client.get(url, {"send_q": "遠方"}).content.decode()
    assert re.findall(r'name="send-customers" value="(\d+)"', html) == [str(wanted.pk)]
    # Any active customer not yet in the round is accepted, listed or not.
    unlisted = customers[-1]
    with clock.frozen(D(2026, 10, 15)):
        response = client.post(reverse("satisfaction:round-send", args=[survey_round.pk]),
                               {"send-customers": [wanted.pk, unlisted.pk], "send-channel": "fax"})
    assert response.status_code == 302
    assert set(SurveyForm.objects.filter(round=survey_round).values_list("customer_id", flat=True)) == {
        wanted.pk, unlisted.pk
    }
    html = client.get(url, {"send_q": "遠方"}).content.decode()
    assert 'name="send-customers"' not in html  # already in the round


def test_r_5_6_3_send_with_nobody_chosen_is_refused(client, sales, english):
    with clock.frozen(D(2026, 9, 1)):
        survey_round = services.round_plan(meeting=planned(meeting_date=D(2026, 12, 15)), actor=sales)
    client.force_login(sales)
    response = client.post(reverse("satisfaction:round-send", args=[survey_round.pk]), {"send-channel": "fax"})
    assert response.status_code == 200 and "Choose the customers to send the survey to." in response.content.decode()
    assert not SurveyForm.objects.exists()


def test_r_5_6_3_enter_offers_the_page_and_accepts_any_open_form(client, sales, big_round):
    survey_round, forms = big_round
    client.force_login(sales)
    numbers = sorted(form.number for form in forms)
    html = client.get(reverse("satisfaction:round", args=[survey_round.pk])).content.decode()
    select = re.search(r'<select name="enter-form".*?</select>', html, re.S).group(0)
    offered = re.findall(r'<option value="(\d+)"', select)
    assert len(offered) == PER_PAGE - 2  # the page's 50 forms less the two answered
    last = next(form for form in forms if form.number == numbers[-1])
    assert str(last.pk) not in offered  # on page 2
    data = {"enter-form": last.pk, "enter-returned_on": "2026-11-20",
            **{f"enter-score_{code}": value for code, value in scores(5, 4, 4, 5, 5).items()}}
    response = client.post(reverse("satisfaction:round-enter", args=[survey_round.pk]), data)
    assert response.status_code == 302
    last.refresh_from_db()
    assert last.returned_on == D(2026, 11, 20)


def test_r_5_6_4_analysis_pages_its_per_customer_rows(sales, big_round):
    survey_round, forms = big_round
    for form in forms[2:5]:
        with clock.frozen(D(2026, 10, 21)):
            services.form_answer_online(token=form.answer_token, scores=scores(5, 5, 5, 5, 5))
    full = round_analysis(survey_round=survey_round, customer_rows=None)
    assert full.customers_total == 5 and len(full.customers) == 5 and full.dissatisfied_count == 2
    first = round_analysis(survey_round=survey_round, customer_rows=2)
    third = round_analysis(survey_round=survey_round, customer_rows=2, customer_offset=4)
    beyond = round_analysis(survey_round=survey_round, customer_rows=2, customer_offset=40)
    assert first.customers == full.customers[:2] and third.customers == full.customers[4:]
    assert beyond.customers == third.customers and beyond.customer_offset == 4
    # The counts are over every counted form, whatever the page.
    assert (first.customers_total, first.dissatisfied_count, first.answers) == (5, 2, 25)


def _size(sales, size: int, year: int):
    customers = [customer_with_contact() for _ in range(size)]
    with clock.frozen(D(year, 1, 1)):
        survey_round, forms = sent_round(meeting_date=D(year, 6, 15), customers=customers, actor=sales)
    for form in forms[: size // 2 + 1]:
        with clock.frozen(D(year, 4, 20)):
            services.form_answer_online(token=form.answer_token, scores=scores(4, 2, 3, 4, 4))
    return survey_round


# The round page: session and user 2, the round 1, its criteria 1, the state counts 1, one page of forms 1,
# the customers to send to 1, the analysis 7, the sidebar/inbox and admin context the rest.
@pytest.mark.parametrize("size", [3, PER_PAGE + 6])
def test_round_and_analysis_pages_read_a_fixed_number_of_queries(client, sales, size, django_assert_num_queries):
    survey_round = _size(sales, size, 2027)
    client.force_login(sales)
    round_url = reverse("satisfaction:round", args=[survey_round.pk])
    analysis_url = reverse("satisfaction:analysis") + f"?round={survey_round.pk}"
    with clock.frozen(D(2027, 5, 1)):
        client.get(round_url)  # warm the caches shared by every page (permissions, sidebar)
        with django_assert_num_queries(ROUND_PAGE_QUERIES):
            assert client.get(round_url).status_code == 200
        # Searching by customer adds the count of the matching forms.
        with django_assert_num_queries(ROUND_PAGE_QUERIES + 1):
            assert client.get(round_url, {"q": "有限", "state": "returned", "page": "2", "cpage": "2"}).status_code == 200
        with django_assert_num_queries(ANALYSIS_PAGE_QUERIES):
            assert client.get(analysis_url).status_code == 200


ROUND_PAGE_QUERIES = 17
ANALYSIS_PAGE_QUERIES = 13
