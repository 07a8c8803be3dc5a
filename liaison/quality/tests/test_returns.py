"""Returned goods: inspection into stock or nonconformance (R-5.5.2.2), replacement with 補貨 (R-5.5.2.3)."""

import datetime as dt
from decimal import Decimal

import pytest

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    UserFactory,
    WorkshopFactory,
    frozen_today,
    qc_head,
    sales,
    sales_admin,
    sales_head,
)
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.tests.factories import accepted_order, order_line
from liaison.production.models import ProductionNotice
from liaison.quality.errors import QualityErrorCode as Code
from liaison.quality.models import NonconformanceRecord, ReturnLine
from liaison.quality.services.complaints import complaint_acknowledge, complaint_investigate, complaint_record_result
from liaison.quality.services.returns import nonconformance_dispose, return_inspect, return_replace
from liaison.quality.states import ComplaintKind, ComplaintStatus, Disposition
from liaison.quality.tests.factories import complaint, shipped
from liaison.stock.models import OutboundSlip, StockMove
from liaison.stock.selectors import stock_of
from liaison.stock.services import slip_issue
from liaison.stock.states import MoveReason

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = dt.date(2026, 5, 4)


today = frozen_today(TODAY)


def a_return(quantity=100, *, acknowledge=True, returned=None):
    customer, product, order = shipped(quantity=quantity)
    record = complaint(
        customer=customer,
        order=order,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": returned or quantity}],
        content="整批退貨：螺紋不良",
    )
    if acknowledge:
        complaint_acknowledge(complaint=record, actor=sales_head())
    return record, record.return_lines.get(), product


def snapshot(line: ReturnLine) -> tuple:
    line.refresh_from_db()
    row = {f.attname: getattr(line, f.attname) for f in ReturnLine._meta.concrete_fields}
    return (
        row,
        line.history.count(),
        StockMove.objects.count(),
        NonconformanceRecord.objects.count(),
        TimelineEntry.objects.count(),
    )


def inspect(line, *, actor=None, **overrides):
    values = {"arrived": 100, "good": 70, "nonconforming": 30, "nonconformity": "牙距超差"}
    values.update(overrides)
    return return_inspect(return_line=line, actor=actor or qc_head(), **values)


def test_story_5_return_of_100_pieces():
    """100 returned: 70 good to stock, 30 nonconforming on an NCR; replace 30 with stock 10 → slip 10, notice 20."""
    record, line, product = a_return(100)
    assert stock_of(product=product) == 0  # everything went to the customer
    inspector = qc_head()
    return_inspect(
        return_line=line,
        arrived=100,
        good=70,
        nonconforming=30,
        replacement_needed=30,
        nonconformity="牙距超差，通止規不通過",
        actor=inspector,
    )
    line.refresh_from_db()
    assert (line.arrived, line.good, line.nonconforming, line.replacement_needed) == (
        100,
        70,
        30,
        30,
    )
    assert (line.inspected_by, line.inspected_at) == (inspector, clock.now())
    # R-5.5.2.2: the good ones go back into stock …
    move = StockMove.objects.get(product=product, reason=MoveReason.RETURN_GOOD)
    assert (move.quantity, move.balance_after, move.document_ref) == (70, 70, record.number)
    # … the nonconforming ones to nonconforming-product control.
    ncr = NonconformanceRecord.objects.get()
    assert (ncr.number, ncr.quantity, ncr.product, ncr.return_line) == (
        "NCR-2026-0001",
        30,
        product,
        line,
    )
    assert (
        TimelineEntry.objects.filter(
            event=TimelineEvent.RETURN_INSPECTED, customer=record.customer
        ).count()
        == 1
    )
    nonconformance_dispose(
        record=ncr, disposition=Disposition.SCRAP, note="報廢", actor=inspector
    )

    # Meanwhile 60 of the 70 leave on another customer's order: stock has 10.
    assert stock_of(product=product) == 70
    _ship_elsewhere(product, Decimal(60))
    assert stock_of(product=product) == 10

    # R-5.5.2.3: the sales administrator arranges the replacement of 30.
    workshop = WorkshopFactory(name="二車間")
    slip, notice = return_replace(
        complaint=record,
        actor=sales_admin(),
        workshop=workshop,
        due_date=TODAY + dt.timedelta(days=10),
    )
    assert slip.replenishment and notice.replenishment
    assert [(slip_line.product, slip_line.quantity) for slip_line in slip.lines.all()] == [
        (product, 10)
    ]
    assert [(notice_line.product, notice_line.quantity) for notice_line in notice.lines.all()] == [
        (product, 20)
    ]
    assert slip.customer == record.customer and notice.order == record.order
    assert notice.workshop == workshop
    assert stock_of(product=product) == 0


def _ship_elsewhere(product, quantity: Decimal) -> None:
    """The warehouse's other business: a regular shipment to another customer's order."""
    order = accepted_order(lines=[order_line(product=product, quantity=quantity)])
    line = order.lines.get()
    slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": product, "order_line": line, "quantity": quantity}],
        actor=sales_admin(),
    )


