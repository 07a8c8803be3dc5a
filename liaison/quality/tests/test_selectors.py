"""Timers and overdue complaints (R-1.2) with the clock frozen; the complaint page; pinned queries."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.tests.factories import qc_head, sales, sales_head
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality import selectors
from liaison.quality.services.complaints import complaint_acknowledge, complaint_feed_back, complaint_record_result
from liaison.quality.services.feedback import feedback_record
from liaison.quality.services.returns import return_inspect
from liaison.quality.states import ComplaintKind, ComplaintStatus
from liaison.quality.tests.factories import acknowledged, capa, complaint, found, investigated, shipped

pytestmark = pytest.mark.django_db

REGISTERED = dt.datetime(2026, 4, 13, 10, 0)  # a Monday morning


@pytest.fixture
def complaints():
    with clock.frozen(REGISTERED):
        return {
            "new": complaint(complaint_date=dt.date(2026, 4, 13)),
            "passed_on": acknowledged(complaint_date=dt.date(2026, 4, 13)),
            "old": acknowledged(complaint_date=dt.date(2026, 3, 20)),  # resolve by 2026-04-04
        }


def flags(queryset) -> dict[str, tuple[bool, bool]]:
    return {c.number: (c.acknowledge_overdue, c.resolve_overdue) for c in queryset}


def test_r_1_2_nothing_is_overdue_within_the_timers(complaints):
    with clock.frozen(REGISTERED + dt.timedelta(hours=23, minutes=59)):
        overdue = list(selectors.complaint_overdue())
    assert [c.number for c in overdue] == [complaints["old"].number]


def test_r_1_2_unacknowledged_after_24_hours_is_acknowledgement_overdue(complaints):
    with clock.frozen(REGISTERED + dt.timedelta(hours=24, minutes=1)):
        found = flags(selectors.complaint_overdue())
    assert found == {
        complaints["new"].number: (True, False),
        complaints["old"].number: (False, True),
    }


def test_r_1_2_open_after_the_resolve_by_date_is_resolution_overdue(complaints):
    with clock.frozen(dt.date(2026, 4, 29)):  # resolve by 2026-04-28 for the two of 04-13
        found = flags(selectors.complaint_overdue())
    assert found == {
        complaints["new"].number: (True, True),
        complaints["passed_on"].number: (False, True),
        complaints["old"].number: (False, True),
    }
    with clock.frozen(dt.date(2026, 4, 28)):
        assert complaints["passed_on"].number not in flags(selectors.complaint_overdue())


def test_r_1_2_a_given_day_is_judged_at_its_end(complaints):
    found = flags(selectors.complaint_overdue(today=dt.date(2026, 4, 14)))
    assert found[complaints["new"].number] == (True, False)


def test_r_1_2_a_closed_complaint_is_never_overdue():
    with clock.frozen(REGISTERED):
        record = investigated(complaint_date=dt.date(2026, 4, 1))
        complaint_record_result(complaint=record, result="非我司責任", actor=qc_head())
        complaint_feed_back(
            complaint=record, channel="phone", summary="已說明", actor=qc_head()
        )
    with clock.frozen(dt.date(2026, 6, 1)):
        assert list(selectors.complaint_overdue()) == []
        assert list(selectors.complaint_list()) == []  # the list opens on the open ones
        listed = selectors.complaint_list(scope="all").get()
    assert listed.status == ComplaintStatus.CLOSED and not listed.is_overdue


def test_r_5_5_the_list_opens_on_open_complaints_overdue_first_and_all_lists_newest_first(
    django_assert_num_queries,
):
    with clock.frozen(dt.date(2026, 4, 1)):
        late = complaint(complaint_date=dt.date(2026, 4, 1))  # resolve by 04-16: late on 04-20
        closed = investigated(complaint_date=dt.date(2026, 4, 1))
        complaint_record_result(complaint=closed, result="非我司責任", actor=qc_head())
        complaint_feed_back(complaint=closed, channel="phone", summary="已說明", actor=qc_head())
    with clock.frozen(dt.date(2026, 4, 19)):
        recent = complaint(complaint_date=dt.date(2026, 4, 19))
    with clock.frozen(dt.date(2026, 4, 20)):
        with django_assert_num_queries(1):
            opened = list(selectors.complaint_list())
        assert opened == [late, recent] and opened[0].is_overdue
        with django_assert_num_queries(1):
            every = list(selectors.complaint_list(scope="all"))
        assert every == [recent, closed, late]  # newest registration first, overdue or not
        # A closed status or a search looks at every complaint without asking for "all".
        assert list(selectors.complaint_list(status=ComplaintStatus.CLOSED)) == [closed]
        assert list(selectors.complaint_list(query=closed.number)) == [closed]


def test_r_1_2_the_list_shows_overdue_first_and_filters(complaints, django_assert_num_queries):
    with clock.frozen(dt.date(2026, 4, 20)), django_assert_num_queries(1):
        rows = list(selectors.complaint_list())
    assert rows[0] == complaints["old"]
    with clock.frozen(dt.date(2026, 4, 20)), django_assert_num_queries(1):
        only = list(selectors.complaint_list(status=ComplaintStatus.REGISTERED))
    assert only == [complaints["new"]]
    with clock.frozen(dt.date(2026, 4, 20)):
        overdue = list(selectors.complaint_list(overdue_only=True))
    assert set(overdue) == {complaints["old"], complaints["new"]}


def test_the_list_finds_a_customer_in_either_script(django_assert_num_queries):
    with clock.frozen(REGISTERED):
        mine = complaint(customer=CustomerFactory(registered_name="東莞市恒達五金製品有限公司"))
        complaint(customer=CustomerFactory(registered_name="天津聯合電器有限公司"))
    with django_assert_num_queries(1):
        assert list(selectors.complaint_list(query="东莞 恒达")) == [mine]
    assert list(selectors.complaint_list(query=mine.number)) == [mine]


def test_the_complaint_page_reads_everything_in_six_queries(django_assert_num_queries):
    with clock.frozen(REGISTERED):
        customer, product, order = shipped(quantity=50)
        record = complaint(
            customer=customer,
            order=order,
            kind=ComplaintKind.RETURN,
            return_lines=[{"product": product, "quantity": 50}],
        )
        complaint_acknowledge(complaint=record, actor=sales_head())
        return_inspect(
            return_line=record.return_lines.get(),
            arrived=50,
            good=40,
            nonconforming=10,
            nonconformity="毛刺",
            actor=qc_head(),
        )
        capa(source=found(record))
        capa(source=record, closed=True)
    # Five, and the return lines' partial inspections read with the lines (one more, however many).
    with django_assert_num_queries(6):
        page = selectors.complaint_page(pk=record.pk)
        lines = [(line.product.code, line.good) for line in page.return_lines]
        ncrs = [(ncr.number, ncr.product.code) for ncr in page.nonconformances]
        capas = [(capa.number, capa.department.name, list(capa.steps.all())) for capa in page.capas]
    assert lines == [(product.code, 40)]
    assert ncrs == [("NCR-2026-0001", product.code)]
    assert len(capas) == 2
    assert page.complaint.customer == customer


def test_the_nonconformance_and_feedback_lists_pin_their_queries(django_assert_num_queries):
    with clock.frozen(REGISTERED):
        customer, product, _order = shipped(quantity=5)
        record = complaint(
            customer=customer,
            kind=ComplaintKind.RETURN,
            return_lines=[{"product": product, "quantity": 5}],
        )
        complaint_acknowledge(complaint=record, actor=sales_head())
        return_inspect(
            return_line=record.return_lines.get(),
            arrived=5,
            good=0,
            nonconforming=5,
            nonconformity="銹蝕",
            actor=qc_head(),
        )
        feedback_record(
            customer=customer, kind="praise", channel="phone", content="交貨準時", actor=sales()
        )
    with django_assert_num_queries(1):
        assert [r.return_line.complaint.customer for r in selectors.nonconformance_list()] == [
            customer
        ]
    with django_assert_num_queries(1):
        assert [f.customer for f in selectors.feedback_list(unanswered_only=True)] == [customer]
