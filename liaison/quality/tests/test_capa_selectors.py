"""Reads of CAPA requests: overdue from dates, by source, counts, one department's view."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, department_member, qc_head, workshop_lead
from liaison.quality.capa.selectors import (
    capa_for_source,
    capa_get,
    capa_list,
    capa_overdue,
    capa_status_counts,
    capa_visible_to,
)
from liaison.quality.capa.services import capa_implement, capa_verify_effectiveness, capa_verify_execution
from liaison.quality.states import CapaStatus, Effectiveness
from liaison.quality.tests.factories import capa, investigated

pytestmark = pytest.mark.django_db

ISSUED_ON = dt.date(2026, 4, 1)
ACTIONS = {"corrective_action": "修模", "preventive_action": "首件檢", "implementation": "已完成"}


@pytest.fixture
def workshops():
    return WorkshopFactory(name="一車間"), WorkshopFactory(name="二車間")


@pytest.fixture
def requests(workshops):
    """Three open requests due on different days, and one closed long past its due date."""
    one, two = workshops
    inspector = qc_head()
    with clock.frozen(ISSUED_ON):
        made = {
            "late": capa(department=one, due_date=dt.date(2026, 4, 10), actor=inspector),
            "later": capa(department=two, due_date=dt.date(2026, 4, 5), actor=inspector),
            "on_time": capa(department=one, due_date=dt.date(2026, 5, 30), actor=inspector),
            "closed": capa(department=two, due_date=dt.date(2026, 4, 3), actor=inspector),
        }
        closed = made["closed"]
        capa_implement(capa=closed, actor=workshop_lead(two), **ACTIONS)
        capa_verify_execution(capa=closed, actor=inspector)
        capa_verify_effectiveness(
            capa=closed, effectiveness=Effectiveness.EFFECTIVE, actor=inspector, early_reason="客戶確認已改善"
        )
    return made


def numbers(queryset) -> list[str]:
    return [record.number for record in queryset]


def test_r_5_5_1_2_overdue_is_open_and_past_due_with_the_clock_frozen(
    requests, django_assert_num_queries
):
    with clock.frozen(dt.date(2026, 4, 10)), django_assert_num_queries(1):
        assert numbers(capa_overdue()) == [requests["later"].number]
    with clock.frozen(dt.date(2026, 4, 11)), django_assert_num_queries(1):
        assert numbers(capa_overdue()) == [requests["later"].number, requests["late"].number]
    assert numbers(capa_overdue(today=dt.date(2026, 6, 1))) == numbers(
        [requests["later"], requests["late"], requests["on_time"]]
    )


def test_r_5_5_1_2_the_list_shows_overdue_first_with_its_flag(requests, django_assert_num_queries):
    with clock.frozen(dt.date(2026, 4, 11)), django_assert_num_queries(1):
        rows = [(record.number, record.is_overdue) for record in capa_list()]

    assert rows == [
        (requests["later"].number, True),
        (requests["late"].number, True),
        (requests["on_time"].number, False),
        (requests["closed"].number, False),  # closed, though its due date is long past
    ]


def test_r_5_5_1_2_the_list_filters_by_department_status_and_overdue(requests, workshops):
    one, two = workshops
    today = dt.date(2026, 4, 11)

    assert numbers(capa_list(department=one, today=today)) == numbers(
        [requests["late"], requests["on_time"]]
    )
    assert numbers(capa_list(status=CapaStatus.CLOSED, today=today)) == [requests["closed"].number]
    assert numbers(capa_list(overdue=False, today=today)) == numbers(
        [requests["on_time"], requests["closed"]]
    )
    assert numbers(capa_list(department=two, overdue=True, today=today)) == [
        requests["later"].number
    ]


def test_r_5_5_1_2_requests_of_a_source_in_issue_order(workshops, django_assert_num_queries):
    source, other = investigated(at_fault=True), investigated(at_fault=True)
    first = capa(source=source, department=workshops[0])
    capa(source=other, department=workshops[0])
    second = capa(source=source, department=workshops[1])
    capa(department=workshops[1])

    with django_assert_num_queries(1):
        assert list(capa_for_source(source=source)) == [first, second]


def test_r_3_3_status_counts_for_the_dashboard_and_report(requests, django_assert_num_queries):
    with clock.frozen(dt.date(2026, 4, 11)), django_assert_num_queries(1):
        counts = capa_status_counts()

    assert counts == {
        CapaStatus.ISSUED.value: 3,
        CapaStatus.IMPLEMENTED.value: 0,
        CapaStatus.EXECUTION_VERIFIED.value: 0,
        CapaStatus.CLOSED.value: 1,
        "overdue": 2,
    }


def test_r_4_one_request_with_its_signed_steps_in_two_queries(requests, django_assert_num_queries):
    with django_assert_num_queries(2):
        record = capa_get(pk=requests["closed"].pk)
        signed = [(step.meaning, step.signed_by.username) for step in record.steps.all()]
        department = record.department.name

    assert len(signed) == 4 and department == "二車間"


def test_r_3_4_a_department_member_sees_only_its_departments_requests(requests, workshops):
    one, two = workshops
    today = dt.date(2026, 4, 11)

    for member in [department_member(one), workshop_lead(one)]:
        assert numbers(capa_visible_to(user=member, queryset=capa_list(today=today))) == numbers(
            [requests["late"], requests["on_time"]]
        )
    assert numbers(
        capa_visible_to(user=workshop_lead(two), queryset=capa_list(today=today))
    ) == numbers([requests["later"], requests["closed"]])
    assert list(capa_visible_to(user=UserFactory(roles=[Role.RESPONSIBLE_MEMBER]))) == []


@pytest.mark.parametrize(
    "role", [Role.QC_INSPECTOR, Role.QC_HEAD, Role.SALES_STAFF, Role.MANAGEMENT]
)
def test_r_3_3_qc_sales_and_management_see_every_request(requests, workshops, role):
    user = UserFactory(roles=[role], department=workshops[0])

    assert len(capa_visible_to(user=user)) == 4


def test_r_4_a_role_without_the_view_right_sees_none(requests):
    assert list(capa_visible_to(user=UserFactory(roles=[Role.WAREHOUSE_CLERK]))) == []


def test_r_3_4_object_rules_through_has_perm(requests, workshops):
    one, two = workshops
    mine, other = requests["late"], requests["later"]
    lead, inspector = workshop_lead(one), qc_head()

    assert lead.has_perm("quality.view_caparequest", mine)
    assert not lead.has_perm("quality.view_caparequest", other)
    assert lead.has_perm("quality.implement_caparequest", mine)
    assert not lead.has_perm("quality.implement_caparequest", other)
    assert inspector.has_perm("quality.view_caparequest", other)
    assert not inspector.has_perm("quality.implement_caparequest", other)
