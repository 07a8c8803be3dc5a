"""The complaint (F6) and CAPA (F7) pages: who opens them, what each step does, and that a refusal changes nothing."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from liaison.communications.models import CommunicationRecord
from liaison.communications.tests.factories import received_document
from liaison.core import clock
from liaison.core.roles import ROLE_PERMISSIONS, Role
from liaison.core.tests.factories import (
    UserFactory,
    WorkshopFactory,
    department_member,
    frozen_today,
    local,
    qc_head,
    qc_inspector,
    sales,
    sales_admin,
    sales_head,
    workshop_lead,
)
from liaison.customers.tests.factories import CustomerFactory
from liaison.production.models import ProductionNotice
from liaison.quality.capa import services as capa_services
from liaison.quality.models import CapaRequest, CapaStep, Complaint, NonconformanceRecord, ReturnLine
from liaison.quality.services.complaints import complaint_acknowledge, complaint_investigate, complaint_record_result
from liaison.quality.services.returns import return_inspect
from liaison.quality.states import (
    CapaStatus,
    CapaStepMeaning,
    ComplaintKind,
    ComplaintStatus,
    Disposition,
    Effectiveness,
)
from liaison.quality.tests.factories import acknowledged, capa, closed, complaint, investigated, shipped
from liaison.stock.models import OutboundSlip, StockMove
from liaison.stock.selectors import stock_of
from liaison.stock.services import stock_move_record
from liaison.stock.states import MoveDirection, MoveReason

pytestmark = pytest.mark.django_db

TODAY = local(2026, 5, 4)
SEES_COMPLAINTS = {role for role, perms in ROLE_PERMISSIONS.items() if "quality.view_complaint" in perms}


today = frozen_today(TODAY)


def url(name: str, *args) -> str:
    return reverse(f"quality:{name}", args=args)


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


def chinese(user):
    """The user reads the pages in Traditional Chinese."""
    user.language = "zh-hant"
    user.save(update_fields=["language"])
    return user


def state(record) -> tuple:
    """What a refused step must leave as it was: the record's status and its history length."""
    record.refresh_from_db()
    return record.status, record.history.count()


def a_return(quantity=100, **kwargs):
    customer, product, order = shipped(quantity=quantity)
    record = complaint(
        customer=customer,
        order=order,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": quantity}],
        **kwargs,
    )
    return record, product


def inspect_data(line, **values) -> dict:
    data = {"line": line.pk, "arrived": "", "good": "", "nonconforming": "", "replacement_needed": "0", "nonconformity": ""}
    data.update(values)
    return {f"inspect-{line.pk}-{key}": value for key, value in data.items()}


def prefixed(prefix: str, **values) -> dict:
    return {f"{prefix}-{key}": value for key, value in values.items()}


# Who opens what


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_r_4_complaint_page_by_role_and_by_direct_address(client, role):
    record = complaint()
    client.force_login(UserFactory(roles=[role]))
    response = client.get(url("complaint", record.pk))
    assert response.status_code == (200 if role in SEES_COMPLAINTS else 403)


def test_a_complaint_that_does_not_exist_is_not_found(client):
    client.force_login(sales())
    assert client.get(url("complaint", 999999)).status_code == 404


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_r_4_register_page_only_for_who_registers_complaints(client_as, role):
    client = client_as(role)
    allowed = "quality.add_complaint" in ROLE_PERMISSIONS[role]
    assert client.get(url("register")).status_code == (200 if allowed else 403)


def test_r_3_4_capa_page_for_qc_and_the_named_department_only(client):
    workshop = WorkshopFactory()
    request = capa(department=workshop)
    for user, expected in [
        (qc_head(), 200),
        (sales(), 200),
        (UserFactory(roles=[Role.MANAGEMENT]), 200),
        (workshop_lead(workshop), 200),
        (department_member(workshop), 200),
        (workshop_lead(WorkshopFactory()), 404),
        (department_member(WorkshopFactory()), 404),
        (UserFactory(roles=[Role.WAREHOUSE_CLERK]), 403),
    ]:
        client.force_login(user)
        assert client.get(url("capa", request.pk)).status_code == expected, user.groups.first()


def test_steps_accept_only_post(client):
    record = complaint()
    client.force_login(sales())
    assert client.get(url("acknowledge", record.pk)).status_code == 405


