"""API of complaints and returns, returned goods, nonconformance records and feedback (R-4, R-5.5)."""

import datetime as dt

import pytest

from liaison.core import clock
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
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.models import Complaint, Feedback, NonconformanceRecord
from liaison.quality.services.complaints import complaint_record_result, complaint_void
from liaison.quality.states import ComplaintStatus, Disposition
from liaison.quality.tests.factories import acknowledged, complaint, investigated, shipped

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

COMPLAINTS = "/api/v1/complaints/"
TODAY = dt.date(2026, 4, 20)
R = Role
READERS = {
    R.SALES_STAFF,
    R.SALES_ADMIN,
    R.SALES_HEAD,
    R.QC_INSPECTOR,
    R.QC_HEAD,
    R.MANAGEMENT,
    R.ADMINISTRATOR,
}


today = frozen_today(TODAY)


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_r_4_reading_complaints_by_list_and_by_id(api_client, role):
    record = complaint()
    api = as_user(api_client, UserFactory(roles=[role]))
    listed = api.get(COMPLAINTS)
    one = api.get(f"{COMPLAINTS}{record.pk}/")
    if role in READERS:
        assert listed.status_code == one.status_code == 200
        assert [row["number"] for row in listed.json()["results"]] == [record.number]
        assert one.json()["number"] == record.number
    else:
        assert listed.status_code == one.status_code == 403


