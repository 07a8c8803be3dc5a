"""API of the communications app: catalogue with upload, search, void; F5 list and create."""

import pytest

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import ReceivedDocumentStatus, RecordSource
from liaison.communications.tests.factories import communication, executable, pdf, received_document
from liaison.core import clock
from liaison.core.models import DocumentCounter
from liaison.core.tests.factories import local
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

DOCS = "/api/v1/received-documents/"
F5 = "/api/v1/communication-records/"


@pytest.fixture
def sales_api(api_client, sales_user):
    api_client.force_authenticate(sales_user)
    return api_client


def test_r_5_2_2_3_catalogue_by_multipart_upload(sales_api, sales_user, client):
    customer = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")
    with clock.frozen(local(2026, 3, 2, 9)):
        response = sales_api.post(
            DOCS,
            {
                "customer": customer.pk,
                "channel": "fax",
                "summary": "訂單 PO-778",
                "file": [pdf("po.pdf")],
            },
            format="multipart",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "FAX-2026-0001" and body["status"] == "catalogued"
    assert body["customer_name"] == "蘇州瑞豐機電設備有限公司"
    [file] = body["files"]
    assert file["original_name"] == "po.pdf" and file["mime_type"] == "application/pdf"
    client.force_login(sales_user)
    download = client.get(file["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")


def test_r_5_2_2_3_refused_upload_answers_in_house_format_and_uses_no_number(sales_api):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 3, 2, 9)):
        response = sales_api.post(
            DOCS,
            {"customer": customer.pk, "channel": "fax", "summary": "PO", "file": [executable()]},
            format="multipart",
        )
        assert response.status_code == 400
        body = response.json()
        assert body["code"] == "attachment_type_refused"
        assert "order.pdf" in body["message"] and list(body["fields"]) == ["file"]
        assert not ReceivedDocument.objects.exists()
        ok = sales_api.post(
            DOCS,
            {"customer": customer.pk, "channel": "fax", "summary": "PO", "file": [pdf()]},
            format="multipart",
        )
    assert ok.json()["number"] == "FAX-2026-0001"


def test_fax_without_file_is_refused(sales_api):
    response = sales_api.post(
        DOCS,
        {"customer": CustomerFactory().pk, "channel": "fax", "summary": "PO"},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_required" and "file" in response.json()["fields"]
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()


def test_missing_fields_are_listed(sales_api):
    response = sales_api.post(DOCS, {"channel": "pigeon"}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and {"customer", "channel", "summary"} <= set(body["fields"])


def test_r_5_2_2_3_search_by_number_customer_and_date(sales_api, sales_user):
    ruifeng = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")
    other = CustomerFactory()
    with clock.frozen(local(2026, 3, 2)):
        first = received_document(customer=ruifeng, actor=sales_user)
    with clock.frozen(local(2026, 3, 5)):
        second = received_document(customer=other, actor=sales_user)
        third = received_document(customer=ruifeng, actor=sales_user)

    def found(**params):
        response = sales_api.get(DOCS, params)
        assert response.status_code == 200, response.json()
        return [row["number"] for row in response.json()["results"]]

    assert found(q=second.number) == [second.number]
    assert found(q="苏州瑞丰") == [third.number, first.number]
    assert found(customer=other.pk) == [second.number]
    assert found(date_from="2026-03-01", date_to="2026-03-03") == [first.number]
    bad = sales_api.get(DOCS, {"date_from": "yesterday"})
    assert (
        bad.status_code == 400
        and bad.json()["code"] == "invalid"
        and "date_from" in bad.json()["fields"]
    )


def test_void_action_and_void_twice_conflicts(sales_api, sales_user):
    document = received_document(actor=sales_user)
    missing = sales_api.post(f"{DOCS}{document.pk}/void/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    response = sales_api.post(f"{DOCS}{document.pk}/void/", {"reason": "Sent twice"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == ReceivedDocumentStatus.VOID and body["number"] == document.number
    assert body["void_reason"] == "Sent twice" and body["voided_by"] == sales_user.pk
    again = sales_api.post(f"{DOCS}{document.pk}/void/", {"reason": "Again"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_void"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_catalogued_documents_are_not_edited_or_deleted(sales_api, sales_user, method):
    document = received_document(actor=sales_user)
    response = getattr(sales_api, method)(f"{DOCS}{document.pk}/", {"summary": "x"}, format="json")
    assert response.status_code in {403, 405}  # no role holds change/delete; no route either
    assert ReceivedDocument.objects.get().summary == document.summary


def test_r_5_4_f5_record_created_by_the_api(sales_api, sales_user):
    customer = CustomerFactory()
    document = received_document(customer=customer, actor=sales_user)
    response = sales_api.post(
        F5,
        {
            "customer": customer.pk,
            "channel": "phone",
            "direction": "to_customer",
            "topic": "delivery_reply",
            "summary": "交期 5/20",
            "about": f"communications.receiveddocument:{document.pk}",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["staff"] == sales_user.pk and body["source"] == RecordSource.MANUAL
    assert (body["about_type"], body["about_id"]) == (
        "communications.receiveddocument",
        document.pk,
    )
    record = CommunicationRecord.objects.get()
    assert record.about == document
    listed = sales_api.get(F5, {"customer": customer.pk}).json()["results"]
    assert [row["id"] for row in listed] == [record.pk]


@pytest.mark.parametrize(
    "about", ["orders.order:1", "communications.receiveddocument:999", "nonsense", "core.user:1"]
)
def test_f5_link_to_an_unknown_or_hidden_record_is_refused(sales_api, about):
    response = sales_api.post(
        F5,
        {
            "customer": CustomerFactory().pk,
            "channel": "phone",
            "direction": "from_customer",
            "topic": "inquiry",
            "summary": "?",
            "about": about,
        },
        format="json",
    )
    assert response.status_code == 400 and "about" in response.json()["fields"]
    assert not CommunicationRecord.objects.exists()


def test_f5_list_filters_by_topic(sales_api, sales_user):
    customer = CustomerFactory()
    communication(customer=customer, topic="inquiry", actor=sales_user)
    survey = communication(customer=customer, topic="survey", actor=sales_user, automatic=True)
    rows = sales_api.get(F5, {"topic": "survey"}).json()["results"]
    assert [row["id"] for row in rows] == [survey.pk]
    assert rows[0]["source"] == "automatic"
