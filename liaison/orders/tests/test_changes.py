"""The contract change register, F3: company delays (R-5.3.1) and customer changes (R-5.3.2)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from liaison.communications.models import CommunicationRecord
from liaison.communications.states import CommunicationChannel, Direction, Topic
from liaison.core.errors import LiaisonError
from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.tests.db import data_migration_run
from liaison.core.tests.factories import UserFactory, frozen_today, local, sales_admin, workshop
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.errors import OrderErrorCode
from liaison.orders.models import ChangeEntry
from liaison.orders.selectors import order_list
from liaison.orders.services import (
    change_apply,
    change_record_agreement,
    change_register,
    change_withdraw,
    order_delivery_reply,
    review_decide,
)
from liaison.orders.states import (
    ChangeKind,
    ChangeReasonCategory,
    ChangeStatus,
    OrderStatus,
    ReviewOutcome,
    ReviewRoundReason,
    ReviewRoundStatus,
)
from liaison.orders.tests.factories import OrderFactory, accepted_order, order_line, review_pass
from liaison.production.models import ProductionNotice
from liaison.production.services import notice_complete, notice_issue
from liaison.production.states import NoticeStatus
from liaison.stock.services import slip_issue
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

TODAY = local(2026, 3, 10)


today = frozen_today(TODAY)


def notice_for(order, quantity=None, actor=None):
    line = order.lines.get()
    return notice_issue(
        order=order,
        workshop=workshop(),
        due_date=dt.date(2026, 3, 25),
        lines=[
            {"product": line.product, "quantity": quantity or line.quantity, "order_line": line}
        ],
        actor=actor or sales_admin(),
    )


def delay(order, **overrides):
    values = {
        "kind": ChangeKind.COMPANY,
        "reason_category": ChangeReasonCategory.MATERIAL,
        "reason": "SUS304 線材缺貨，供應商延後兩週",
        "new_due_date": dt.date(2026, 4, 8),
        "actor": overrides.pop("actor", None) or sales_admin(),
    }
    values.update(overrides)
    return change_register(order=order, **values)


def customer_change(order, **overrides):
    values = {
        "kind": ChangeKind.CUSTOMER,
        "reason_category": ChangeReasonCategory.CUSTOMER_REQUEST,
        "reason": "客戶追加數量",
        "change_details": "數量 100 → 150",
        "requested_via": CommunicationChannel.EMAIL,
        "actor": overrides.pop("actor", None) or sales_admin(),
    }
    values.update(overrides)
    return change_register(order=order, **values)


def agree(change, **overrides):
    values = {
        "agreed_by": "陳經理",
        "agreed_at": local(2026, 3, 10, 8),
        "via": CommunicationChannel.PHONE,
        "actor": overrides.pop("actor", None) or sales_admin(),
    }
    values.update(overrides)
    return change_record_agreement(change=change, **values)


def nothing_registered(order):
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED
    assert not ChangeEntry.objects.exists()
    assert not DocumentCounter.objects.filter(doc_type="CHG", last_number__gt=0).exists()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.CHANGE_REGISTERED).exists()
    assert order.review_rounds.count() == 1


# ── registering ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "category",
    [c for c in ChangeReasonCategory.values if c != ChangeReasonCategory.CUSTOMER_REQUEST],
)
def test_r_5_3_1_company_delay_is_registered_with_its_reason_category(category):
    order = accepted_order()
    clerk = sales_admin()
    change = delay(order, reason_category=category, actor=clerk)
    change.refresh_from_db()
    assert change.number == "CHG-2026-0001" and change.status == ChangeStatus.REGISTERED
    assert (change.order, change.kind, change.reason_category, change.new_due_date) == (
        order,
        ChangeKind.COMPANY,
        category,
        dt.date(2026, 4, 8),
    )
    assert change.reason == "SUS304 線材缺貨，供應商延後兩週" and change.created_by == clerk
    order.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and order.review_rounds.count() == 1
    entry = TimelineEntry.objects.get(event=TimelineEvent.CHANGE_REGISTERED)
    assert entry.about == change and change.number in entry.summary


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        (
            OrderErrorCode.WRONG_CHANGE_CATEGORY,
            {"reason_category": ChangeReasonCategory.CUSTOMER_REQUEST},
        ),
        (OrderErrorCode.WRONG_CHANGE_CATEGORY, {"reason_category": ""}),
        (OrderErrorCode.WRONG_CHANGE_CATEGORY, {"reason_category": "weather"}),
        (OrderErrorCode.REASON_REQUIRED, {"reason": " "}),
        (OrderErrorCode.NEW_DUE_DATE_REQUIRED, {"new_due_date": None}),
        (OrderErrorCode.UNKNOWN_CHANGE_KIND, {"kind": "supplier"}),
    ],
)
def test_r_5_3_1_a_delay_needs_a_company_category_a_reason_and_the_new_date(code, overrides):
    order = accepted_order()
    with pytest.raises(LiaisonError) as refused:
        delay(order, **overrides)
    assert refused.value.code == code
    nothing_registered(order)


def test_wrong_category_names_the_allowed_ones():
    order = accepted_order()
    with pytest.raises(LiaisonError) as refused:
        delay(order, reason_category=ChangeReasonCategory.CUSTOMER_REQUEST)
    with translation.override("en"):
        message = str(refused.value)
    assert message.startswith("“Customer request” is not a reason category")
    assert "Material" in message and "Equipment" in message


def test_a_customer_change_with_a_company_category_is_refused():
    order = accepted_order()
    with pytest.raises(LiaisonError) as refused:
        customer_change(order, reason_category=ChangeReasonCategory.MATERIAL)
    assert refused.value.code == OrderErrorCode.WRONG_CHANGE_CATEGORY
    nothing_registered(order)


def test_no_change_on_an_order_not_accepted():
    order = OrderFactory()
    with pytest.raises(LiaisonError) as refused:
        delay(order)
    assert refused.value.code == OrderErrorCode.ORDER_NOT_ACCEPTED
    assert not ChangeEntry.objects.exists()


def test_a_second_change_waits_until_the_first_is_done():
    order = accepted_order()
    first = delay(order)
    with pytest.raises(LiaisonError) as refused:
        delay(order, reason_category=ChangeReasonCategory.EQUIPMENT)
    assert refused.value.code == OrderErrorCode.CHANGE_PENDING and first.number in str(
        refused.value
    )
    assert ChangeEntry.objects.get() == first


@pytest.mark.parametrize(
    "role", [Role.QC_HEAD, Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT]
)
def test_r_3_5_only_sales_keeps_the_change_register(role):
    order = accepted_order()
    with pytest.raises(LiaisonError) as refused:
        delay(order, actor=UserFactory(roles=[role]))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    nothing_registered(order)
    delay(order, actor=UserFactory(roles=[Role.SALES_STAFF]))


# ── the customer's agreement ───────────────────────────────────────


def test_r_5_3_1_customer_agreement_records_who_when_and_how():
    order = accepted_order()
    change = delay(order)
    clerk = sales_admin()
    agree(change, actor=clerk)
    change.refresh_from_db()
    assert change.status == ChangeStatus.AGREED
    assert (change.customer_agreed_by, change.customer_agreed_at, change.customer_agreed_via) == (
        "陳經理",
        local(2026, 3, 10, 8),
        CommunicationChannel.PHONE,
    )
    assert change.agreement_recorded_by == clerk
    record = CommunicationRecord.objects.get(topic=Topic.ORDER_CHANGE)
    assert (record.direction, record.channel, record.occurred_at, record.about, record.staff) == (
        Direction.FROM_CUSTOMER,
        CommunicationChannel.PHONE,
        local(2026, 3, 10, 8),
        change,
        clerk,
    )
    assert change.number in record.summary and "陳經理" in record.summary
    entry = TimelineEntry.objects.get(event=TimelineEvent.CHANGE_AGREED)
    assert entry.about == change and entry.occurred_at == local(2026, 3, 10, 8)


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        (OrderErrorCode.AGREED_BY_REQUIRED, {"agreed_by": ""}),
        (OrderErrorCode.UNKNOWN_CHANNEL, {"via": "pigeon"}),
        (OrderErrorCode.OCCURRED_IN_FUTURE, {"agreed_at": local(2026, 3, 10, 11)}),
    ],
)
def test_r_5_3_1_agreement_without_who_how_or_with_a_future_date_is_refused(code, overrides):
    change = delay(accepted_order())
    with pytest.raises(LiaisonError) as refused:
        agree(change, **overrides)
    assert refused.value.code == code
    change.refresh_from_db()
    assert change.status == ChangeStatus.REGISTERED and change.customer_agreed_by == ""
    assert not CommunicationRecord.objects.filter(topic=Topic.ORDER_CHANGE).exists()


def test_agreeing_twice_is_refused():
    change = agree(delay(accepted_order()))
    with pytest.raises(LiaisonError) as refused:
        agree(change, agreed_by="王總")
    assert refused.value.code == OrderErrorCode.CHANGE_NOT_OPEN and refused.value.conflict
    change.refresh_from_db()
    assert change.customer_agreed_by == "陳經理"
    assert CommunicationRecord.objects.filter(topic=Topic.ORDER_CHANGE).count() == 1


def test_a_customer_change_is_agreed_by_its_review_not_by_this_step():
    change = customer_change(accepted_order())
    with pytest.raises(LiaisonError) as refused:
        agree(change)
    assert refused.value.code == OrderErrorCode.CHANGE_AGREED_BY_REVIEW
    change.refresh_from_db()
    assert change.status == ChangeStatus.UNDER_REVIEW


def test_agreement_is_sales_work():
    change = delay(accepted_order())
    with pytest.raises(LiaisonError) as refused:
        agree(change, actor=UserFactory(roles=[Role.WAREHOUSE_CLERK]))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    change.refresh_from_db()
    assert change.status == ChangeStatus.REGISTERED


# ── applying: the new notice replaces the old ─────────────


def test_r_5_3_1_after_agreement_a_new_notice_replaces_the_void_original():
    order = accepted_order()
    original = notice_for(order)
    change = agree(delay(order))
    clerk = sales_admin()
    [successor] = change_apply(change=change, actor=clerk)
    original.refresh_from_db()
    change.refresh_from_db()
    assert original.status == NoticeStatus.VOID and original.superseded_by == successor
    assert original.voided_by == clerk and change.number in original.void_reason
    assert successor.status == NoticeStatus.ISSUED and successor.change == change
    assert successor.due_date == dt.date(2026, 4, 8) and successor.order == order
    assert [(line.product, line.quantity) for line in successor.lines.all()] == [
        (line.product, line.quantity) for line in original.lines.all()
    ]
    assert change.status == ChangeStatus.APPLIED
    assert change.history.first().history_change_reason == f"Applied: {successor.number}"


def test_an_explicit_due_date_wins_over_the_changes():
    order = accepted_order()
    notice_for(order)
    change = agree(delay(order))
    [successor] = change_apply(change=change, actor=sales_admin(), due_date=dt.date(2026, 4, 20))
    assert successor.due_date == dt.date(2026, 4, 20)


def test_r_5_3_1_no_new_notice_before_the_customer_agreed():
    order = accepted_order()
    original = notice_for(order)
    change = delay(order)
    with pytest.raises(LiaisonError) as refused:
        change_apply(change=change, actor=sales_admin())
    assert refused.value.code == OrderErrorCode.CHANGE_NOT_AGREED and change.number in str(
        refused.value
    )
    original.refresh_from_db()
    change.refresh_from_db()
    assert original.status == NoticeStatus.ISSUED and change.status == ChangeStatus.REGISTERED
    assert ProductionNotice.objects.count() == 1


def test_applying_twice_is_refused():
    order = accepted_order()
    notice_for(order)
    change = agree(delay(order))
    change_apply(change=change, actor=sales_admin())
    with pytest.raises(LiaisonError) as refused:
        change_apply(change=change, actor=sales_admin())
    assert refused.value.code == OrderErrorCode.CHANGE_NOT_AGREED
    assert ProductionNotice.objects.count() == 2


def test_r_3_1_the_sales_administrator_issues_the_new_notice_not_the_clerk():
    order = accepted_order()
    original = notice_for(order)
    change = agree(delay(order))
    with pytest.raises(LiaisonError) as refused:
        change_apply(change=change, actor=UserFactory(roles=[Role.SALES_STAFF]))
    assert refused.value.code == OrderErrorCode.NOT_ALLOWED
    original.refresh_from_db()
    assert original.status == NoticeStatus.ISSUED


def test_a_completed_notice_is_left_alone():
    from liaison.production.services import notice_complete

    order = accepted_order()
    done = notice_for(order, quantity=Decimal(40))
    notice_complete(notice=done, actor=UserFactory(roles=[Role.ADMINISTRATOR]))
    open_one = notice_for(order, quantity=Decimal(60))
    change = agree(delay(order))
    [successor] = change_apply(change=change, actor=sales_admin())
    done.refresh_from_db()
    open_one.refresh_from_db()
    assert done.status == NoticeStatus.COMPLETED and open_one.superseded_by == successor


# ── customer change ────────────────────────────────────────────────


def test_r_5_3_2_customer_change_opens_a_new_review_round():
    order = accepted_order()
    clerk = sales_admin()
    change = customer_change(order, reason_category="", actor=clerk)
    change.refresh_from_db()
    order.refresh_from_db()
    assert change.reason_category == ChangeReasonCategory.CUSTOMER_REQUEST
    assert change.status == ChangeStatus.UNDER_REVIEW and order.status == OrderStatus.UNDER_REVIEW
    second = order.review_rounds.get(number=2)
    assert (second.reason, second.change, second.status) == (
        ReviewRoundReason.CUSTOMER_CHANGE,
        change,
        ReviewRoundStatus.OPEN,
    )
    assert second.sign_offs.count() == 4
    events = list(TimelineEntry.objects.order_by("pk").values_list("event", flat=True))
    assert events[-2:] == [TimelineEvent.CHANGE_REGISTERED, TimelineEvent.REVIEW_OPENED]


def test_r_5_3_2_accepting_the_round_agrees_the_change_and_the_order_is_accepted_again():
    order = accepted_order()
    change = customer_change(order)
    head = UserFactory(roles=[Role.SALES_HEAD])
    review_pass(order.review_rounds.get(number=2), actor=head)
    change.refresh_from_db()
    order.refresh_from_db()
    assert change.status == ChangeStatus.AGREED and change.agreement_recorded_by == head
    assert change.customer_agreed_at == order.review_rounds.get(number=2).decided_at
    assert order.status == OrderStatus.ACCEPTED


def test_r_5_3_2_a_rejected_change_leaves_the_contract_as_it_was():
    order = accepted_order()
    original = notice_for(order)
    change = customer_change(order)
    second = order.review_rounds.get(number=2)
    review_decide(
        review_round=second,
        outcome=ReviewOutcome.REJECTED,
        conditions="產能不足",
        actor=sales_admin(),
    )
    change.refresh_from_db()
    order.refresh_from_db()
    original.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED and order.status == OrderStatus.ACCEPTED
    assert original.status == NoticeStatus.ISSUED
    with pytest.raises(LiaisonError) as refused:
        change_apply(change=change, actor=sales_admin())
    assert refused.value.code == OrderErrorCode.CHANGE_NOT_AGREED


def test_r_5_3_2_no_customer_change_while_a_round_is_open():
    order = accepted_order()
    customer_change(order)
    with pytest.raises(LiaisonError) as refused:
        customer_change(order)
    assert refused.value.code == OrderErrorCode.ORDER_NOT_ACCEPTED
    assert ChangeEntry.objects.count() == 1 and order.review_rounds.count() == 2


def test_r_5_3_2_new_quantity_updates_the_order_line_and_the_successor_notice():
    product = ProductFactory(stock=40)
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(100))])
    line = order.lines.get()
    original = notice_for(order, quantity=Decimal(60))
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    [successor] = change_apply(
        change=change, actor=sales_admin(), line_quantities={line.pk: Decimal(150)}
    )
    line.refresh_from_db()
    assert line.quantity == Decimal(150)
    assert [h.quantity for h in line.history.order_by("history_date")] == [
        Decimal(100),
        Decimal(150),
    ]
    assert line.history.first().history_change_reason == f"Quantity changed by {change.number}"
    assert [(nl.order_line, nl.quantity) for nl in successor.lines.all()] == [(line, Decimal(110))]
    original.refresh_from_db()
    assert original.superseded_by == successor


def test_r_5_3_2_a_reduction_that_leaves_nothing_to_make_voids_the_notice_without_successor():
    product = ProductFactory(stock=60)
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(100))])
    line = order.lines.get()
    original = notice_for(order, quantity=Decimal(40))
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    assert (
        change_apply(change=change, actor=sales_admin(), line_quantities={line: Decimal(60)}) == []
    )
    original.refresh_from_db()
    assert original.status == NoticeStatus.VOID and original.superseded_by is None


def test_quantity_below_what_was_shipped_is_refused():
    product = ProductFactory(stock=80)
    clerk = sales_admin()
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(100))], actor=clerk)
    line = order.lines.get()
    slip_issue(
        customer=order.customer,
        order=order,
        lines=[{"product": product, "quantity": Decimal(80), "order_line": line}],
        actor=clerk,
    )
    original = notice_for(order, quantity=Decimal(20))
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    with pytest.raises(LiaisonError) as refused:
        change_apply(change=change, actor=clerk, line_quantities={line.pk: Decimal(50)})
    assert refused.value.code == OrderErrorCode.QUANTITY_BELOW_SHIPPED and "80" in str(
        refused.value
    )
    line.refresh_from_db()
    original.refresh_from_db()
    change.refresh_from_db()
    assert line.quantity == Decimal(100) and original.status == NoticeStatus.ISSUED
    assert change.status == ChangeStatus.AGREED


def test_r_5_5_2_3_a_replenishment_slip_does_not_hold_the_quantity_up():
    product = ProductFactory(stock=100)
    clerk = sales_admin()
    order = accepted_order(lines=[order_line(product=product, quantity=Decimal(100))], actor=clerk)
    line = order.lines.get()
    for replenishment, quantity in ((False, Decimal(40)), (True, Decimal(30))):
        slip_issue(
            customer=order.customer,
            order=order,
            replenishment=replenishment,
            lines=[{"product": product, "quantity": quantity, "order_line": line}],
            actor=clerk,
        )
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    # 40 shipped on the regular slip; the 30 replaced goods do not count against the line.
    change_apply(change=change, actor=clerk, line_quantities={line.pk: Decimal(50)})
    line.refresh_from_db()
    assert line.quantity == Decimal(50)


def test_a_line_of_another_order_is_refused():
    order = accepted_order()
    other = accepted_order()
    notice_for(order)
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    with pytest.raises(LiaisonError) as refused:
        change_apply(change=change, actor=sales_admin(), line_quantities={other.lines.get().pk: 5})
    assert refused.value.code == OrderErrorCode.LINE_NOT_IN_ORDER
    assert ProductionNotice.objects.filter(status=NoticeStatus.VOID).count() == 0


# ── withdrawing a change ────────────────────────────────────────────


def withdraw(change, **overrides):
    values = {"reason": "客戶不接受延期，要求按原交期", "actor": overrides.pop("actor", None) or sales_admin()}
    values.update(overrides)
    return change_withdraw(change=change, **values)


def test_r_5_3_1_a_delay_the_customer_refuses_is_withdrawn_and_frees_the_order():
    order = accepted_order()
    change = delay(order)
    clerk = sales_admin()
    withdraw(change, actor=clerk, refused_via=CommunicationChannel.PHONE, refused_at=local(2026, 3, 10, 9))
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN
    assert (change.withdrawal_reason, change.withdrawn_by, change.withdrawn_at) == (
        "客戶不接受延期，要求按原交期",
        clerk,
        TODAY,
    )
    assert change.history.first().history_change_reason.startswith("Withdrawn: ")
    record = CommunicationRecord.objects.get(topic=Topic.ORDER_CHANGE)
    assert (record.direction, record.channel, record.occurred_at, record.about) == (
        Direction.FROM_CUSTOMER,
        CommunicationChannel.PHONE,
        local(2026, 3, 10, 9),
        change,
    )
    entry = TimelineEntry.objects.get(event=TimelineEvent.CHANGE_WITHDRAWN)
    assert entry.about == change and "客戶不接受延期" in entry.summary
    # The order is free again: the next change is registered.
    second = delay(order, reason_category=ChangeReasonCategory.EQUIPMENT)
    assert second.status == ChangeStatus.REGISTERED


def test_r_5_3_1_a_change_withdrawn_by_us_writes_no_f5_line():
    change = delay(accepted_order())
    withdraw(change, reason="登記錯誤")
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN
    assert not CommunicationRecord.objects.filter(topic=Topic.ORDER_CHANGE).exists()


def test_r_5_3_1_an_agreed_delay_may_still_be_withdrawn():
    change = delay(accepted_order())
    agree(change)
    withdraw(change, reason="材料提前到貨，不需延期")
    change.refresh_from_db()
    assert change.status == ChangeStatus.WITHDRAWN


def test_r_5_3_2_a_withdrawn_customer_change_closes_its_round_and_the_order_is_accepted_again():
    order = accepted_order()
    change = customer_change(order)
    withdraw(change, reason="客戶撤回追加", refused_via=CommunicationChannel.EMAIL)
    order.refresh_from_db()
    change.refresh_from_db()
    assert order.status == OrderStatus.ACCEPTED and change.status == ChangeStatus.WITHDRAWN
    assert order.review_rounds.get(number=2).status == ReviewRoundStatus.WITHDRAWN
    assert order.lines.get().quantity == Decimal(100)


@pytest.mark.parametrize(
    ("code", "overrides"),
    [
        (OrderErrorCode.WITHDRAWAL_REASON_REQUIRED, {"reason": "  "}),
        (OrderErrorCode.UNKNOWN_CHANNEL, {"refused_via": "pigeon"}),
        (OrderErrorCode.OCCURRED_IN_FUTURE, {"refused_via": "phone", "refused_at": local(2026, 3, 10, 11)}),
        (OrderErrorCode.NOT_ALLOWED, {"actor": Role.WORKSHOP_LEAD}),
    ],
)
def test_r_5_3_1_a_refused_withdrawal_changes_nothing(code, overrides):
    change = delay(accepted_order())
    if "actor" in overrides:
        overrides["actor"] = UserFactory(roles=[overrides["actor"]])
    with pytest.raises(LiaisonError) as refused:
        withdraw(change, **overrides)
    assert refused.value.code == code
    assert refused.value.forbidden == (code == OrderErrorCode.NOT_ALLOWED)
    change.refresh_from_db()
    assert change.status == ChangeStatus.REGISTERED and change.withdrawal_reason == ""
    assert not CommunicationRecord.objects.filter(topic=Topic.ORDER_CHANGE).exists()
    assert TimelineEntry.objects.filter(event=TimelineEvent.CHANGE_REGISTERED).count() == 1
    assert not TimelineEntry.objects.filter(event=TimelineEvent.CHANGE_WITHDRAWN).exists()


def test_r_5_3_1_an_applied_change_cannot_be_withdrawn():
    order = accepted_order()
    notice_for(order)
    change = delay(order)
    agree(change)
    change_apply(change=change, actor=sales_admin())
    with pytest.raises(LiaisonError) as refused:
        withdraw(change)
    assert refused.value.code == OrderErrorCode.CHANGE_NOT_WITHDRAWABLE and refused.value.conflict
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED


def test_the_pending_change_message_says_what_to_do():
    order = accepted_order()
    delay(order)
    with translation.override("en"), pytest.raises(LiaisonError) as refused:
        delay(order)
    message = str(refused.value)
    assert "withdraw" in message and "Apply" in message and "review" in message


def test_applying_a_change_reads_the_notices_lines_once_not_per_notice():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    order = accepted_order()
    for _n in range(3):
        notice_for(order, quantity=Decimal(20))
    line = order.lines.get()
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    with CaptureQueriesContext(connection) as queries:
        successors = change_apply(change=change, actor=sales_admin(), line_quantities={line: Decimal(150)})
    assert len(successors) == 3
    reads = [
        q["sql"] for q in queries if q["sql"].startswith("SELECT") and 'FROM "production_noticeline"' in q["sql"]
    ]
    # One prefetch for all the notices, one for what completed notices made of the line, the one read each
    # successor is made from, and one to check the notice that takes the growth makes no more than is missing.
    assert len(reads) == 1 + 1 + 3 + 1, reads


def test_r_5_3_1_withdrawals_recorded_before_their_own_event_are_relabelled():
    # Older releases wrote a withdrawal as a second CHANGE_REGISTERED entry about the change.
    withdrawn, kept = delay(accepted_order()), delay(accepted_order())
    withdraw(withdrawn)
    TimelineEntry.objects.filter(event=TimelineEvent.CHANGE_WITHDRAWN).update(event=TimelineEvent.CHANGE_REGISTERED)
    data_migration_run("orders", "0008_timeline_change_withdrawn")
    events = {
        change.number: list(
            TimelineEntry.objects.filter(about_id=change.pk, summary__startswith=change.number)
            .order_by("occurred_at", "pk")
            .values_list("event", flat=True)
        )
        for change in (withdrawn, kept)
    }
    assert events == {
        withdrawn.number: [TimelineEvent.CHANGE_REGISTERED, TimelineEvent.CHANGE_WITHDRAWN],
        kept.number: [TimelineEvent.CHANGE_REGISTERED],
    }


# ── a change after production: what was made counts ───────────────


def complete(notice):
    return notice_complete(notice=notice, actor=UserFactory(roles=[Role.ADMINISTRATOR]))


def agreed_customer_change(order):
    change = customer_change(order)
    review_pass(order.review_rounds.get(number=2))
    change.refresh_from_db()
    return change


def test_r_5_3_2_a_change_after_production_completed_issues_a_notice_only_for_what_is_missing():
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=0), quantity=Decimal(100))])
    line = order.lines.get()
    made = complete(notice_for(order))  # 100 made, in stock, not shipped
    change = agreed_customer_change(order)
    [added] = change_apply(
        change=change, actor=sales_admin(), due_date=dt.date(2026, 4, 20), line_quantities={line.pk: Decimal(130)}
    )
    assert [(nl.order_line, nl.quantity) for nl in added.lines.all()] == [(line, Decimal(30))]
    assert (added.workshop, added.change, added.due_date) == (made.workshop, change, dt.date(2026, 4, 20))
    made.refresh_from_db()
    change.refresh_from_db()
    assert made.status == NoticeStatus.COMPLETED and made.superseded_by is None
    assert change.status == ChangeStatus.APPLIED
    assert change.history.first().history_change_reason == f"Applied: {added.number}"


def test_r_5_3_2_what_was_made_and_waits_in_stock_is_not_made_again_and_the_status_says_so():
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=0), quantity=Decimal(100))])
    line = order.lines.get()
    complete(notice_for(order))
    change = agreed_customer_change(order)
    assert change_apply(change=change, actor=sales_admin(), line_quantities={line.pk: Decimal(80)}) == []
    change.refresh_from_db()
    assert ProductionNotice.objects.count() == 1
    assert change.status == ChangeStatus.APPLIED_WITHOUT_NOTICE
    with translation.override("en"):
        assert str(change.get_status_display()) == "Applied (without a new notice)"
    assert change.history.first().history_change_reason == "Applied: no new notice"


def test_r_5_3_1_a_delay_applied_once_everything_is_made_issues_no_notice_and_says_so():
    order = accepted_order()
    complete(notice_for(order))
    change = agree(delay(order))
    assert change_apply(change=change, actor=sales_admin()) == []
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED_WITHOUT_NOTICE


def test_r_5_3_2_partly_produced_the_growth_goes_on_one_notice_not_on_each():
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=0), quantity=Decimal(100))])
    line = order.lines.get()
    complete(notice_for(order, quantity=Decimal(40)))
    first, second = notice_for(order, quantity=Decimal(30)), notice_for(order, quantity=Decimal(30))
    change = agreed_customer_change(order)
    successors = change_apply(change=change, actor=sales_admin(), line_quantities={line.pk: Decimal(130)})
    assert [s.lines.get().quantity for s in successors] == [Decimal(30), Decimal(60)]
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.superseded_by, second.superseded_by) == tuple(successors)


def test_r_5_3_2_partly_produced_a_reduction_counts_what_was_made():
    order = accepted_order(lines=[order_line(product=ProductFactory(stock=0), quantity=Decimal(100))])
    line = order.lines.get()
    complete(notice_for(order, quantity=Decimal(40)))
    first, second = notice_for(order, quantity=Decimal(30)), notice_for(order, quantity=Decimal(30))
    change = agreed_customer_change(order)
    [successor] = change_apply(change=change, actor=sales_admin(), line_quantities={line.pk: Decimal(70)})
    assert successor.lines.get().quantity == Decimal(30)  # 70 ordered − 40 made
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.superseded_by == successor
    assert second.status == NoticeStatus.VOID and second.superseded_by is None


# ── an agreed delay moves the promised date ────────────────────────


def test_r_5_3_1_an_agreed_delay_moves_the_promised_date_and_the_order_log_no_longer_flags_it():
    order = accepted_order(lines=[order_line(required_date=dt.date(2026, 3, 20))])
    order_delivery_reply(order=order, promised_date=dt.date(2026, 3, 25), channel="phone", actor=sales_admin())
    change = delay(order)  # to 2026-04-08
    assert order_list(today=dt.date(2026, 3, 30)).get(pk=order.pk).is_overdue  # not agreed yet
    agree(change)
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 4, 8)
    assert order.history.first().history_change_reason == f"Delay {change.number} agreed: 2026-04-08"
    row = order_list(today=dt.date(2026, 3, 30)).get(pk=order.pk)
    assert row.due == dt.date(2026, 4, 8) and not row.is_overdue
    assert order_list(today=dt.date(2026, 4, 9)).get(pk=order.pk).is_overdue


def test_r_5_3_1_a_delay_withdrawn_before_agreement_leaves_the_promised_date():
    order = accepted_order()
    order_delivery_reply(order=order, promised_date=dt.date(2026, 3, 25), channel="phone", actor=sales_admin())
    withdraw(delay(order), refused_via=CommunicationChannel.PHONE)
    order.refresh_from_db()
    assert order.promised_date == dt.date(2026, 3, 25)


def test_r_5_3_2_a_customer_change_of_date_moves_the_promised_date_once_accepted_not_when_rejected():
    accepted, rejected = accepted_order(), accepted_order()
    for order in (accepted, rejected):
        order_delivery_reply(order=order, promised_date=dt.date(2026, 3, 25), channel="phone", actor=sales_admin())
        customer_change(order, new_due_date=dt.date(2026, 4, 15))
    review_pass(accepted.review_rounds.get(number=2))
    review_decide(
        review_round=rejected.review_rounds.get(number=2),
        outcome=ReviewOutcome.REJECTED,
        conditions="產能不足",
        actor=sales_admin(),
    )
    accepted.refresh_from_db()
    rejected.refresh_from_db()
    assert (accepted.promised_date, rejected.promised_date) == (dt.date(2026, 4, 15), dt.date(2026, 3, 25))


# ── the customer's change and its decision on F5 ─────────────────────


def test_r_5_4_a_customers_change_request_writes_an_f5_line():
    order = accepted_order()
    change = customer_change(order, requested_via=CommunicationChannel.FAX)
    [record] = CommunicationRecord.objects.all()
    assert (record.customer, record.channel, record.direction, record.topic) == (
        order.customer,
        CommunicationChannel.FAX,
        Direction.FROM_CUSTOMER,
        Topic.ORDER_CHANGE,
    )
    assert record.about == change and record.staff == change.created_by
    assert record.summary == f"{change.number} ({order.number}): 客戶追加數量 — 數量 100 → 150"
    change.refresh_from_db()
    assert change.requested_via == CommunicationChannel.FAX


def test_r_5_4_a_company_delay_writes_no_request_line():
    delay(accepted_order())
    assert not CommunicationRecord.objects.exists()


@pytest.mark.parametrize(
    "code, requested_via",
    [(OrderErrorCode.REQUEST_CHANNEL_REQUIRED, ""), (OrderErrorCode.UNKNOWN_CHANNEL, "pigeon")],
)
def test_r_5_4_a_customers_change_says_how_the_request_came_or_nothing_is_registered(code, requested_via):
    order = accepted_order()
    with pytest.raises(LiaisonError) as refused:
        customer_change(order, requested_via=requested_via)
    assert refused.value.code == code and refused.value.field == "requested_via"
    nothing_registered(order)
    assert not CommunicationRecord.objects.exists()


@pytest.mark.parametrize(
    "outcome, conditions, said",
    [
        (ReviewOutcome.ACCEPTED, "", "Accepted"),
        (ReviewOutcome.ACCEPTED_WITH_CONDITIONS, "分兩批交貨", "Accepted with conditions — 分兩批交貨"),
        (ReviewOutcome.REJECTED, "產能不足", "Rejected — 產能不足"),
    ],
)
def test_r_5_4_the_decision_on_a_customers_change_writes_an_f5_line(outcome, conditions, said):
    order = accepted_order()
    change = customer_change(order, requested_via=CommunicationChannel.PHONE)
    head = UserFactory(roles=[Role.SALES_HEAD])
    with translation.override("en"):
        review_pass(order.review_rounds.get(number=2), actor=head, outcome=outcome, conditions=conditions)
    record = CommunicationRecord.objects.get(direction=Direction.TO_CUSTOMER)
    assert (record.channel, record.topic, record.about, record.staff) == (
        CommunicationChannel.PHONE,
        Topic.ORDER_CHANGE,
        change,
        head,
    )
    assert record.summary == f"{change.number} ({order.number}): {said}"
    assert CommunicationRecord.objects.count() == 2  # the request, the decision


def test_r_5_4_deciding_a_new_order_writes_no_change_line():
    accepted_order()
    assert not CommunicationRecord.objects.exists()
