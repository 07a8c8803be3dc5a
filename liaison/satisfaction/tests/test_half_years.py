"""R-5.6.3 "at least twice a year": every year with management reviews, only rounds sent for a review held or coming."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.reviews import services as review_services
from liaison.reviews.tests.factories import planned
from liaison.satisfaction import selectors, services
from liaison.satisfaction.selectors import HalfYearGap
from liaison.satisfaction.tests.factories import customer_with_contact, sent_round

pytestmark = pytest.mark.django_db

D = dt.date


def gaps(today=D(2026, 11, 27)):
    return [(gap.year, gap.half) for gap in selectors.half_years_without_round(today=today)]


def test_r_5_6_3_every_year_with_reviews_is_checked_not_only_this_one(sales):
    assert gaps() == [(2026, 1), (2026, 2)]  # no review at all: this year still
    planned(meeting_date=D(2028, 6, 15))
    planned(meeting_date=D(2024, 12, 10))
    assert gaps() == [(2024, 1), (2024, 2), (2026, 1), (2026, 2), (2028, 1), (2028, 2)]


def test_r_5_6_3_a_round_counts_once_sent_not_when_only_planned(sales):
    survey_round = services.round_plan(meeting=planned(meeting_date=D(2027, 6, 15)), actor=sales)  # goes 2027-04-15
    assert selectors.half_years_without_round(today=D(2026, 11, 27)) == [
        HalfYearGap(2026, 1), HalfYearGap(2026, 2), HalfYearGap(2027, 1, (D(2027, 4, 15),)), HalfYearGap(2027, 2),
    ]
    # Its day passes and it is still not sent: the half-year is still uncovered.
    assert (2027, 1) in gaps(today=D(2027, 5, 1))
    with clock.frozen(D(2027, 4, 20)):
        services.round_send(survey_round=survey_round, customers=[customer_with_contact()], channel="post",
                            actor=sales)
    assert gaps() == [(2026, 1), (2026, 2), (2027, 2)]


def test_r_5_6_3_a_round_of_a_cancelled_review_does_not_count(sales):
    survey_round, _forms = sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales)
    assert gaps() == [(2026, 1), (2027, 1), (2027, 2)]  # sent 2026-11-27
    review_services.meeting_cancel(meeting=survey_round.meeting, reason="改期", actor=survey_round.meeting.chair)
    assert gaps() == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]


def test_r_5_6_3_a_cancelled_unsent_round_does_not_count(sales):
    survey_round = services.round_plan(meeting=planned(meeting_date=D(2027, 6, 15)), actor=sales)
    review_services.meeting_cancel(meeting=survey_round.meeting, reason="取消", actor=survey_round.meeting.chair)
    assert HalfYearGap(2027, 1) in selectors.half_years_without_round(today=D(2026, 11, 27))


@pytest.mark.parametrize(
    ("send_on", "meeting_date", "covered"),
    [
        (D(2027, 6, 30), D(2027, 8, 31), (2027, 1)),
        (D(2027, 7, 1), D(2027, 9, 1), (2027, 2)),
        (D(2027, 12, 31), D(2028, 2, 28), (2027, 2)),
        (D(2028, 1, 1), D(2028, 3, 1), (2028, 1)),
    ],
)
def test_r_5_6_3_half_year_boundaries(sales, send_on, meeting_date, covered):
    planned(meeting_date=D(2027, 3, 1))
    planned(meeting_date=D(2028, 9, 1))  # 2027 and 2028 both have reviews
    before = gaps()
    assert covered in before
    sent_round(meeting_date=meeting_date, customers=[customer_with_contact()], actor=sales, send_on=send_on)
    assert gaps() == [gap for gap in before if gap != covered]


def test_r_5_6_3_half_year_gaps_cost_two_queries(sales, django_assert_num_queries):
    sent_round(meeting_date=D(2027, 1, 27), customers=[customer_with_contact()], actor=sales)
    planned(meeting_date=D(2028, 6, 15))
    with django_assert_num_queries(2):
        selectors.half_years_without_round(today=D(2026, 11, 27))
