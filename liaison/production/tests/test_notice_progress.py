"""The workshop's side (R-3.2): start with a progress note, complete, lateness from dates."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, sales_admin, workshop_lead
from liaison.customers.models import TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.production.errors import ProductionErrorCode as Code
from liaison.production.models import ProductionNotice
from liaison.production.services import notice_complete, notice_start, notice_void
from liaison.production.states import NoticeStatus
from liaison.production.tests.factories import notice

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 3, 2)
DUE = dt.date(2026, 3, 20)


@pytest.fixture
def workshop():
    return WorkshopFactory(name="一車間（沖壓）")


@pytest.fixture
def issued(workshop):
    with clock.frozen(ISSUED_ON):
        return notice(workshop=workshop, due_date=DUE)


def stored(record) -> dict:
    """The stored row, to compare before and after a refused step."""
    return ProductionNotice.objects.filter(pk=record.pk).values().get()


# --- allowed ---------------------------------------------------------------------------


def test_r_3_2_workshop_lead_starts_production_with_a_progress_note(issued, workshop):
    lead = workshop_lead(workshop)

    with clock.frozen(dt.date(2026, 3, 5)):
        started = notice_start(notice=issued, note="  材料已到，開始沖壓  ", actor=lead)

    started.refresh_from_db()
    assert started.status == NoticeStatus.IN_PROGRESS
    assert started.progress_note == "材料已到，開始沖壓"
    assert started.updated_by == lead
    record = started.history.first()
    assert (record.history_change_reason, record.history_user) == ("Production started", lead)


def test_r_3_2_workshop_lead_completes_a_started_notice_on_time(issued, workshop):
    lead = workshop_lead(workshop)
    notice_start(notice=issued, note="", actor=lead)

    with clock.frozen(dt.date(2026, 3, 19)):
        done = notice_complete(notice=issued, actor=lead)
        assert done.days_late() == 0

    done.refresh_from_db()
    assert done.status == NoticeStatus.COMPLETED
    assert done.completed_by == lead
    assert done.days_late(today=dt.date(2026, 12, 31)) == 0
    entry = TimelineEntry.objects.get(event=TimelineEvent.NOTICE_COMPLETED)
    assert entry.about == done and entry.actor == lead
    assert entry.summary == f"{done.number} · 一車間（沖壓） · 2026-03-20"


def test_r_3_2_a_notice_completed_late_keeps_its_days_late(issued, workshop):
    lead = workshop_lead(workshop)

    with clock.frozen(dt.date(2026, 3, 23)):
        done = notice_complete(notice=issued, actor=lead)  # straight from issued

    assert done.days_late(today=dt.date(2026, 6, 1)) == 3
    assert TimelineEntry.objects.get(event=TimelineEvent.NOTICE_COMPLETED).summary.endswith("· +3d")


def test_r_3_2_lateness_follows_from_the_dates(issued):
    with clock.frozen(DUE):
        assert issued.days_late() == 0
    with clock.frozen(DUE + dt.timedelta(days=1)):
        assert issued.days_late() == 1
    with clock.frozen(DUE + dt.timedelta(days=10)):
        assert issued.days_late() == 10


def test_an_administrator_may_mark_progress_of_any_workshop(issued):
    admin = UserFactory(roles=[Role.ADMINISTRATOR])

    notice_start(notice=issued, note="代為登記", actor=admin)
    notice_complete(notice=issued, actor=admin)

    issued.refresh_from_db()
    assert issued.status == NoticeStatus.COMPLETED


# --- refused ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lead",
    [lambda: workshop_lead(WorkshopFactory(name="二車間（裝配）")), lambda: UserFactory(roles=[Role.WORKSHOP_LEAD])],
    ids=["lead-of-another-workshop", "lead-without-a-department"],
)
def test_r_3_2_only_the_workshops_own_lead_records_progress_and_nothing_changes(issued, english, lead):
    other_lead = lead()
    before = stored(issued)

    with pytest.raises(LiaisonError) as refused:
        notice_start(notice=issued, note="不是我們的", actor=other_lead)

    assert refused.value.code == Code.NOT_YOUR_WORKSHOP == "not_your_workshop"
    assert str(refused.value) == (
        f"Notice {issued.number} belongs to 一車間（沖壓）; only that workshop's lead records its progress."
    )
    assert stored(issued) == before
    with pytest.raises(LiaisonError) as refused:
        notice_complete(notice=issued, actor=other_lead)
    assert refused.value.code == Code.NOT_YOUR_WORKSHOP
    assert stored(issued) == before


@pytest.mark.parametrize(
    "role", [r for r in Role if r not in {Role.WORKSHOP_LEAD, Role.ADMINISTRATOR}], ids=lambda r: r.value
)
def test_other_roles_may_not_mark_progress(issued, workshop, role):
    # Even a member of the workshop needs the workshop lead's role.
    actor = UserFactory(roles=[role], department=workshop)
    before = stored(issued)

    with pytest.raises(LiaisonError) as refused:
        notice_start(notice=issued, note="", actor=actor)
    assert refused.value.code == Code.NOT_ALLOWED
    with pytest.raises(LiaisonError) as refused:
        notice_complete(notice=issued, actor=actor)
    assert refused.value.code == Code.NOT_ALLOWED

    assert stored(issued) == before


def test_starting_twice_is_refused(issued, workshop):
    lead = workshop_lead(workshop)
    notice_start(notice=issued, note="第一次", actor=lead)
    before = stored(issued)

    with pytest.raises(LiaisonError) as refused:
        notice_start(notice=issued, note="第二次", actor=lead)

    assert refused.value.code == Code.NOTICE_ALREADY_STARTED
    assert stored(issued) == before


@pytest.mark.parametrize("step", ["start", "complete"])
def test_a_completed_notice_can_be_neither_started_nor_completed_again(issued, workshop, step):
    lead = workshop_lead(workshop)
    notice_complete(notice=issued, actor=lead)
    before = stored(issued)

    with pytest.raises(LiaisonError) as refused:
        if step == "start":
            notice_start(notice=issued, note="", actor=lead)
        else:
            notice_complete(notice=issued, actor=lead)

    assert refused.value.code == Code.NOTICE_COMPLETED
    assert stored(issued) == before
    assert TimelineEntry.objects.filter(event=TimelineEvent.NOTICE_COMPLETED).count() == 1


@pytest.mark.parametrize("step", ["start", "complete"])
def test_a_void_notice_can_be_neither_started_nor_completed(issued, workshop, step):
    lead = workshop_lead(workshop)
    notice_void(notice=issued, reason="客戶取消", actor=sales_admin())
    before = stored(issued)

    with pytest.raises(LiaisonError) as refused:
        if step == "start":
            notice_start(notice=issued, note="", actor=lead)
        else:
            notice_complete(notice=issued, actor=lead)

    assert refused.value.code == Code.NOTICE_ALREADY_VOID
    assert stored(issued) == before
    issued.refresh_from_db()
    assert issued.days_late(today=dt.date(2027, 1, 1)) == 0  # a void notice is never late


def test_r_5_2_3_3_completing_a_notice_books_its_goods_into_qualified_stock(issued, workshop):
    from liaison.stock.models import StockMove
    from liaison.stock.selectors import stock_of
    from liaison.stock.states import MoveDirection, MoveReason

    line = issued.lines.get()
    before = stock_of(product=line.product)
    notice_complete(notice=issued, actor=workshop_lead(workshop))
    assert stock_of(product=line.product) == before + line.quantity
    move = StockMove.objects.get(document_ref=issued.number)
    assert (move.direction, move.reason, move.quantity, move.product) == (
        MoveDirection.IN,
        MoveReason.PRODUCTION,
        line.quantity,
        line.product,
    )


def test_a_refused_completion_books_nothing_into_stock(issued, workshop):
    from liaison.stock.models import StockMove

    with pytest.raises(LiaisonError):
        notice_complete(notice=issued, actor=workshop_lead(WorkshopFactory()))
    assert not StockMove.objects.filter(document_ref=issued.number).exists()
