"""Reads of production notices: who sees what, lateness from dates, the chain; query counts pinned."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, sales_admin, workshop_lead
from liaison.orders.tests.factories import accepted_order
from liaison.production import selectors
from liaison.production.services import notice_complete, notice_start, notice_supersede, notice_void
from liaison.production.tests.factories import notice

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 3, 2)
TODAY = dt.date(2026, 3, 16)


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間"), WorkshopFactory(name="二車間")


@pytest.fixture
def notices(workshops):
    """In workshop 1: overdue by 6 and by 1, due later, completed; in workshop 2: overdue by 3."""
    one, two = workshops
    actor = sales_admin()
    with clock.frozen(ISSUED_ON):
        made = {
            "late_6": notice(workshop=one, due_date=dt.date(2026, 3, 10), actor=actor),
            "later": notice(workshop=one, due_date=dt.date(2026, 3, 30), actor=actor),
            "late_1": notice(workshop=one, due_date=dt.date(2026, 3, 15), actor=actor),
            "done": notice(workshop=one, due_date=dt.date(2026, 3, 5), actor=actor),
            "other_late_3": notice(workshop=two, due_date=dt.date(2026, 3, 13), actor=actor),
            "void": notice(workshop=one, due_date=dt.date(2026, 3, 3), actor=actor),
        }
        notice_start(notice=made["late_1"], note="進行中", actor=workshop_lead(one))
        notice_complete(notice=made["done"], actor=workshop_lead(one))
        notice_void(notice=made["void"], reason="取消", actor=actor)
    return made


def numbers(notices) -> list[str]:
    return [n.number for n in notices]


def test_r_3_2_workshop_list_shows_overdue_first_and_no_void(notices, workshops, django_assert_num_queries):
    with clock.frozen(TODAY), django_assert_num_queries(2):  # notices, then their lines
        listed = list(selectors.notice_list_for_workshop(workshop=workshops[0]))
        days = [(n.number, n.days_late(), len(n.lines.all()), n.order.customer.pk) for n in listed]

    assert numbers(listed) == [notices[k].number for k in ("late_6", "late_1", "later", "done")]
    assert [d[1] for d in days] == [6, 1, 0, 0]
    assert [n.is_overdue for n in listed] == [True, True, False, False]


def test_r_3_2_overdue_is_computed_from_dates(notices, django_assert_num_queries):
    with django_assert_num_queries(1):
        overdue = numbers(selectors.notice_overdue(today=TODAY))
    assert overdue == [notices[k].number for k in ("late_6", "other_late_3", "late_1")]
    # On the due date itself nothing is late yet; the day after it is.
    assert numbers(selectors.notice_overdue(today=dt.date(2026, 3, 10))) == []
    assert numbers(selectors.notice_overdue(today=dt.date(2026, 3, 11))) == [notices["late_6"].number]
    with clock.frozen(TODAY):
        assert len(selectors.notice_overdue()) == 3


def test_r_3_2_workshop_sees_only_its_notices(notices, workshops):
    lead_two = workshop_lead(workshops[1])

    visible = numbers(selectors.notice_visible_to(user=lead_two))

    assert visible == [notices["other_late_3"].number]


def test_a_workshop_lead_without_department_sees_nothing(notices):
    assert not selectors.notice_visible_to(user=UserFactory(roles=[Role.WORKSHOP_LEAD])).exists()


@pytest.mark.parametrize(
    "role",
    [Role.SALES_STAFF, Role.SALES_ADMIN, Role.SALES_HEAD, Role.QC_HEAD, Role.WAREHOUSE_CLERK, Role.MANAGEMENT,
     Role.ADMINISTRATOR],
    ids=lambda r: r.value,
)
def test_sales_and_other_readers_see_every_notice(notices, role, workshops):
    # Even when they belong to a workshop department.
    user = UserFactory(roles=[role], department=workshops[0])
    assert selectors.notice_visible_to(user=user).count() == len(notices)


def test_a_role_without_the_read_permission_sees_nothing(notices):
    assert not selectors.notice_visible_to(user=UserFactory(roles=[Role.RESPONSIBLE_MEMBER])).exists()


def test_notice_list_filters_and_pins_its_queries(notices, workshops, django_assert_num_queries):
    with clock.frozen(TODAY), django_assert_num_queries(2):
        listed = list(selectors.notice_list())
        for n in listed:
            str(n.workshop), n.order and n.order.customer.registered_name, n.superseded_by, list(n.lines.all())
    assert numbers(listed)[:3] == [notices[k].number for k in ("late_6", "other_late_3", "late_1")]
    assert numbers(selectors.notice_list(status="void")) == [notices["void"].number]
    assert selectors.notice_list(replenishment=True).count() == 0


def test_notice_chain_for_order_in_issue_order_with_links(django_assert_num_queries):
    actor = sales_admin()
    order = accepted_order()
    with clock.frozen(ISSUED_ON):
        first = notice(order=order, actor=actor)
        second = notice_supersede(notice=first, reason="延期", actor=actor, due_date=dt.date(2026, 4, 1))
        third = notice_supersede(notice=second, reason="改數量", actor=actor)
        notice(actor=actor)  # another order's notice stays out

    with django_assert_num_queries(2):
        chain = selectors.notice_chain_for_order(order=order)
        links = [
            (n.number, n.status, getattr(n.superseded_by, "number", None), _predecessor(n), len(n.lines.all()))
            for n in chain
        ]

    assert links == [
        (first.number, "void", second.number, None, 1),
        (second.number, "void", third.number, first.number, 1),
        (third.number, "issued", None, second.number, 1),
    ]


def _predecessor(notice):
    try:
        return notice.supersedes.number
    except type(notice).supersedes.RelatedObjectDoesNotExist:
        return None


def test_notice_get_reads_one_notice_with_lines(notices, django_assert_num_queries):
    with django_assert_num_queries(2):
        found = selectors.notice_get(pk=notices["late_6"].pk)
        list(found.lines.all())
    assert found == notices["late_6"]
