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
    qc_inspector,
    sales,
    sales_admin,
    sales_head,
)
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.tests.factories import accepted_order, order_line
from liaison.production.models import ProductionNotice
from liaison.quality.errors import QualityErrorCode as Code
from liaison.quality.models import NonconformanceRecord, ReturnInspection, ReturnLine
from liaison.quality.services.complaints import (
    complaint_acknowledge,
    complaint_feed_back,
    complaint_investigate,
    complaint_record_result,
)
from liaison.quality.services.returns import (
    nonconformance_dispose,
    return_inspect,
    return_replace,
    return_rest_not_coming,
)
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


def test_r_5_5_2_2_a_line_inspected_in_full_has_nothing_left_to_inspect():
    record, line, _product = a_return(100)
    inspect(line)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line)
    assert refused.value.code == Code.NOTHING_LEFT_TO_INSPECT
    assert str(refused.value) == (
        f"Nothing of the returned {line.product} of {record.number} is left to inspect: 100 pcs inspected, "
        "0 pcs recorded as not coming, of 100 pcs returned."
    )
    assert snapshot(line) == before


# --- partial inspections: the goods arrive in several lots (issue 13, item 1) ------------------


def test_r_5_5_2_2_a_return_line_is_inspected_in_partial_inspections_that_add_up():
    """60 arrive today, 40 tomorrow: two inspections, each with its stock move and NCR; the line sums them."""
    record, line, product = a_return(100)
    first_inspector, second_inspector = qc_inspector(), UserFactory(roles=[Role.QC_INSPECTOR])
    inspect(line, actor=first_inspector, arrived=60, good=50, nonconforming=10, replacement_needed=10)
    line.refresh_from_db()
    assert (line.arrived, line.good, line.nonconforming, line.remaining, line.settled) == (60, 50, 10, 40, False)
    with clock.frozen(clock.now() + dt.timedelta(days=1)):
        inspect(line, actor=second_inspector, arrived=40, good=35, nonconforming=5, replacement_needed=5)
    line.refresh_from_db()
    assert (line.arrived, line.good, line.nonconforming, line.replacement_needed) == (100, 85, 15, 15)
    assert (line.remaining, line.settled, line.inspected_by) == (0, True, second_inspector)
    inspections = list(ReturnInspection.objects.filter(return_line=line).order_by("inspected_at"))
    assert [(i.arrived, i.good, i.nonconforming, i.replacement_needed, i.inspected_by) for i in inspections] == [
        (60, 50, 10, 10, first_inspector),
        (40, 35, 5, 5, second_inspector),
    ]
    # Each inspection put its good goods into stock and its nonconforming ones on their own NCR.
    moves = StockMove.objects.filter(product=product, reason=MoveReason.RETURN_GOOD).order_by("pk")
    assert [(move.quantity, move.balance_after, move.document_ref) for move in moves] == [
        (50, 50, record.number),
        (35, 85, record.number),
    ]
    assert stock_of(product=product) == 85
    records = list(NonconformanceRecord.objects.order_by("pk"))
    assert [(ncr.quantity, ncr.return_line) for ncr in records] == [(10, line), (5, line)]
    assert [inspection.nonconformance for inspection in inspections] == records
    # The line's history keeps each inspection; the customer's timeline tells both.
    assert line.history.filter(history_change_reason__startswith="Inspected").count() == 2
    summaries = list(
        TimelineEntry.objects.filter(event=TimelineEvent.RETURN_INSPECTED).order_by("pk").values_list("summary", flat=True)
    )
    assert len(summaries) == 2 and summaries[0].endswith("; 40 pcs still to inspect")
    # The replacement covers both inspections' needs.
    slip, notice = return_replace(complaint=record, actor=sales_admin())
    assert notice is None and [(item.product, item.quantity) for item in slip.lines.all()] == [(product, 15)]


def test_r_5_5_2_2_partial_inspections_never_exceed_the_returned_quantity():
    record, line, _product = a_return(100)
    inspect(line, arrived=60, good=60, nonconforming=0, nonconformity="")
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, arrived=50, good=50, nonconforming=0, nonconformity="")
    assert refused.value.code == Code.ARRIVED_MORE_THAN_RETURNED
    assert refused.value.field == "arrived"
    assert str(refused.value) == (
        f"50 pcs of {line.product} cannot have arrived: the customer returns 100 pcs, 60 pcs are already "
        "inspected and 0 pcs are not coming, so at most 40 pcs are still to inspect."
    )
    assert snapshot(line) == before


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"arrived": 0, "good": 0, "nonconforming": 0}, Code.INSPECTION_NOTHING_ARRIVED),
        # 60 to replace now on top of the 50 before: more than the 100 returned.
        ({"arrived": 40, "good": 0, "nonconforming": 40, "replacement_needed": 60}, Code.REPLACEMENT_MORE_THAN_RETURNED),
    ],
)
def test_r_5_5_2_2_a_wrong_partial_inspection_is_refused(overrides, code):
    _record, line, _product = a_return(100)
    inspect(line, arrived=60, good=10, nonconforming=50, replacement_needed=50)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, **overrides)
    assert refused.value.code == code
    assert snapshot(line) == before


