"""Voiding and superseding notices after a change (R-5.3.1, R-5.3.2): kept, marked, linked."""

import datetime as dt
from decimal import Decimal

import pytest

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, frozen_today, sales_admin, workshop_lead
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.orders.models import ChangeEntry
from liaison.orders.states import OrderStatus
from liaison.orders.tests.factories import accepted_order, order_line
from liaison.production.errors import ProductionErrorCode as Code
from liaison.production.models import NoticeLine, ProductionNotice
from liaison.production.services import notice_complete, notice_supersede, notice_void
from liaison.production.states import NoticeStatus
from liaison.production.tests.factories import notice
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)
DUE = dt.date(2026, 3, 20)


today = frozen_today(TODAY)


@pytest.fixture
def actor():
    return sales_admin()


@pytest.fixture
def order():
    """An accepted order of two lines, for 100 and 40 pieces."""
    return accepted_order(lines=[order_line(), order_line(quantity=Decimal(40))])


@pytest.fixture
def two_line_notice(order, actor):
    first, second = order.lines.order_by("line_no")
    return notice(
        order=order,
        due_date=DUE,
        actor=actor,
        instructions="按圖生產",
        lines=[
            {"product": first.product, "order_line": first, "quantity": 50},
            {"product": second.product, "order_line": second, "quantity": 40},
        ],
    )


def stored(record) -> dict:
    return ProductionNotice.objects.filter(pk=record.pk).values().get()


def change_for(order, number="CHG-2026-0001") -> ChangeEntry:
    return ChangeEntry.objects.create(
        number=number, order=order, kind="company", reason_category="material", reason="原材料短缺"
    )


# --- void -------------------------------------------------------------------------------


def test_voiding_keeps_the_notice_with_who_when_and_why(two_line_notice, actor):
    with clock.frozen(dt.datetime(2026, 3, 3, 10, 30)) as moment:
        voided = notice_void(notice=two_line_notice, reason="  客戶取消訂單  ", actor=actor)

    voided.refresh_from_db()
    assert voided.status == NoticeStatus.VOID
    assert (voided.voided_at, voided.voided_by, voided.void_reason) == (moment, actor, "客戶取消訂單")
    assert voided.superseded_by is None
    assert voided.lines.count() == 2  # nothing erased
    assert voided.history.first().history_change_reason == "Voided: 客戶取消訂單"
    entry = TimelineEntry.objects.get(event=TimelineEvent.NOTICE_VOIDED)
    assert entry.about == voided
    assert entry.summary == f"{voided.number}: 客戶取消訂單"


def test_voiding_a_started_notice_is_allowed(two_line_notice, actor):
    from liaison.production.services import notice_start

    notice_start(notice=two_line_notice, note="", actor=workshop_lead(two_line_notice.workshop))

    assert notice_void(notice=two_line_notice, reason="改單", actor=actor).status == NoticeStatus.VOID


def close(notice, how: str, actor) -> None:
    """Void the notice, or have its workshop complete it."""
    if how == "void":
        notice_void(notice=notice, reason="第一次", actor=actor)
    else:
        notice_complete(notice=notice, actor=workshop_lead(notice.workshop))


@pytest.mark.parametrize(
    ("how", "code", "says"),
    [
        ("void", Code.NOTICE_ALREADY_VOID, "Notice {number} is already void."),
        ("completed", Code.NOTICE_COMPLETED, "completed notice can no longer be changed or voided"),
    ],
    ids=["void", "completed"],
)
def test_voiding_a_void_or_completed_notice_is_refused_and_changes_nothing(
    two_line_notice, actor, english, how, code, says
):
    close(two_line_notice, how, actor)
    before = stored(two_line_notice)
    entries = TimelineEntry.objects.count()

    with pytest.raises(LiaisonError) as refused:
        notice_void(notice=two_line_notice, reason="第二次", actor=sales_admin())

    assert refused.value.code == code
    assert says.format(number=two_line_notice.number) in str(refused.value)
    assert stored(two_line_notice) == before
    assert TimelineEntry.objects.count() == entries


def test_voiding_needs_a_reason(two_line_notice, actor):
    before = stored(two_line_notice)

    with pytest.raises(LiaisonError) as refused:
        notice_void(notice=two_line_notice, reason="   ", actor=actor)

    assert (refused.value.code, refused.value.field) == (Code.VOID_REASON_REQUIRED, "reason")
    assert stored(two_line_notice) == before


