"""The data analysis of survey rounds (R-5.6.4) on a data set computed by hand.

Three rounds with the default questionnaire (weights: quality .30, delivery .25, price,
service, communication .15 each). The data are written through the services with the
clock moved, as the procedure writes them.

Round 3 (review 2026-12-15, sent 2026-10-15 to A, B, C, D, E; valid until 2026-12-15):
A answers online on 10-20 with 4,2,3,4,4 (delivery under the threshold 3: dissatisfied);
B, C, D, E are chased on 10-30; B returns on paper on 12-15 (last valid day) 5,4,4,5,5;
C returns on 12-16, one day late: void; D and E never return. An interview with F on
11-10 scores 5 everywhere: it belongs to round 3 (returned after round 2's review,
up to round 3's) and counts in the scores, not in the response rate.

    criterion means   quality (4+5+5)/3 = 4.67, delivery (2+4+5)/3 = 3.67, price 4.00,
                      service 4.67, communication 4.67
    weighted index    .30×14/3 + .25×11/3 + .15×4 + .15×14/3 + .15×14/3 = 4.3167 → 4.32
    index percent     (4.3167 − 1) / 4 × 100 = 82.9
    CSAT              answers ≥ 4: A 3, B 5, F 5 = 13 of 15 = 86.7 %
    distribution      1:0  2:1  3:1  4:5  5:8
    response rate     2 returned in time of 5 sent = 40.0 %
    per form          A 1.2+.5+.45+.6+.6 = 3.35 (mean 3.4, dissatisfied); B 4.60; F 5.00

Round 1 (review 2025-12-15): A and B sent, A returns 3 everywhere: index 3.00, CSAT 0, rate 50.
Round 2 (review 2026-06-15): A 4s, B 2s, and an interview with F on 2026-03-01 scoring 1s:
index (4+2+1)/3 = 2.33, CSAT 5 of 15 = 33.3 %, rate 2 of 2 = 100 % (the interview is not sent).
"""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.satisfaction import services
from liaison.satisfaction.analysis import (
    CriterionMean,
    ScoreCount,
    customer_trend,
    round_analysis,
)
from liaison.satisfaction.tests.factories import customer_with_contact, scores, sent_round

D = dt.date
pytestmark = pytest.mark.django_db


def _return(form, values, on, actor):
    with clock.frozen(on):
        services.form_enter(form=form, scores=scores(*values), returned_on=on, actor=actor)


def _interview(customer, values, on, actor):
    with clock.frozen(on):
        return services.satisfaction_record(customer=customer, source="interview", scores=scores(*values),
                                            occurred_on=on, actor=actor)


@pytest.fixture
def people(db):
    return {name: customer_with_contact(registered_name=f"{name} 有限公司") for name in "ABCDEF"}


@pytest.fixture
def three_rounds(people, sales):
    a, b, c, d, e, f = (people[name] for name in "ABCDEF")
    with clock.frozen(D(2025, 9, 1)):
        r1, (a1, _b1) = sent_round(meeting_date=D(2025, 12, 15), customers=[a, b], actor=sales)
    _return(a1, (3, 3, 3, 3, 3), D(2025, 11, 1), sales)
    with clock.frozen(D(2026, 3, 1)):
        r2, (a2, b2) = sent_round(meeting_date=D(2026, 6, 15), customers=[a, b], actor=sales)
    _interview(f, (1, 1, 1, 1, 1), D(2026, 3, 1), sales)
    _return(a2, (4, 4, 4, 4, 4), D(2026, 5, 1), sales)
    _return(b2, (2, 2, 2, 2, 2), D(2026, 5, 2), sales)
    with clock.frozen(D(2026, 9, 1)):
        r3, forms = sent_round(meeting_date=D(2026, 12, 15), customers=[a, b, c, d, e], actor=sales)
    by_customer = {form.customer_id: form for form in forms}
    with clock.frozen(D(2026, 10, 20)):
        services.form_answer_online(token=by_customer[a.pk].answer_token, scores=scores(4, 2, 3, 4, 4))
    with clock.frozen(D(2026, 10, 30)):
        services.surveys_chase_due()
    interview = _interview(f, (5, 5, 5, 5, 5), D(2026, 11, 10), sales)
    _return(by_customer[b.pk], (5, 4, 4, 5, 5), D(2026, 12, 15), sales)
    _return(by_customer[c.pk], (3, 3, 3, 3, 3), D(2026, 12, 16), sales)
    return r1, r2, r3, by_customer, interview


def test_r_5_6_4_counts_and_response_rate_leave_out_late_and_interview_forms(three_rounds):
    _r1, _r2, r3, _forms, _interview = three_rounds
    with clock.frozen(D(2026, 12, 20)):
        analysis = round_analysis(survey_round=r3)
    assert (analysis.sent, analysis.returned, analysis.void, analysis.chased) == (5, 2, 1, 4)
    assert (analysis.pending, analysis.expired, analysis.other_sources) == (0, 2, 1)
    assert analysis.response_rate == 40.0
    assert (analysis.window_start, analysis.window_end) == (D(2026, 6, 15), D(2026, 12, 15))


