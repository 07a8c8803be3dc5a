"""Who may catalogue, void, record and read: every role, allowed and refused, by id too."""

import pytest
from django.db import transaction
from django.urls import reverse

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.tests.factories import communication, pdf, received_document
from liaison.core.roles import Role
from liaison.core.services import attachment_add
from liaison.core.tests.factories import UserFactory
from liaison.customers.tests.factories import CustomerFactory

R = Role
WRITERS = {R.SALES_STAFF, R.SALES_ADMIN, R.SALES_HEAD, R.ADMINISTRATOR}
READERS = WRITERS | {R.QC_INSPECTOR, R.QC_HEAD, R.MANAGEMENT}


@pytest.fixture
def records(db):
    clerk = UserFactory(roles=[R.SALES_STAFF])
    customer = CustomerFactory()
    document = received_document(customer=customer, actor=clerk)
    return {
        "customer": customer,
        "document": document,
        "attachment": document.attachments.get(),
        "record": communication(customer=customer, actor=clerk),
    }


READS = {
    "api_document_list": lambda r: "/api/v1/received-documents/",
    "api_document_detail": lambda r: f"/api/v1/received-documents/{r['document'].pk}/",
    "api_record_list": lambda r: "/api/v1/communication-records/",
    "api_record_detail": lambda r: f"/api/v1/communication-records/{r['record'].pk}/",
    "admin_document_list": lambda r: reverse("admin:communications_receiveddocument_changelist"),
    "admin_document_view": lambda r: reverse(
        "admin:communications_receiveddocument_change", args=[r["document"].pk]
    ),
    "admin_record_list": lambda r: reverse("admin:communications_communicationrecord_changelist"),
    "admin_record_view": lambda r: reverse(
        "admin:communications_communicationrecord_change", args=[r["record"].pk]
    ),
    "document_file": lambda r: reverse(
        "communications:received-file", args=[r["document"].pk, r["attachment"].pk]
    ),
}
WRITE_PAGES = {
    "admin_document_add": lambda r: reverse("admin:communications_receiveddocument_add"),
    "admin_document_void": lambda r: reverse(
        "admin:communications_receiveddocument_void_document", args=[r["document"].pk]
    ),
    "admin_record_add": lambda r: reverse("admin:communications_communicationrecord_add"),
}


def _refused(response) -> bool:
    if response.status_code == 302:
        return "/login/" in response["Location"]
    return response.status_code in {403, 404}


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("page", list(READS))
def test_read_pages_by_role(client_as, records, role, page):
    client = client_as(role)
    response = client.get(READS[page](records))
    if role in READERS:
        assert response.status_code == 200, (role, page, response.status_code)
    else:
        assert _refused(response), (role, page, response.status_code)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
@pytest.mark.parametrize("page", list(WRITE_PAGES))
def test_write_pages_by_role(client_as, records, role, page):
    client = client_as(role)
    response = client.get(WRITE_PAGES[page](records))
    if role in WRITERS:
        assert response.status_code == 200, (role, page, response.status_code)
    else:
        assert _refused(response), (role, page, response.status_code)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_api_writes_by_role(api_client, records, role):
    api_client.force_authenticate(UserFactory(roles=[role]))
    customer, document = records["customer"], records["document"]
    created = api_client.post(
        "/api/v1/received-documents/",
        {"customer": customer.pk, "channel": "fax", "summary": "PO", "file": [pdf()]},
        format="multipart",
    )
    f5 = api_client.post(
        "/api/v1/communication-records/",
        {
            "customer": customer.pk,
            "channel": "phone",
            "direction": "from_customer",
            "topic": "inquiry",
            "summary": "?",
        },
        format="json",
    )
    voided = api_client.post(
        f"/api/v1/received-documents/{document.pk}/void/", {"reason": "x"}, format="json"
    )
    if role in WRITERS:
        assert (created.status_code, f5.status_code, voided.status_code) == (201, 201, 200)
        assert ReceivedDocument.objects.count() == 2 and CommunicationRecord.objects.count() == 2
    else:
        assert (created.status_code, f5.status_code, voided.status_code) == (403, 403, 403)
        # The refusal of every step says the same, in the app's words (core.drf.RolePermission).
        assert {created.json()["code"], f5.json()["code"], voided.json()["code"]} == {"not_allowed"}
        assert ReceivedDocument.objects.count() == 1 and CommunicationRecord.objects.count() == 1
        document.refresh_from_db()
        assert not document.is_void


def test_file_of_another_record_is_not_served_through_a_document(client, records, sales_user):
    with transaction.atomic():
        foreign = attachment_add(owner=records["customer"], upload=pdf(), actor=sales_user)
    client.force_login(sales_user)
    url = reverse("communications:received-file", args=[records["document"].pk, foreign.pk])
    assert client.get(url).status_code == 404
