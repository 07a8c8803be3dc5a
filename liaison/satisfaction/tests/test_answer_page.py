"""R-5.6.3: the customer answers through the private link, without logging in, in their language."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.satisfaction.models import SurveyForm
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round

D = dt.date


@pytest.fixture
def form(sales):
    _round, (form,) = sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales,
                                 send_on=D(2026, 11, 20))
    return form


def _post(client, form, answer, **extra):
    data = {f"score_{code}": value for code, value in answer.items()}
    return client.post(f"/satisfaction/answer/{form.answer_token}/", {**data, "comments": "交期可再快一點", **extra})


def test_r_5_6_3_answer_page_in_traditional_chinese_by_default(client, form):
    page = client.get(f"/satisfaction/answer/{form.answer_token}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="zh-hant">' in html and "產品質量" in html and "交貨期" in html
    assert html.count('type="radio"') == 5 * 5 and "csrfmiddlewaretoken" in html
    english = client.get(f"/satisfaction/answer/{form.answer_token}/?lang=en").content.decode()
    assert "Product quality" in english and "Send my answer" in english
    assert "产品质量" in client.get(f"/satisfaction/answer/{form.answer_token}/?lang=zh-hans").content.decode()


def test_r_5_6_3_customer_answers_without_login(form):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    page = client.get(f"/satisfaction/answer/{form.answer_token}/?lang=en")
    token = page.cookies["csrftoken"].value
    response = _post(client, form, scores(5, 4, 3, 4, 5), csrfmiddlewaretoken=token, lang="en")
    assert response.status_code == 302
    thanks = client.get(response["Location"])
    assert "Thank you for your answer." in thanks.content.decode()
    form = SurveyForm.objects.get(pk=form.pk)
    assert form.answered_online and form.returned_on == clock.today() and form.comments == "交期可再快一點"
    assert sorted(form.scores.values_list("score", flat=True)) == [3, 4, 4, 5, 5]
    again = client.get(f"/satisfaction/answer/{form.answer_token}/?lang=en")
    assert again.status_code == 409 and "has already been answered" in again.content.decode()


def test_r_5_6_3_post_without_csrf_token_refused(form):
    from django.test import Client

    response = _post(Client(enforce_csrf_checks=True), form, scores())
    assert response.status_code == 403
    assert SurveyForm.objects.get(pk=form.pk).returned_on is None


def test_r_5_6_4_missing_score_shows_the_error_and_keeps_the_answers(client, form):
    answer = scores()
    del answer["price"]
    response = _post(client, form, answer, lang="en")
    html = response.content.decode()
    assert response.status_code == 400 and "Give a score from 1 to 5 for every question: Price" in html
    assert "交期可再快一點" in html and html.count("checked") == 4
    assert SurveyForm.objects.get(pk=form.pk).returned_on is None


def test_r_5_6_3_expired_and_unknown_links(client, form):
    with clock.frozen(D(2027, 1, 21)):
        expired = client.get(f"/satisfaction/answer/{form.answer_token}/?lang=en")
        posted = _post(client, form, scores(), lang="en")
    assert expired.status_code == 410 and "can no longer be answered online" in expired.content.decode()
    assert posted.status_code == 410 and SurveyForm.objects.get(pk=form.pk).returned_on is None
    unknown = client.get("/satisfaction/answer/nothing-here/?lang=en")
    assert unknown.status_code == 404 and "This survey link is not valid." in unknown.content.decode()