def test_r_5_5_2_2_inspecting_more_than_arrived_is_refused_and_nothing_changes():
    _record, line, _product = a_return(100)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, arrived=90, good=70, nonconforming=30)
    assert refused.value.code == Code.INSPECTED_MORE_THAN_ARRIVED
    assert str(refused.value).startswith(
        "Inspecting more than arrived: 70 good and 30 nonconforming make 100 pcs"
    )
    assert "only 90 pcs arrived" in str(refused.value)
    assert snapshot(line) == before


def test_r_5_5_2_2_qc_inspects_everything_that_arrived():
    _record, line, _product = a_return(100)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, arrived=100, good=60, nonconforming=30)
    assert refused.value.code == Code.INSPECTION_INCOMPLETE
    assert snapshot(line) == before


def test_r_5_5_2_2_no_more_can_arrive_than_was_returned():
    _record, line, _product = a_return(100, returned=50)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, arrived=60, good=60, nonconforming=0)
    assert refused.value.code == Code.ARRIVED_MORE_THAN_RETURNED
    assert snapshot(line) == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"good": -1, "nonconforming": 101}, Code.INSPECTION_QUANTITY_NEGATIVE),
        ({"nonconformity": ""}, Code.NONCONFORMITY_REQUIRED),
        ({"replacement_needed": 101}, Code.REPLACEMENT_MORE_THAN_RETURNED),
    ],
)
def test_r_5_5_2_2_a_wrong_inspection_is_refused(overrides, code):
    _record, line, _product = a_return(100)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, **overrides)
    assert refused.value.code == code
    assert snapshot(line) == before


def test_r_5_5_2_2_a_line_is_inspected_once():
    _record, line, _product = a_return(100)
    inspect(line)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line)
    assert refused.value.code == Code.LINE_ALREADY_INSPECTED
    assert snapshot(line) == before


def test_r_5_5_2_2_goods_are_inspected_after_sales_passed_the_return_to_qc():
    _record, line, _product = a_return(100, acknowledge=False)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line)
    assert refused.value.code == Code.WRONG_STATUS
    assert snapshot(line) == before


@pytest.mark.parametrize(
    "role", [Role.SALES_STAFF, Role.SALES_ADMIN, Role.WAREHOUSE_CLERK, Role.WORKSHOP_LEAD]
)
def test_r_5_5_2_2_only_qc_inspects_returned_goods(role):
    _record, line, _product = a_return(100)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, actor=UserFactory(roles=[role]))
    assert refused.value.code == Code.NOT_ALLOWED
    assert snapshot(line) == before


def test_r_5_5_2_2_all_good_makes_no_nonconformance_record():
    _record, line, product = a_return(20)
    inspect(line, arrived=20, good=20, nonconforming=0, nonconformity="")
    assert not NonconformanceRecord.objects.exists()
    assert stock_of(product=product) == 20


def test_r_5_5_2_1_a_return_gets_its_result_only_once_all_goods_are_inspected():
    record, line, _product = a_return(100)
    complaint_investigate(
        complaint=record,
        cause_category="man",
        why_chain=["包裝錯誤"],
        root_cause="新員工未培訓",
        containment="",
        company_at_fault=False,
        actor=qc_head(),
    )
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result="已處理", actor=qc_head())
    assert refused.value.code == Code.RETURN_NOT_INSPECTED
    inspect(line)
    complaint_record_result(complaint=record, result="已處理", actor=qc_head())
    record.refresh_from_db()
    assert record.status == ComplaintStatus.RESULT_RECORDED


# --- nonconformance ------------------------------------------------------------------------


@pytest.fixture
def ncr():
    _record, line, _product = a_return(100)
    inspect(line)
    return NonconformanceRecord.objects.get()


def ncr_snapshot(record):
    record.refresh_from_db()
    return {
        f.attname: getattr(record, f.attname) for f in NonconformanceRecord._meta.concrete_fields
    }, (record.history.count())


def test_r_5_5_2_2_a_concession_names_who_authorised_it(ncr):
    before = ncr_snapshot(ncr)
    with pytest.raises(LiaisonError) as refused:
        nonconformance_dispose(
            record=ncr, disposition=Disposition.CONCESSION, note="", actor=qc_head()
        )
    assert refused.value.code == Code.CONCESSION_NOT_AUTHORISED
    assert ncr_snapshot(ncr) == before
    inspector = qc_head()
    nonconformance_dispose(
        record=ncr,
        disposition=Disposition.CONCESSION,
        note="客戶同意讓步接收",
        concession_authorised_by="陳志強（客戶品質經理）",
        actor=inspector,
    )
    ncr.refresh_from_db()
    assert (ncr.disposition, ncr.disposed_by, ncr.disposed_at) == (
        Disposition.CONCESSION,
        inspector,
        clock.now(),
    )
    assert ncr.concession_authorised_by == "陳志強（客戶品質經理）"


