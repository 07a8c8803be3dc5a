"""Each print selector reads its record in a fixed number of queries, whatever its size."""

import datetime as dt

import pytest

from liaison.documents import selectors
from liaison.documents.tests.data import chain

pytestmark = pytest.mark.django_db


def _touch_f1(order):
    return [line.product.code for line in order.lines.all()] + [c.asked_by for c in order.clarifications.all()]


def test_query_counts(django_assert_num_queries):
    data = chain()

    with django_assert_num_queries(3):
        order = selectors.order_for_f1(pk=data.order.pk)
        _touch_f1(order)
        assert order.customer.registered_name and order.received_document.number
    with django_assert_num_queries(2):
        review_round = selectors.review_round_for_f2(pk=data.review_round.pk)
        assert [s.department.name for s in review_round.sign_offs.all()]
        assert review_round.order.customer.registered_name
    with django_assert_num_queries(2):
        order = selectors.order_for_f3(pk=data.order.pk)
        assert [change.created_by for change in order.changes.all()]
    with django_assert_num_queries(2):
        notice = selectors.notice_for_f4(pk=data.old_notice.pk)
        assert notice.superseded_by.number and notice.order.customer.registered_name
        assert [line.order_line.line_no for line in notice.lines.all()]
        assert notice.supersedes if hasattr(notice, "supersedes") else True
    with django_assert_num_queries(2):
        records = selectors.communications_for_f5(
            customer=data.customer, date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31)
        )
        assert [(record.staff, record.about) for record in records]
    with django_assert_num_queries(2):
        slip = selectors.slip_for_f8(pk=data.slip.pk)
        assert [line.product.code for line in slip.lines.all()] and slip.customer.registered_name


def test_f5_period_is_inclusive_in_local_dates():
    data = chain()

    records = selectors.communications_for_f5(
        customer=data.customer, date_from=dt.date(2026, 3, 2), date_to=dt.date(2026, 3, 5)
    )

    assert [record.occurred_at.day for record in records] == [2, 5]