def test_r_5_5_1_1_sales_registers_a_return_through_the_api(api_client):
    customer, product, order = shipped(quantity=100)
    response = as_user(api_client, sales()).post(
        COMPLAINTS,
        {
            "customer": customer.pk,
            "kind": "return",
            "channel": "fax",
            "complaint_date": "2026-04-18",
            "content": "螺紋不良",
            "order": order.pk,
            "return_lines": [{"product": product.pk, "quantity": "100"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "CMP-2026-0001"
    assert body["resolve_due"] == "2026-05-03"
    assert [line["quantity"] for line in body["return_lines"]] == ["100.000"]


def test_r_5_5_2_1_returning_more_than_shipped_is_a_400_with_the_code(api_client):
    customer, product, _order = shipped(quantity=10)
    response = as_user(api_client, sales()).post(
        COMPLAINTS,
        {
            "customer": customer.pk,
            "kind": "return",
            "channel": "fax",
            "complaint_date": "2026-04-18",
            "content": "退貨",
            "return_lines": [{"product": product.pk, "quantity": "11"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "returned_more_than_shipped"
    assert not Complaint.objects.exists()


def test_r_4_qc_cannot_register_and_sales_cannot_investigate(api_client):
    customer = CustomerFactory()
    body = {
        "customer": customer.pk,
        "channel": "phone",
        "complaint_date": "2026-04-20",
        "content": "異響",
    }
    assert as_user(api_client, qc_head()).post(COMPLAINTS, body, format="json").status_code == 403
    record = acknowledged()
    investigation = {
        "cause_category": "machine",
        "why_chain": ["模具磨損"],
        "root_cause": "模具未按期保養",
        "company_at_fault": False,
    }
    response = as_user(api_client, sales()).post(
        f"{COMPLAINTS}{record.pk}/investigate/", investigation, format="json"
    )
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.status == ComplaintStatus.ACKNOWLEDGED


def test_r_5_5_1_the_steps_through_the_api_up_to_closed(api_client):
    record = complaint()
    base = f"{COMPLAINTS}{record.pk}"
    assert as_user(api_client, sales_head()).post(f"{base}/acknowledge/").status_code == 200
    api = as_user(api_client, qc_head())
    response = api.post(
        f"{base}/investigate/",
        {
            "cause_category": "man",
            "why_chain": ["操作失誤"],
            "root_cause": "客戶誤用",
            "company_at_fault": False,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert api.post(f"{base}/result/", {"result": "非我司責任"}, format="json").status_code == 200
    response = api.post(
        f"{base}/feedback/", {"channel": "email", "summary": "已說明"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == ComplaintStatus.CLOSED


def test_r_5_5_1_3_the_close_action_says_the_feedback_closes_instead_of_a_conflict(api_client, english):
    """The procedure has no separate close: before the feedback the close is told so (400, not 409)."""
    record = complaint_record_result(complaint=investigated(), result="非我司責任", actor=qc_inspector())
    api = as_user(api_client, qc_head())
    history = record.history.count()
    closing = api.post(f"{COMPLAINTS}{record.pk}/close/")
    assert closing.status_code == 400
    assert closing.json()["code"] == "close_without_feedback"
    assert closing.json()["message"] == (
        f"{record.number} has no separate close: it closes when its result is fed back to the customer. "
        "Record the feedback once the result is recorded."
    )
    record.refresh_from_db()
    assert (record.status, record.history.count()) == (ComplaintStatus.RESULT_RECORDED, history)
    # Once fed back it is closed already: the close answers with the closed complaint, unchanged.
    api.post(f"{COMPLAINTS}{record.pk}/feedback/", {"channel": "email", "summary": "已說明"}, format="json")
    record.refresh_from_db()
    history = record.history.count()
    closing = api.post(f"{COMPLAINTS}{record.pk}/close/")
    assert closing.status_code == 200
    assert closing.json()["status"] == ComplaintStatus.CLOSED and closing.json()["closed_at"]
    assert record.history.count() == history


def test_r_5_5_2_2_partial_inspections_and_the_rest_not_coming_through_the_api(api_client, english):
    customer, product, _order = shipped(quantity=100)
    record = complaint(customer=customer, kind="return", return_lines=[{"product": product, "quantity": 100}])
    as_user(api_client, sales_head()).post(f"{COMPLAINTS}{record.pk}/acknowledge/")
    line = record.return_lines.get()
    api = as_user(api_client, qc_inspector())
    inspect = f"/api/v1/return-lines/{line.pk}/inspect/"
    response = api.post(inspect, {"arrived": "60", "good": "60", "nonconforming": "0"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["arrived"], response.json()["remaining"]) == ("60.000", "40.000")
    response = api.post(inspect, {"arrived": "50", "good": "50", "nonconforming": "0"}, format="json")
    assert (response.status_code, response.json()["code"]) == (400, "arrived_more_than_returned")
    response = api.post(f"/api/v1/return-lines/{line.pk}/not-coming/", {"reason": "客戶保留"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["not_coming"], response.json()["remaining"]) == ("40.000", "0.000")
    assert response.json()["not_coming_reason"] == "客戶保留"


def test_r_5_5_1_2_at_fault_without_capa_the_result_is_a_conflict(api_client):
    record = investigated(at_fault=True)
    response = as_user(api_client, qc_head()).post(
        f"{COMPLAINTS}{record.pk}/result/", {"result": "x"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "capa_missing"


def _return_inspected(api_client, *, replacement="30"):
    customer, product, order = shipped(quantity=100)
    record = complaint(
        customer=customer,
        order=order,
        kind="return",
        return_lines=[{"product": product, "quantity": 100}],
    )
    as_user(api_client, sales_head()).post(f"{COMPLAINTS}{record.pk}/acknowledge/")
    line = record.return_lines.get()
    response = as_user(api_client, qc_head()).post(
        f"/api/v1/return-lines/{line.pk}/inspect/",
        {
            "arrived": "100",
            "good": "70",
            "nonconforming": "30",
            "replacement_needed": replacement,
            "nonconformity": "毛刺",
        },
        format="json",
    )
    return record, line, response


def test_r_5_5_2_2_qc_inspects_returned_goods_through_the_api(api_client):
    _record, _line, response = _return_inspected(api_client)
    assert response.status_code == 200, response.json()
    assert (response.json()["good"], response.json()["nonconforming"]) == ("70.000", "30.000")
    assert NonconformanceRecord.objects.count() == 1


def test_r_5_5_2_2_inspecting_more_than_arrived_is_a_400(api_client):
    customer, product, _order = shipped(quantity=10)
    record = complaint(
        customer=customer, kind="return", return_lines=[{"product": product, "quantity": 10}]
    )
    as_user(api_client, sales_head()).post(f"{COMPLAINTS}{record.pk}/acknowledge/")
    line = record.return_lines.get()
    response = as_user(api_client, qc_head()).post(
        f"/api/v1/return-lines/{line.pk}/inspect/",
        {"arrived": "5", "good": "5", "nonconforming": "1", "nonconformity": "銹"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "inspected_more_than_arrived"
    assert "Inspecting more than arrived" in response.json()["message"]


def test_r_4_sales_cannot_inspect_returned_goods(api_client):
    customer, product, _order = shipped(quantity=10)
    record = acknowledged(
        customer=customer, kind="return", return_lines=[{"product": product, "quantity": 10}]
    )
    line = record.return_lines.get()
    response = as_user(api_client, sales_admin()).post(
        f"/api/v1/return-lines/{line.pk}/inspect/",
        {"arrived": "10", "good": "10", "nonconforming": "0"},
        format="json",
    )
    assert response.status_code == 403


def test_r_5_5_2_3_replace_and_dispose_through_the_api(api_client):
    record, _line, _response = _return_inspected(
        api_client, replacement="80"
    )  # stock 70: ship 70, make 10
    workshop = WorkshopFactory()
    assert (
        as_user(api_client, sales()).post(f"{COMPLAINTS}{record.pk}/replace/", {}).status_code
        == 403
    )
    response = as_user(api_client, sales_admin()).post(
        f"{COMPLAINTS}{record.pk}/replace/",
        {"workshop": workshop.pk, "due_date": "2026-05-01"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["slip"].startswith("OUT-2026-")
    assert response.json()["notice"].startswith("PN-2026-")
    ncr = NonconformanceRecord.objects.get()
    url = f"/api/v1/nonconformance-records/{ncr.pk}/dispose/"
    assert as_user(api_client, sales()).post(url, {"disposition": "scrap"}).status_code == 403
    response = as_user(api_client, qc_head()).post(url, {"disposition": "concession"}, format="json")
    assert response.json()["code"] == "concession_not_authorised"
    response = as_user(api_client, qc_head()).post(
        url, {"disposition": "scrap", "note": "報廢"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["disposition"] == Disposition.SCRAP


@pytest.mark.parametrize("role", [R.WAREHOUSE_CLERK, R.WORKSHOP_LEAD, R.RESPONSIBLE_MEMBER])
def test_r_4_roles_without_quality_reading_get_no_ncr_or_feedback_by_id(api_client, role):
    _record, _line, _response = _return_inspected(api_client)
    ncr = NonconformanceRecord.objects.get()
    api = as_user(api_client, UserFactory(roles=[role]))
    assert api.get(f"/api/v1/nonconformance-records/{ncr.pk}/").status_code == 403
    assert api.get("/api/v1/feedback/").status_code == 403


def test_r_5_5_3_feedback_recorded_and_answered_through_the_api(api_client):
    customer = CustomerFactory()
    api = as_user(api_client, sales())
    response = api.post(
        "/api/v1/feedback/",
        {"customer": customer.pk, "kind": "praise", "channel": "phone", "content": "交期準"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert as_user(api_client, qc_head()).post(f"/api/v1/feedback/{pk}/answer/", {}).status_code == 403
    response = as_user(api_client, sales()).post(
        f"/api/v1/feedback/{pk}/answer/", {"answer": "謝謝", "channel": "phone"}, format="json"
    )
    assert response.status_code == 200
    assert Feedback.objects.get().answer == "謝謝"


def test_the_complaint_list_pins_its_queries(api_client, django_assert_num_queries):
    for _ in range(3):
        complaint()
    api = as_user(api_client, sales())
    api.get(COMPLAINTS)  # the user's permissions are read once
    with django_assert_num_queries(3):  # count, page, return lines
        assert api.get(f"{COMPLAINTS}?overdue=false").json()["count"] == 3
    complaint()
    complaint()
    with django_assert_num_queries(3):
        assert api.get(COMPLAINTS).json()["count"] == 5


def test_r_5_5_the_complaint_list_lists_open_ones_unless_all_are_asked_for(api_client):
    with clock.frozen(dt.date(2026, 4, 1)):
        late = complaint(complaint_date=dt.date(2026, 4, 1))  # resolve by 04-16
        void = complaint(complaint_date=dt.date(2026, 4, 1))
        complaint_void(complaint=void, reason="重複登記", actor=UserFactory(roles=[Role.SALES_HEAD]))
    with clock.frozen(TODAY):
        recent = complaint()
        api = as_user(api_client, sales())
        opened = [row["number"] for row in api.get(COMPLAINTS).json()["results"]]
        every = [row["number"] for row in api.get(COMPLAINTS, {"scope": "all"}).json()["results"]]
        assert api.get(COMPLAINTS, {"scope": "closed"}).status_code == 400
    assert opened == [late.number, recent.number]  # overdue first
    assert every == [recent.number, void.number, late.number]  # newest first