def test_r_5_5_2_2_a_disposition_is_decided_once_by_qc(ncr):
    before = ncr_snapshot(ncr)
    for actor, disposition, code in [
        (sales(), Disposition.REWORK, Code.NOT_ALLOWED),
        (qc_head(), "melt", Code.DISPOSITION_INVALID),
    ]:
        with pytest.raises(LiaisonError) as refused:
            nonconformance_dispose(
                record=ncr, disposition=disposition, note="", actor=actor
            )
        assert refused.value.code == code
    assert ncr_snapshot(ncr) == before
    nonconformance_dispose(
        record=ncr, disposition=Disposition.REWORK, note="返工", actor=qc_head()
    )
    before = ncr_snapshot(ncr)
    with pytest.raises(LiaisonError) as refused:
        nonconformance_dispose(
            record=ncr, disposition=Disposition.SCRAP, note="", actor=qc_head()
        )
    assert refused.value.code == Code.ALREADY_DISPOSED
    assert ncr_snapshot(ncr) == before


# --- replacement ---------------------------------------------------------------------------


def replace_snapshot():
    return OutboundSlip.objects.count(), ProductionNotice.objects.count(), StockMove.objects.count()


def test_r_5_5_2_3_stock_covering_everything_ships_without_a_notice():
    record, line, product = a_return(100)
    inspect(line, replacement_needed=30)  # 70 good back in stock
    slip, notice = return_replace(complaint=record, actor=sales_admin())
    assert notice is None
    assert [(item.product, item.quantity) for item in slip.lines.all()] == [(product, 30)]
    assert slip.note == f"補貨 {record.number}"
    assert stock_of(product=product) == 40


def test_r_5_5_2_3_no_stock_makes_only_a_notice():
    record, line, product = a_return(10)
    inspect(line, arrived=10, good=0, nonconforming=10, replacement_needed=10)
    slip, notice = return_replace(
        complaint=record, actor=sales_admin(), workshop=WorkshopFactory(), due_date=TODAY
    )
    assert slip is None
    assert [(item.product, item.quantity) for item in notice.lines.all()] == [(product, 10)]


def test_r_5_5_2_3_a_return_is_replaced_once():
    record, line, _product = a_return(100)
    inspect(line, replacement_needed=30)
    return_replace(complaint=record, actor=sales_admin())
    before = replace_snapshot()
    with pytest.raises(LiaisonError) as refused:
        return_replace(complaint=record, actor=sales_admin())
    assert refused.value.code == Code.ALREADY_REPLACED
    assert replace_snapshot() == before


def test_r_5_5_2_3_nothing_to_replace_is_refused():
    record, line, _product = a_return(100)
    before = replace_snapshot()
    with pytest.raises(LiaisonError) as refused:  # not inspected yet
        return_replace(complaint=record, actor=sales_admin())
    assert refused.value.code == Code.NOTHING_TO_REPLACE
    inspect(line, replacement_needed=0)
    with pytest.raises(LiaisonError) as refused:
        return_replace(complaint=record, actor=sales_admin())
    assert refused.value.code == Code.NOTHING_TO_REPLACE
    assert replace_snapshot()[:2] == before[:2]


def test_r_5_5_2_3_a_complaint_has_nothing_to_replace():
    with pytest.raises(LiaisonError) as refused:
        return_replace(complaint=complaint(), actor=sales_admin())
    assert refused.value.code == Code.NOT_A_RETURN


@pytest.mark.parametrize("role", [Role.SALES_STAFF, Role.QC_INSPECTOR, Role.WAREHOUSE_CLERK])
def test_r_5_5_2_3_the_sales_administrator_arranges_the_replacement(role):
    record, line, _product = a_return(100)
    inspect(line, replacement_needed=30)
    before = replace_snapshot()
    with pytest.raises(LiaisonError) as refused:
        return_replace(complaint=record, actor=UserFactory(roles=[role]))
    assert refused.value.code == Code.NOT_ALLOWED
    assert replace_snapshot() == before


def test_r_5_5_2_3_a_refused_notice_ships_nothing_either():
    record, line, _product = a_return(10)
    inspect(line, arrived=10, good=5, nonconforming=5, replacement_needed=10)  # stock 5, short 5
    before = replace_snapshot()
    with pytest.raises(LiaisonError) as refused:
        return_replace(
            complaint=record, actor=sales_admin(), workshop=None, due_date=TODAY
        )
    assert refused.value.code == Code.WORKSHOP_REQUIRED
    with pytest.raises(
        LiaisonError
    ):  # the due date is past: notice_issue refuses, the slip goes too
        return_replace(
            complaint=record,
            actor=sales_admin(),
            workshop=WorkshopFactory(),
            due_date=TODAY - dt.timedelta(days=1),
        )
    assert replace_snapshot() == before
