"""My inbox for complaints, returns and CAPA requests: who gets what, overdue first, a fixed number of queries."""

import datetime as dt

import pytest

from liaison.core import clock
from liaison.core.roles import Role
from liaison.core.tests.factories import (
    UserFactory,
    WorkshopFactory,
    department_member,
    frozen_today,
    local,
    qc_head,
    qc_inspector,
    sales_head,
    workshop_lead,
)
from liaison.quality.capa import services as capa_services
from liaison.quality.services.complaints import complaint_acknowledge, complaint_investigate, complaint_record_result
from liaison.quality.services.returns import return_inspect, return_rest_not_coming
from liaison.quality.states import ComplaintKind
from liaison.quality.tests.factories import acknowledged, capa, complaint, investigated, shipped
from liaison.workspace.inbox import inbox_for

pytestmark = pytest.mark.django_db

TODAY = local(2026, 5, 4)


today = frozen_today(TODAY)


def quality_items(user, prefix=("complaint", "return", "capa")) -> list:
    return [item for item in inbox_for(user=user) if item.kind.startswith(prefix)]


def test_r_5_5_1_1_sales_is_asked_to_acknowledge_registered_complaints_late_first():
    with clock.frozen(TODAY - dt.timedelta(days=2)):
        late = complaint()
    fresh = complaint()
    items = quality_items(sales_head())
    assert [item.kind for item in items] == ["complaint_acknowledge", "complaint_acknowledge"]
    assert late.number in items[0].title and items[0].overdue
    assert fresh.number in items[1].title and not items[1].overdue
    assert items[0].link == f"/quality/{late.pk}/#complaint-registration"
    complaint_acknowledge(complaint=fresh, actor=sales_head())
    assert [item.title for item in quality_items(sales_head())] == [items[0].title]


def test_r_5_5_1_2_qc_is_asked_to_investigate_and_then_to_record_the_result():
    record = acknowledged()
    inspector = qc_head()
    assert [item.kind for item in quality_items(inspector)] == ["complaint_investigate"]
    assert quality_items(sales_head()) == []
    complaint_investigate(
        complaint=record,
        cause_category="method",
        why_chain=["a"],
        root_cause="b",
        containment="",
        company_at_fault=False,
        actor=inspector,
    )
    assert [item.kind for item in quality_items(inspector)] == ["complaint_result"]


def test_r_5_5_1_2_the_result_waits_in_no_inbox_while_the_capa_is_open():
    record = investigated(at_fault=True)
    inspector = qc_head()
    assert [item.kind for item in quality_items(inspector)] == ["complaint_capa"]
    workshop = WorkshopFactory()
    request = capa(source=record, department=workshop, actor=inspector)
    assert quality_items(inspector) == []
    lead = workshop_lead(workshop)
    assert [item.kind for item in quality_items(lead)] == ["capa_implement"]
    capa_services.capa_implement(
        capa=request, corrective_action="a", preventive_action="b", implementation="c", actor=lead
    )
    assert quality_items(lead) == []
    assert [item.kind for item in quality_items(inspector)] == ["capa_verify"]
    capa_services.capa_verify_execution(capa=request, actor=inspector)
    capa_services.capa_verify_effectiveness(
        capa=request, effectiveness="effective", actor=inspector, early_reason="客戶已確認"
    )
    assert [item.kind for item in quality_items(inspector)] == ["complaint_result"]


def test_r_5_5_1_3_qc_is_asked_to_feed_the_result_back():
    record = investigated(at_fault=False)
    complaint_record_result(complaint=record, result="已說明", actor=qc_head())
    items = quality_items(qc_head())
    assert [item.kind for item in items] == ["complaint_feedback"] and record.number in items[0].title


def test_r_5_5_2_2_qc_is_asked_to_inspect_returned_goods():
    customer, product, order = shipped(quantity=10)
    record = complaint(
        customer=customer, kind=ComplaintKind.RETURN, return_lines=[{"product": product, "quantity": 10}]
    )
    complaint_acknowledge(complaint=record, actor=sales_head())
    kinds = [item.kind for item in quality_items(qc_head())]
    assert sorted(kinds) == ["complaint_investigate", "return_inspect"]
    return_inspect(return_line=record.return_lines.get(), arrived=10, good=10, nonconforming=0, actor=qc_head())
    assert [item.kind for item in quality_items(qc_head())] == ["complaint_investigate"]


def test_r_3_4_a_department_sees_only_its_own_capa_requests_overdue_first():
    workshop = WorkshopFactory()
    with clock.frozen(TODAY - dt.timedelta(days=40)):
        late = capa(department=workshop)
    due = capa(department=workshop)
    capa(department=WorkshopFactory())
    items = quality_items(department_member(workshop))
    assert [(item.kind, item.overdue) for item in items] == [("capa_implement", True), ("capa_implement", False)]
    assert late.number in items[0].title and due.number in items[1].title


def test_a_role_without_quality_work_gets_none():
    complaint()
    assert quality_items(UserFactory(roles=[Role.WAREHOUSE_CLERK])) == []


@pytest.mark.parametrize("count", [1, 5])
def test_the_inbox_reads_a_fixed_number_of_queries_however_much_waits(django_assert_num_queries, settings, count):
    workshop = WorkshopFactory()
    for _ in range(count):
        complaint()
        acknowledged()
        capa(department=workshop)
    # Every kind of quality work for one user: the heads' steps given to the staff roles that user holds.
    settings.LIAISON_PROCEDURE = {
        name: ("sales_staff", "qc_inspector")
        for name in ("COMPLAINT_CONFIRM_ROLES", "COMPLAINT_INVESTIGATE_ROLES", "CAPA_VERIFY_ROLES", "COMPLAINT_FEEDBACK_ROLES")
    }
    user = UserFactory(roles=[Role.SALES_STAFF, Role.QC_INSPECTOR, Role.RESPONSIBLE_MEMBER], department=workshop)
    user.has_perm("quality.view_complaint")  # permissions are cached per user, as in a request
    user.department  # noqa: B018  (read once per request by the middleware's user)
    # One query per kind of work of every app (the surveys' two included); the user's roles come with their
    # permissions.
    with django_assert_num_queries(13):
        items = quality_items(user)
    assert len(items) >= 3 * count


def test_r_5_5_2_2_qcs_inbox_shows_what_is_still_to_inspect(english):
    """Partial inspections: the item says how much of which product is still to inspect, until none is."""
    customer, bolt, _order = shipped(quantity=100)
    _customer, nut, _order = shipped(customer=customer, quantity=5)
    record = complaint(
        customer=customer,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": bolt, "quantity": 100}, {"product": nut, "quantity": 5}],
    )
    complaint_acknowledge(complaint=record, actor=sales_head())
    bolts, nuts = record.return_lines.order_by("pk")

    def title() -> list[str]:
        return [item.title for item in quality_items(qc_inspector(), prefix="return")]

    lead = f"Inspect the goods returned on {record.number} by {customer}: "
    assert title() == [f"{lead}100 {bolt.unit} of {bolt.code} and 1 more product still to inspect"]
    return_inspect(return_line=bolts, arrived=60, good=60, nonconforming=0, actor=qc_inspector())
    assert title() == [f"{lead}40 {bolt.unit} of {bolt.code} and 1 more product still to inspect"]
    return_inspect(return_line=nuts, arrived=5, good=5, nonconforming=0, actor=qc_inspector())
    assert title() == [f"{lead}40 {bolt.unit} of {bolt.code} still to inspect"]
    return_rest_not_coming(return_line=bolts, reason="客戶保留", actor=qc_inspector())
    assert title() == []