def test_only_the_steps_the_user_may_take_now_are_shown(client):
    record = complaint()
    client.force_login(sales_head())
    page = client.get(url("complaint", record.pk)).content.decode()
    assert 'id="complaint-acknowledge"' in page and 'id="complaint-investigate"' not in page
    client.force_login(qc_head())
    page = client.get(url("complaint", record.pk)).content.decode()
    assert 'id="complaint-acknowledge"' not in page and 'id="complaint-investigate"' not in page
    complaint_acknowledge(complaint=record, actor=sales_head())
    page = client.get(url("complaint", record.pk)).content.decode()
    assert 'id="complaint-investigate"' in page
    client.force_login(sales())
    page = client.get(url("complaint", record.pk)).content.decode()
    assert 'id="complaint-investigate"' not in page


# Registering (R-5.5.1.1, R-5.5.2.1)


def test_r_5_5_1_1_sales_registers_a_complaint_on_the_page(client):
    customer = CustomerFactory()
    client.force_login(sales())
    response = client.post(
        url("register"),
        {
            "customer": customer.pk,
            "kind": "complaint",
            "channel": "phone",
            "complaint_date": "2026-05-03",
            "content": "螺紋不良，無法裝配",
            "lot": "L-0425",
            "requested_remedy": "換貨",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
        },
    )
    record = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"] == record.get_absolute_url()
    assert (record.customer, record.kind, record.lot, record.status) == (
        customer,
        ComplaintKind.COMPLAINT,
        "L-0425",
        ComplaintStatus.REGISTERED,
    )
    assert record.complaint_date == dt.date(2026, 5, 3)


def test_r_5_5_2_1_sales_registers_a_return_with_its_lines(client):
    customer, product, order = shipped(quantity=100)
    client.force_login(sales())
    response = client.post(
        url("register"),
        {
            "customer": customer.pk,
            "kind": "return",
            "channel": "fax",
            "complaint_date": "2026-05-04",
            "content": "整批退貨",
            "order": order.pk,
            "lines-TOTAL_FORMS": "2",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk,
            "lines-0-quantity": "100",
        },
    )
    assert response.status_code == 302
    record = Complaint.objects.get()
    assert record.kind == ComplaintKind.RETURN and record.order == order
    assert [(line.product, line.quantity) for line in record.return_lines.all()] == [(product, Decimal(100))]


def test_r_5_5_2_1_returning_more_than_shipped_shows_the_error_on_the_line_and_keeps_the_input(client):
    customer, product, order = shipped(quantity=100)
    client.force_login(chinese(sales()))
    response = client.post(
        url("register"),
        {
            "customer": customer.pk,
            "kind": "return",
            "channel": "fax",
            "complaint_date": "2026-05-04",
            "content": "整批退貨，共一百二十件",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": product.pk,
            "lines-0-quantity": "120",
        },
    )
    assert response.status_code == 200
    assert not Complaint.objects.exists()
    line = response.context["lines"].forms[0]
    assert line.errors["quantity"] and "120" in line.errors["quantity"][0]
    assert "最多" in line.errors["quantity"][0] or "至多" in line.errors["quantity"][0] or "100" in line.errors["quantity"][0]
    page = response.content.decode()
    assert "整批退貨，共一百二十件" in page and 'value="120"' in page


def test_r_5_5_1_1_register_prefills_from_a_catalogued_fax(client):
    document = received_document(summary="投訴：螺絲生銹")
    client.force_login(sales())
    response = client.get(url("register") + f"?document={document.pk}")
    form = response.context["form"]
    assert form.initial["customer"] == document.customer.pk
    assert form.initial["channel"] == "fax"
    assert document.number in form.initial["content"] and "螺絲生銹" in form.initial["content"]


def test_the_order_choice_follows_the_customer(client):
    customer, _, order = shipped()
    other_customer, _, other_order = shipped()
    client.force_login(sales())
    response = client.get(url("register-orders") + f"?customer={customer.pk}")
    page = response.content.decode()
    assert order.number in page and other_order.number not in page


# The complaint page's steps (R-5.5.1.1 – R-5.5.1.3)


def test_r_5_5_1_1_sales_acknowledges_on_the_page(client):
    record = complaint()
    client.force_login(sales_head())  # Sales staff prepared it; the Sales head confirms
    response = client.post(url("acknowledge", record.pk), {})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ComplaintStatus.ACKNOWLEDGED and record.acknowledged_at is not None