@pytest.mark.parametrize(
    "role",
    [r for r in Role if r not in {Role.SALES_ADMIN, Role.SALES_HEAD, Role.ADMINISTRATOR}],
    ids=lambda r: r.value,
)
def test_only_sales_admin_head_or_administrator_may_void(two_line_notice, role):
    before = stored(two_line_notice)

    with pytest.raises(LiaisonError) as refused:
        notice_void(
            notice=two_line_notice,
            reason="想作廢",
            actor=UserFactory(roles=[role], department=two_line_notice.workshop),
        )

    assert refused.value.code == Code.NOT_ALLOWED
    assert stored(two_line_notice) == before


def test_a_successor_must_be_another_current_notice_of_the_same_order(two_line_notice, actor):
    elsewhere = notice(actor=actor)
    before = stored(two_line_notice)

    for successor in (elsewhere, two_line_notice):
        with pytest.raises(LiaisonError) as refused:
            notice_void(notice=two_line_notice, reason="替換", actor=actor, successor=successor)
        assert refused.value.code == Code.SUCCESSOR_INVALID

    assert stored(two_line_notice) == before


# --- supersede ----------------------------------------------------------------------------


def test_r_5_3_1_supersede_issues_the_successor_and_keeps_the_old_one_void_and_linked(
    order, two_line_notice, actor
):
    change = change_for(order)
    new_due = dt.date(2026, 4, 10)

    successor = notice_supersede(
        notice=two_line_notice, reason="原材料短缺，延期", actor=actor, due_date=new_due, change=change
    )

    old = ProductionNotice.objects.get(pk=two_line_notice.pk)
    assert old.status == NoticeStatus.VOID
    assert old.superseded_by == successor
    assert successor.supersedes == old
    assert (old.voided_by, old.void_reason) == (actor, "原材料短缺，延期")
    assert successor.status == NoticeStatus.ISSUED
    assert (successor.order, successor.workshop, successor.due_date) == (order, old.workshop, new_due)
    assert successor.change == change
    assert successor.instructions == "按圖生產"
    assert [(line.order_line_id, line.quantity) for line in successor.lines.all()] == [
        (line.order_line_id, line.quantity) for line in old.lines.all()
    ]
    assert old.lines.count() == 2  # the old notice keeps its lines
    assert successor.history.get().history_change_reason == f"Issued to replace {old.number}"
    assert old.history.first().history_change_reason == f"Voided by {successor.number}: 原材料短缺，延期"
    events = list(
        TimelineEntry.objects.filter(customer=order.customer, event__startswith="notice_")
        .order_by("pk")
        .values_list("event", "summary")
    )
    assert events[-2:] == [
        (TimelineEvent.NOTICE_ISSUED, f"{successor.number} · {old.workshop} · 2026-04-10"),
        (TimelineEvent.NOTICE_VOIDED, f"{old.number} → {successor.number}: 原材料短缺，延期"),
    ]


def test_r_5_3_2_supersede_with_new_quantities_keyed_by_order_line(order, two_line_notice, actor):
    first, second = [line.order_line for line in two_line_notice.lines.all()]

    successor = notice_supersede(
        notice=two_line_notice,
        reason="客戶改數量",
        actor=actor,
        line_quantities={first.pk: Decimal(70), second.pk: 0},
    )

    assert [(line.order_line, line.quantity) for line in successor.lines.all()] == [(first, 70)]
    assert successor.due_date == DUE  # kept when no new date is given


def test_supersede_keeps_a_past_due_date_when_none_is_given(two_line_notice, actor):
    with clock.frozen(dt.date(2026, 4, 1)):
        successor = notice_supersede(notice=two_line_notice, reason="改數量", actor=actor)

    assert successor.due_date == DUE


def test_r_5_5_2_3_the_replenishment_mark_is_carried_to_the_successor(actor):
    replacement = notice(replenishment=True, actor=actor, quantity=20)

    successor = notice_supersede(notice=replacement, reason="設備故障", actor=actor, due_date=dt.date(2026, 4, 1))

    assert successor.replenishment
    assert successor.order is None
    assert ProductionNotice.objects.get(pk=replacement.pk).superseded_by == successor