def test_r_5_6_4_criterion_means_weighted_index_csat_and_distribution(three_rounds, english):
    *_rest, r3, _forms, _interview = three_rounds
    with clock.frozen(D(2026, 12, 20)):
        analysis = round_analysis(survey_round=r3)
    assert analysis.criteria == [
        CriterionMean("quality", "Product quality", 0.3, 4.67, 3),
        CriterionMean("delivery", "Delivery", 0.25, 3.67, 3),
        CriterionMean("price", "Price", 0.15, 4.0, 3),
        CriterionMean("service", "Service", 0.15, 4.67, 3),
        CriterionMean("communication", "Communication", 0.15, 4.67, 3),
    ]
    assert analysis.weighted_index == 4.32
    assert analysis.index_percent == 82.9
    assert analysis.csat == 86.7
    assert analysis.answers == 15
    assert analysis.distribution == [ScoreCount(1, 0), ScoreCount(2, 1), ScoreCount(3, 1), ScoreCount(4, 5),
                                     ScoreCount(5, 8)]


def test_r_5_6_4_criterion_labels_follow_the_language(three_rounds):
    *_rest, r3, _forms, _interview = three_rounds
    from django.utils import translation

    with translation.override("zh-hans"):
        labels = [c.label for c in round_analysis(survey_round=r3).criteria]
    assert labels == ["产品质量", "交货期", "价格", "服务", "沟通"]


def test_r_5_6_4_per_customer_rows_flag_the_dissatisfied(three_rounds, people):
    *_rest, r3, forms, interview = three_rounds
    with clock.frozen(D(2026, 12, 20)):
        analysis = round_analysis(survey_round=r3)
    rows = {row.customer_name: row for row in analysis.customers}
    assert set(rows) == {"A 有限公司", "B 有限公司", "F 有限公司"}  # C's late form is void
    a, b, f = rows["A 有限公司"], rows["B 有限公司"], rows["F 有限公司"]
    assert (a.weighted_index, a.mean, a.dissatisfied, a.capa_number) == (3.35, 3.4, True, None)
    assert a.form_number == forms[people["A"].pk].number
    assert (b.weighted_index, b.mean, b.dissatisfied) == (4.6, 4.6, False)
    assert (f.weighted_index, f.source, f.form_number) == (5.0, "interview", interview.number)
    assert analysis.dissatisfied_count == 1


def test_r_5_6_4_a_complaint_in_the_comments_is_a_dissatisfaction(three_rounds, people, sales):
    *_rest, r3, forms, _interview = three_rounds
    services.form_mark_complaint(form=forms[people["B"].pk], is_complaint=True, actor=sales)
    with clock.frozen(D(2026, 12, 20)):
        analysis = round_analysis(survey_round=r3)
    assert {row.customer_name for row in analysis.customers if row.dissatisfied} == {"A 有限公司", "B 有限公司"}


def test_r_5_6_4_trend_over_three_rounds_oldest_first(three_rounds):
    r1, r2, r3, _forms, _interview = three_rounds
    with clock.frozen(D(2026, 12, 20)):
        trend = round_analysis(survey_round=r3).trend
    assert [(p.round_number, p.label, p.response_rate, p.weighted_index, p.csat) for p in trend] == [
        (r1.number, "2025-10", 50.0, 3.0, 0.0),
        (r2.number, "2026-04", 100.0, 2.33, 33.3),
        (r3.number, "2026-10", 40.0, 4.32, 86.7),
    ]
    # An earlier round's analysis does not see later rounds.
    assert [p.round_number for p in round_analysis(survey_round=r2).trend] == [r1.number, r2.number]
    assert round_analysis(survey_round=r2).weighted_index == 2.33


def test_r_5_6_4_a_round_with_nothing_returned(people, sales):
    with clock.frozen(D(2026, 9, 1)):
        survey_round, _forms = sent_round(meeting_date=D(2026, 12, 15), customers=[people["A"]], actor=sales)
    analysis = round_analysis(survey_round=survey_round)
    assert (analysis.sent, analysis.returned, analysis.pending, analysis.response_rate) == (1, 0, 1, 0.0)
    assert analysis.weighted_index is None and analysis.index_percent is None and analysis.csat is None
    assert [c.mean for c in analysis.criteria] == [None] * 5
    assert [d.count for d in analysis.distribution] == [0] * 5
    assert analysis.customers == []


def test_r_5_6_4_customer_trend(three_rounds, people):
    with clock.frozen(D(2026, 12, 20)):
        trend = customer_trend(customer=people["A"])
    assert [(p.returned_on, p.weighted_index, p.dissatisfied) for p in trend] == [
        (D(2025, 11, 1), 3.0, False),
        (D(2026, 5, 1), 4.0, False),
        (D(2026, 10, 20), 3.35, True),
    ]


def _more_forms(survey_round_meeting: dt.date, count: int, sales):
    customers = [customer_with_contact() for _ in range(count)]
    with clock.frozen(D(2027, 1, 1)):
        survey_round, forms = sent_round(meeting_date=survey_round_meeting, customers=customers, actor=sales)
    for form in forms:
        _return(form, (4, 3, 5, 2, 4), survey_round.planned_send_on + dt.timedelta(days=3), sales)
    return survey_round


@pytest.mark.parametrize("count", [2, 12])
def test_r_5_6_4_a_fixed_number_of_queries(count, sales, django_assert_num_queries):
    earlier = _more_forms(D(2027, 6, 15), count, sales)
    _more_forms(D(2027, 12, 15), count, sales)
    survey_round = _more_forms(D(2028, 6, 15), count, sales)
    assert earlier.planned_send_on < survey_round.planned_send_on
    with clock.frozen(D(2028, 7, 1)), django_assert_num_queries(7):
        analysis = round_analysis(survey_round=survey_round)
    assert analysis.returned == count and len(analysis.trend) == 3 and len(analysis.customers) == count