def investigate_data(**values) -> dict:
    data = {
        "cause_category": "method",
        "why_1": "螺紋規格用錯",
        "why_2": "圖紙版本未更新",
        "root_cause": "圖紙版本管理不到位",
        "containment": "庫存全檢",
        "company_at_fault": "yes",
    }
    data.update(values)
    return prefixed("investigate", **data)


def test_r_5_5_1_2_qc_investigates_on_the_page(client):
    record = acknowledged()
    client.force_login(qc_head())
    response = client.post(url("investigate", record.pk), investigate_data(why_4="沒有人檢查"))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ComplaintStatus.INVESTIGATED
    assert record.why_chain == ["螺紋規格用錯", "圖紙版本未更新", "沒有人檢查"]
    assert (record.cause_category, record.company_at_fault) == ("method", True)


def test_r_4_sales_trying_qcs_step_is_refused_before_anything_is_read_and_nothing_changes(client):
    record = acknowledged()
    before = state(record)
    client.force_login(chinese(sales()))
    response = client.post(url("investigate", record.pk), investigate_data(root_cause="我們自己查的原因"))
    assert response.status_code == 403
    assert state(record) == before
    assert "我們自己查的原因" not in response.content.decode()


def test_r_5_5_1_2_an_empty_why_chain_is_refused_beside_the_first_why(client):
    record = acknowledged()
    before = state(record)
    client.force_login(qc_head())
    response = client.post(url("investigate", record.pk), investigate_data(why_1="", why_2=""))
    assert response.status_code == 200 and state(record) == before
    assert response.context["investigate_form"].errors["why_1"]
    assert "圖紙版本管理不到位" in response.content.decode()


def capa_data(department, **values) -> dict:
    data = {
        "department": department.pk,
        "problem": "螺紋規格用錯",
        "due_date": "2026-06-03",
        "effectiveness_criterion": "三個月內無同類投訴",
        "effectiveness_check_date": "2026-08-02",
    }
    data.update(values)
    return prefixed("capa", **data)


def test_r_5_5_1_2_qc_issues_a_capa_from_the_complaint_page(client):
    record = investigated(at_fault=True)
    workshop = WorkshopFactory()
    client.force_login(qc_head())
    page = client.get(url("complaint", record.pk))
    assert page.context["capa_form"].initial["due_date"] == dt.date(2026, 6, 3)  # CAPA_DUE_DAYS = 30
    response = client.post(url("issue-capa", record.pk), capa_data(workshop))
    assert response.status_code == 302
    request = CapaRequest.objects.get()
    assert (request.source, request.department, request.status) == (record, workshop, CapaStatus.ISSUED)
    assert request.effectiveness_check_date == dt.date(2026, 8, 2)


def test_r_5_5_1_2_a_capa_due_in_the_past_is_refused_and_the_input_kept(client):
    record = investigated(at_fault=True)
    workshop = WorkshopFactory()
    client.force_login(chinese(qc_head()))
    response = client.post(url("issue-capa", record.pk), capa_data(workshop, due_date="2026-05-01", problem="毛刺超標"))
    assert response.status_code == 200 and not CapaRequest.objects.exists()
    assert response.context["capa_form"].errors["due_date"]
    assert "毛刺超標" in response.content.decode()