def test_three_notices_in_the_chain_one_current(order, two_line_notice, actor):
    second = notice_supersede(notice=two_line_notice, reason="延期", actor=actor, due_date=dt.date(2026, 4, 1))
    third = notice_supersede(notice=second, reason="改數量", actor=actor)

    chain = list(ProductionNotice.objects.filter(order=order).order_by("pk"))
    assert [n.status for n in chain] == [NoticeStatus.VOID, NoticeStatus.VOID, NoticeStatus.ISSUED]
    assert [n.superseded_by_id for n in chain] == [second.pk, third.pk, None]


def _nothing_superseded(original, before) -> None:
    assert stored(original) == before
    assert ProductionNotice.objects.count() == 1
    assert NoticeLine.objects.count() == original.lines.count()


@pytest.mark.parametrize(
    "kwargs, code",
    [
        ({"reason": ""}, Code.VOID_REASON_REQUIRED),
        ({"due_date": dt.date(2026, 3, 1)}, Code.DUE_DATE_IN_PAST),
        ({"line_quantities": {987654: 5}}, Code.LINE_NOT_ON_NOTICE),
        ({"line_quantities": "negative"}, Code.QUANTITY_NOT_POSITIVE),
        ({"line_quantities": "all-zero"}, Code.NO_LINES),
    ],
    ids=["no-reason", "past-date", "unknown-line", "negative", "nothing-left"],
)
def test_a_refused_supersede_changes_nothing(two_line_notice, actor, kwargs, code):
    before = stored(two_line_notice)
    keys = [line.order_line_id for line in two_line_notice.lines.all()]
    if kwargs.get("line_quantities") == "negative":
        kwargs = {"line_quantities": {keys[0]: -1}}
    elif kwargs.get("line_quantities") == "all-zero":
        kwargs = {"line_quantities": dict.fromkeys(keys, 0)}

    with pytest.raises(LiaisonError) as refused:
        notice_supersede(notice=two_line_notice, actor=actor, **{"reason": "改單", **kwargs})

    assert refused.value.code == code
    _nothing_superseded(two_line_notice, before)


@pytest.mark.parametrize(
    ("how", "code"),
    [("void", Code.NOTICE_ALREADY_VOID), ("completed", Code.NOTICE_COMPLETED)],
    ids=["void", "completed"],
)
def test_superseding_a_void_or_completed_notice_is_refused(two_line_notice, actor, how, code):
    close(two_line_notice, how, actor)
    before = stored(two_line_notice)

    with pytest.raises(LiaisonError) as refused:
        notice_supersede(notice=two_line_notice, reason="再改", actor=actor)

    assert refused.value.code == code
    _nothing_superseded(two_line_notice, before)


def test_superseding_for_an_order_no_longer_accepted_is_refused(order, two_line_notice, actor):
    from liaison.orders.models import Order

    Order.objects.filter(pk=order.pk).update(status=OrderStatus.UNDER_REVIEW)
    before = stored(two_line_notice)

    with pytest.raises(LiaisonError) as refused:
        notice_supersede(notice=two_line_notice, reason="改數量", actor=actor)

    assert refused.value.code == Code.ORDER_NOT_ACCEPTED
    _nothing_superseded(two_line_notice, before)


def test_superseding_with_a_change_of_another_order_is_refused(two_line_notice, actor):
    before = stored(two_line_notice)

    with pytest.raises(LiaisonError) as refused:
        notice_supersede(
            notice=two_line_notice, reason="改單", actor=actor, change=change_for(accepted_order())
        )

    assert refused.value.code == Code.CHANGE_OTHER_ORDER
    _nothing_superseded(two_line_notice, before)


def test_a_workshop_lead_may_not_supersede(two_line_notice):
    before = stored(two_line_notice)

    with pytest.raises(LiaisonError) as refused:
        notice_supersede(notice=two_line_notice, reason="我們想延期", actor=workshop_lead(two_line_notice.workshop))

    assert refused.value.code == Code.NOT_ALLOWED
    _nothing_superseded(two_line_notice, before)


def test_an_unrelated_product_does_not_matter_for_supersede(actor):
    # A replenishment line without an order line is copied as it is.
    product = ProductFactory()
    replacement = notice(replenishment=True, actor=actor, lines=[{"product": product, "quantity": 7}])

    successor = notice_supersede(notice=replacement, reason="延期", actor=actor)

    assert [(line.product, line.quantity) for line in successor.lines.all()] == [(product, 7)]