def test_r_5_5_2_3_a_later_inspection_cannot_add_to_a_replacement_already_arranged():
    record, line, _product = a_return(100)
    inspect(line, arrived=60, good=50, nonconforming=10, replacement_needed=10)
    return_replace(complaint=record, actor=sales_admin())
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        inspect(line, arrived=40, good=30, nonconforming=10, replacement_needed=10)
    assert refused.value.code == Code.REPLACEMENT_ARRANGED_BEFORE
    assert snapshot(line) == before
    inspect(line, arrived=40, good=30, nonconforming=10, replacement_needed=0)
    line.refresh_from_db()
    assert (line.remaining, line.replacement_needed) == (0, 10)


def investigated_return(quantity=100):
    record, line, product = a_return(quantity)
    complaint_investigate(
        complaint=record,
        cause_category="man",
        why_chain=["包裝錯誤"],
        root_cause="新員工未培訓",
        containment="",
        company_at_fault=False,
        actor=qc_head(),
    )
    return record, line, product


def test_r_5_5_2_2_a_return_with_pieces_not_inspected_cannot_close():
    """60 of 100 inspected: no result, so no feedback and no close, until the rest is inspected or not coming."""
    record, line, _product = investigated_return(100)
    inspect(line, arrived=60, good=60, nonconforming=0, nonconformity="")
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        complaint_record_result(complaint=record, result="已處理", actor=qc_inspector())
    assert refused.value.code == Code.RETURN_NOT_INSPECTED
    assert str(refused.value) == (
        f"Return {record.number} still has goods not inspected ({line.product.code} 40 pcs): QC inspects them "
        "as they arrive, or records the rest as not coming (who and why), first."
    )
    record.refresh_from_db()
    assert record.status == ComplaintStatus.INVESTIGATED
    assert snapshot(line) == before


def test_r_5_5_2_2_the_rest_recorded_as_not_coming_lets_the_return_close():
    record, line, _product = investigated_return(100)
    inspect(line, arrived=60, good=60, nonconforming=0, nonconformity="")
    inspector = UserFactory(roles=[Role.QC_INSPECTOR])
    return_rest_not_coming(return_line=line, reason="客戶自行報廢餘下 40 件", actor=inspector)
    line.refresh_from_db()
    assert (line.not_coming, line.not_coming_reason, line.not_coming_by, line.not_coming_at) == (
        40,
        "客戶自行報廢餘下 40 件",
        inspector,
        clock.now(),
    )
    assert (line.remaining, line.settled) == (0, True)
    assert line.history.first().history_change_reason == "Rest not coming: 客戶自行報廢餘下 40 件"
    assert line.history.first().history_user == inspector
    entry = TimelineEntry.objects.get(event=TimelineEvent.RETURN_REST_NOT_COMING)
    assert entry.summary == f"{record.number} · {line.product.code}: 40 pcs not coming: 客戶自行報廢餘下 40 件"
    assert entry.customer == record.customer
    # Nothing more can be inspected; the return gets its result, is fed back and closes.
    with pytest.raises(LiaisonError) as refused:
        inspect(line, arrived=1, good=1, nonconforming=0, nonconformity="")
    assert refused.value.code == Code.NOTHING_LEFT_TO_INSPECT
    complaint_record_result(complaint=record, result="已處理", actor=qc_inspector())
    closed = complaint_feed_back(complaint=record, channel="phone", summary="已說明", actor=qc_head())
    assert closed.status == ComplaintStatus.CLOSED


def test_r_5_5_2_2_recording_the_rest_as_not_coming_needs_a_reason_and_qc():
    _record, line, _product = a_return(100)
    inspect(line, arrived=60, good=60, nonconforming=0, nonconformity="")
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        return_rest_not_coming(return_line=line, reason="  ", actor=qc_inspector())
    assert refused.value.code == Code.NOT_COMING_REASON_REQUIRED
    assert str(refused.value) == f"Say why the rest of the returned {line.product} (40 pcs) is not coming."
    with pytest.raises(LiaisonError) as refused:
        return_rest_not_coming(return_line=line, reason="客戶保留", actor=sales())
    assert refused.value.code == Code.NOT_ALLOWED
    assert snapshot(line) == before


def test_r_5_5_2_2_nothing_is_recorded_as_not_coming_once_all_is_inspected():
    _record, line, _product = a_return(100)
    inspect(line)
    before = snapshot(line)
    with pytest.raises(LiaisonError) as refused:
        return_rest_not_coming(return_line=line, reason="客戶保留", actor=qc_inspector())
    assert refused.value.code == Code.NOTHING_LEFT_TO_INSPECT
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