def test_r_5_5_1_2_result_on_the_page_when_not_at_fault(client):
    record = investigated(at_fault=False)
    client.force_login(qc_head())
    response = client.post(url("result", record.pk), {"result-result": "非我司責任，已向客戶說明"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ComplaintStatus.RESULT_RECORDED and record.result == "非我司責任，已向客戶說明"


def test_r_5_5_1_2_result_refused_while_the_capa_is_open(client):
    record = investigated(at_fault=True)
    capa(source=record)
    before = state(record)
    client.force_login(qc_head())
    response = client.post(url("result", record.pk), {"result-result": "已處理"})
    assert response.status_code == 200 and state(record) == before
    assert "CAPA" in response.context["result_form"].non_field_errors()[0]


def test_r_5_5_1_3_feedback_on_the_page_goes_to_f5_and_closes(client):
    record = investigated(at_fault=False)
    complaint_record_result(complaint=record, result="非我司責任", actor=qc_head())
    client.force_login(qc_head())
    response = client.post(
        url("feedback", record.pk),
        prefixed("feedback", channel="email", contact="何志強", summary="調查結果已說明"),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ComplaintStatus.CLOSED and record.feedback_summary == "何志強: 調查結果已說明"
    assert CommunicationRecord.objects.filter(channel="email", summary__contains="調查結果已說明").exists()


def test_r_5_5_1_3_a_close_before_feedback_says_the_feedback_closes_and_nothing_changes(client, english):
    record = investigated(at_fault=False)
    complaint_record_result(complaint=record, result="非我司責任", actor=qc_head())
    before = state(record)
    client.force_login(qc_head())
    response = client.post(url("close", record.pk), {})
    assert response.status_code == 200 and state(record) == before
    assert response.context["close_form"].non_field_errors() == [
        f"{record.number} has no separate close: it closes when its result is fed back to the customer. "
        "Record the feedback once the result is recorded."
    ]


def test_r_5_5_1_3_a_close_after_feedback_says_the_feedback_closed_it(client, english):
    record = closed()
    before = state(record)
    client.force_login(qc_head())
    response = client.post(url("close", record.pk), {}, follow=True)
    assert response.status_code == 200 and state(record) == before
    when = timezone.localtime(record.closed_at).strftime("%Y-%m-%d %H:%M")
    assert messages_of(response) == [
        f"{record.number} was closed when its result was fed back to the customer on {when}."
    ]


# Returned goods (R-5.5.2.2, R-5.5.2.3)


def test_r_5_5_2_2_qc_inspects_a_line_on_the_page(client):
    record, product = a_return(100)
    complaint_acknowledge(complaint=record, actor=sales_head())
    line = record.return_lines.get()
    stock = stock_of(product=product)
    client.force_login(qc_head())
    response = client.post(
        url("inspect", record.pk, line.pk),
        inspect_data(line, arrived="100", good="70", nonconforming="30", replacement_needed="30", nonconformity="螺紋損壞"),
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.good, line.nonconforming, line.replacement_needed) == (70, 30, 30)
    assert stock_of(product=product) == stock + 70
    assert NonconformanceRecord.objects.get().quantity == 30


def test_r_5_5_2_2_inspecting_more_than_arrived_shows_the_translated_refusal_and_changes_nothing(client):
    record, product = a_return(100)
    complaint_acknowledge(complaint=record, actor=sales_head())
    line = record.return_lines.get()
    moves = StockMove.objects.count()
    client.force_login(chinese(qc_head()))
    response = client.post(
        url("inspect", record.pk, line.pk),
        inspect_data(line, arrived="100", good="80", nonconforming="30", nonconformity="螺紋損壞了"),
    )
    assert response.status_code == 200
    line.refresh_from_db()
    assert line.inspected_at is None and StockMove.objects.count() == moves
    assert not NonconformanceRecord.objects.exists()
    form = next(item.inspect_form for item in response.context["page"].return_lines if item.pk == line.pk)
    assert form.errors["good"][0].startswith("檢驗數量超過到貨數量")
    page = response.content.decode()
    assert "螺紋損壞了" in page and 'value="80"' in page


def test_r_5_5_2_2_partial_inspections_on_the_page_and_the_rest_not_coming(client, english):
    """60 of 100 arrive: inspected on the page; the line and the page show 40 still to inspect; the rest not coming."""
    record, product = a_return(100)
    complaint_acknowledge(complaint=record, actor=sales_head())
    line = record.return_lines.get()
    inspector = qc_inspector()
    client.force_login(inspector)
    response = client.post(
        url("inspect", record.pk, line.pk),
        inspect_data(line, arrived="60", good="55", nonconforming="5", nonconformity="螺紋損壞"),
        follow=True,
    )
    assert messages_of(response) == [f"The inspection of {product} is recorded; 40 pcs still to inspect."]
    page = response.content.decode()
    assert f'data-line="{line.pk}" data-product="{product.code}" data-inspected="0" data-remaining="40"' in page
    assert "55 good, 5 nonconforming" in page
    form = next(item.inspect_form for item in response.context["page"].return_lines if item.pk == line.pk)
    assert form.initial["arrived"] == 40
    assert f"Inspect the returned {product.code} that arrived (40 pcs still to inspect)" in page
    # A reason is required: the refusal is on the form and nothing changes.
    response = client.post(url("not-coming", record.pk, line.pk), prefixed(f"not-coming-{line.pk}", line=line.pk))
    assert response.status_code == 200
    line.refresh_from_db()
    assert (line.not_coming, line.remaining) == (0, 40)
    response = client.post(
        url("not-coming", record.pk, line.pk),
        prefixed(f"not-coming-{line.pk}", line=line.pk, reason="客戶自行報廢"),
        follow=True,
    )
    assert messages_of(response) == [f"40 pcs of {product} are recorded as not coming."]
    line.refresh_from_db()
    assert (line.not_coming, line.not_coming_by, line.remaining) == (40, inspector, 0)
    page = response.content.decode()
    assert "40 pcs not coming — 客戶自行報廢" in page
    assert f'id="inspect-{line.pk}"' not in page and f'id="not-coming-{line.pk}"' not in page


def test_r_5_5_2_2_the_complaint_page_says_what_waits_before_the_result(client, english):
    record, product = a_return(100)
    complaint_acknowledge(complaint=record, actor=sales_head())
    line = record.return_lines.get()
    return_inspect(return_line=line, arrived=60, good=60, nonconforming=0, actor=qc_inspector())
    complaint_investigate(
        complaint=record, cause_category="man", why_chain=["a"], root_cause="b", containment="",
        company_at_fault=False, actor=qc_head(),
    )
    client.force_login(qc_inspector())
    response = client.get(url("complaint", record.pk))
    assert "result_form" not in response.context
    assert (
        "The result is recorded once every returned piece is inspected or recorded as not coming; "
        f"still to inspect: {product.code} 40 pcs"
    ) in response.content.decode()


def test_a_line_of_another_complaint_is_not_found(client):
    record, _ = a_return(10)
    other, _ = a_return(10)
    client.force_login(qc_head())
    line = other.return_lines.get()
    assert client.post(url("inspect", record.pk, line.pk), inspect_data(line)).status_code == 404


def test_r_5_5_2_2_qc_decides_the_disposition_on_the_page(client):
    record, _ = a_return(10)
    complaint_acknowledge(complaint=record, actor=sales_head())
    line = record.return_lines.get()
    return_inspect(return_line=line, arrived=10, good=0, nonconforming=10, nonconformity="生銹", actor=qc_head())
    ncr = NonconformanceRecord.objects.get()
    client.force_login(qc_head())
    refused = client.post(url("dispose", record.pk, ncr.pk), prefixed(f"dispose-{ncr.pk}", record=ncr.pk, disposition="concession", note="客戶同意"))
    assert refused.status_code == 200
    ncr.refresh_from_db()
    assert ncr.disposition == ""
    response = client.post(
        url("dispose", record.pk, ncr.pk),
        prefixed(f"dispose-{ncr.pk}", record=ncr.pk, disposition="concession", concession_authorised_by="陳經理", note="客戶同意"),
    )
    assert response.status_code == 302
    ncr.refresh_from_db()
    assert (ncr.disposition, ncr.concession_authorised_by) == (Disposition.CONCESSION, "陳經理")


def test_r_5_5_2_3_replacement_on_the_page_ships_stock_and_produces_the_rest(client):
    """Story 5 through the pages: 100 back, 70 good, 30 nonconforming; 30 replaced, 10 in stock."""
    record, product = a_return(100)
    client.force_login(sales_head())
    assert client.post(url("acknowledge", record.pk), {}).status_code == 302
    line = record.return_lines.get()
    client.force_login(qc_head())
    client.post(
        url("inspect", record.pk, line.pk),
        inspect_data(line, arrived="100", good="70", nonconforming="30", replacement_needed="30", nonconformity="螺紋損壞"),
    )
    # The 70 good ones went back to stock; take stock down to 10 for the story.
    stock_move_record(
        product=product, direction=MoveDirection.OUT, quantity=stock_of(product=product) - 10, reason=MoveReason.COUNT_CORRECTION,
        actor=None, document_ref="COUNT",
    )
    workshop = WorkshopFactory()
    client.force_login(sales_admin())
    page = client.get(url("complaint", record.pk))
    plan = page.context["replacement"]["plan"]
    assert [(row["from_stock"], row["to_make"]) for row in plan] == [(10, 20)]
    refused = client.post(url("replace", record.pk), prefixed("replace", workshop="", due_date=""))
    assert refused.status_code == 200 and not OutboundSlip.objects.filter(replenishment=True).exists()
    response = client.post(url("replace", record.pk), prefixed("replace", workshop=workshop.pk, due_date="2026-05-20"))
    assert response.status_code == 302
    slip = OutboundSlip.objects.get(replenishment=True)
    notice = ProductionNotice.objects.get(replenishment=True)
    assert [line.quantity for line in slip.lines.all()] == [10]
    assert [line.quantity for line in notice.lines.all()] == [20]
    page = client.get(url("complaint", record.pk)).content.decode()
    assert slip.number in page and notice.number in page and 'id="complaint-replace"' not in page


# The CAPA page (R-5.5.1.2, R-3.4)


def implement_data(**values) -> dict:
    data = {"corrective_action": "更新圖紙", "preventive_action": "圖紙版本受控", "implementation": "五月已完成培訓"}
    data.update(values)
    return prefixed("implement", **data)


def test_r_3_4_the_named_department_implements_on_the_page(client):
    workshop = WorkshopFactory()
    request = capa(department=workshop)
    client.force_login(workshop_lead(workshop))
    page = client.get(url("capa", request.pk)).content.decode()
    assert 'id="capa-implement"' in page and 'id="capa-verify-execution"' not in page
    response = client.post(url("capa-implement", request.pk), implement_data())
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CapaStatus.IMPLEMENTED and request.corrective_action == "更新圖紙"
    assert request.steps.filter(meaning=CapaStepMeaning.IMPLEMENTED).exists()


def test_r_3_4_a_department_implementing_anothers_capa_sees_the_translated_refusal(client):
    request = capa(department=WorkshopFactory())
    # A QC inspector who also leads another workshop sees every request but implements only their own.
    user = chinese(UserFactory(roles=[Role.QC_INSPECTOR, Role.WORKSHOP_LEAD], department=WorkshopFactory()))
    before = state(request)
    client.force_login(user)
    assert 'id="capa-implement"' not in client.get(url("capa", request.pk)).content.decode()
    response = client.post(url("capa-implement", request.pk), implement_data(corrective_action="我們來改"))
    assert response.status_code == 403 and state(request) == before
    error = response.context["implement_form"].non_field_errors()[0]
    assert request.number in error and str(request.department) in error
    assert "我們來改" in response.content.decode()


def test_r_3_4_another_department_cannot_reach_the_capa_by_its_address(client):
    request = capa(department=WorkshopFactory())
    client.force_login(workshop_lead(WorkshopFactory()))
    assert client.post(url("capa-implement", request.pk), implement_data()).status_code == 404
    request.refresh_from_db()
    assert request.status == CapaStatus.ISSUED


def test_r_5_5_1_2_verifying_a_capa_not_implemented_shows_the_translated_refusal(client):
    request = capa()
    before = state(request)
    steps = CapaStep.objects.count()
    client.force_login(chinese(qc_head()))
    response = client.post(url("capa-verify-execution", request.pk), prefixed("verify_execution", note="現場確認"))
    assert response.status_code == 200 and state(request) == before and CapaStep.objects.count() == steps
    error = response.context["verify_execution_form"].non_field_errors()[0]
    assert request.number in error and "Verify" not in error
    assert "現場確認" in response.content.decode()


def implemented(workshop=None):
    workshop = workshop or WorkshopFactory()
    request = capa(department=workshop)
    return capa_services.capa_implement(
        capa=request,
        corrective_action="更新圖紙",
        preventive_action="圖紙版本受控",
        implementation="已完成",
        actor=workshop_lead(workshop),
    )


def test_r_5_5_1_2_qc_verifies_execution_then_effective_closes(client):
    request = implemented()
    client.force_login(qc_head())
    assert client.post(url("capa-verify-execution", request.pk), prefixed("verify_execution", note="現場確認")).status_code == 302
    request.refresh_from_db()
    assert request.status == CapaStatus.EXECUTION_VERIFIED
    response = client.post(
        url("capa-verify-effectiveness", request.pk),
        prefixed(
            "verify_effectiveness", effectiveness="effective", note="三個月無同類投訴", new_due_date="",
            early_reason="客戶確認連續三批合格",
        ),
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == CapaStatus.CLOSED and request.effectiveness == Effectiveness.EFFECTIVE
    page = client.get(url("capa", request.pk)).content.decode()
    for meaning in ("issued", "implemented", "execution_verified", "effectiveness_verified"):
        assert f'data-meaning="{meaning}"' in page


def test_r_5_5_1_2_partly_effective_goes_back_with_a_new_due_date(client):
    request = implemented()
    capa_services.capa_verify_execution(capa=request, actor=qc_head())
    client.force_login(qc_head())
    refused = client.post(
        url("capa-verify-effectiveness", request.pk),
        prefixed("verify_effectiveness", effectiveness="partly", note="仍有一例", early_reason="客戶再次投訴"),
    )
    assert refused.status_code == 200 and refused.context["verify_effectiveness_form"].errors["new_due_date"]
    response = client.post(
        url("capa-verify-effectiveness", request.pk),
        prefixed(
            "verify_effectiveness", effectiveness="partly", note="仍有一例", new_due_date="2026-06-15",
            early_reason="客戶再次投訴",
        ),
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.due_date) == (CapaStatus.ISSUED, dt.date(2026, 6, 15))


def test_an_overdue_capa_is_flagged_on_its_page(client):
    request = capa()
    client.force_login(qc_head())
    with clock.frozen(TODAY + dt.timedelta(days=40)):
        page = client.get(url("capa", request.pk)).content.decode()
    assert 'id="capa-due" class="overdue"' in page


# Query counts


@pytest.mark.parametrize("lines", [1, 4])
def test_complaint_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries, lines):
    customer = CustomerFactory()
    products = [shipped(customer=customer, quantity=10)[1] for _ in range(lines)]
    record = complaint(
        customer=customer,
        kind=ComplaintKind.RETURN,
        return_lines=[{"product": product, "quantity": 10} for product in products],
    )
    complaint_acknowledge(complaint=record, actor=sales_head())
    for line in record.return_lines.all():
        return_inspect(
            return_line=line, arrived=10, good=5, nonconforming=5, replacement_needed=5, nonconformity="壞",
            actor=qc_head(),
        )
    user = UserFactory(roles=[Role.QC_INSPECTOR, Role.SALES_ADMIN])
    client.force_login(user)
    client.get(url("complaint", record.pk))  # warm the session and permission caches
    # The page's own reads (the lines' partial inspections among them), plus the sidebar's inbox badge (one
    # query counting every kind of work of QC and Sales). The user's roles come with their permissions.
    with django_assert_num_queries(15):
        response = client.get(url("complaint", record.pk))
    assert response.status_code == 200 and ReturnLine.objects.filter(complaint=record).count() == lines


@pytest.mark.parametrize("steps", [0, 2])
def test_capa_page_reads_a_fixed_number_of_queries(client, django_assert_num_queries, steps):
    workshop = WorkshopFactory()
    request = capa(department=workshop)
    lead = workshop_lead(workshop)
    for _ in range(steps):
        capa_services.capa_review(capa=request, actor=lead)
        capa_services.capa_implement(
            capa=request, corrective_action="a", preventive_action="b", implementation="c", actor=lead
        )
        capa_services.capa_verify_execution(capa=request, actor=qc_head())
        capa_services.capa_verify_effectiveness(
            capa=request, effectiveness="partly", new_due_date=dt.date(2026, 6, 1), actor=qc_head(),
            early_reason="仍有毛刺",
        )
    client.force_login(qc_head())
    client.get(url("capa", request.pk))
    # The request with its steps, plus the sidebar's inbox badge (one query counting every kind of QC's work).
    with django_assert_num_queries(7):
        response = client.get(url("capa", request.pk))
    assert response.status_code == 200


# The order page lists the order's complaints (issue 13, item 8)


def test_r_5_5_1_1_complaints_about_an_order_are_listed_on_its_page(client, english):
    customer, _product, order = shipped(quantity=10)
    first = complaint(customer=customer, order=order, content="包裝破損")
    with clock.frozen(clock.now() + dt.timedelta(hours=1)):
        second = complaint(customer=customer, order=order, content="螺紋不良")
    complaint(customer=customer, content="與此訂單無關")  # another complaint of the customer, no order
    client.force_login(qc_inspector())
    response = client.get(reverse("orders:detail", args=[order.pk]))
    assert response.status_code == 200
    assert [item.number for item in response.context["page"].complaints] == [second.number, first.number]
    page = response.content.decode()
    assert f'data-complaint="{second.number}"' in page and f'href="{second.get_absolute_url()}"' in page
    assert "包裝破損" in page and "與此訂單無關" not in page
    # Who may not read complaints sees the order without them.
    client.force_login(UserFactory(roles=[Role.WAREHOUSE_CLERK]))
    response = client.get(reverse("orders:detail", args=[order.pk]))
    assert response.status_code == 200 and 'id="order-complaints"' not in response.content.decode()
