"""Back office: catalogue and F5 pages call the services; refused input shows on the form."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import ReceivedDocumentStatus, RecordSource
from liaison.communications.tests.factories import communication, executable, pdf, png, received_document
from liaison.core import clock
from liaison.core.models import DocumentCounter
from liaison.core.tests.factories import local
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

ADD = "admin:communications_receiveddocument_add"
LIST = "admin:communications_receiveddocument_changelist"


@pytest.fixture
def sales(client_as, sales_user):
    return client_as(sales_user)


def _catalogue_form(customer, files, channel="fax"):
    return {
        "customer": customer.pk,
        "channel": channel,
        "received_at_0": "2026-03-02",
        "received_at_1": "08:30:00",
        "summary": "訂單 PO-778",
        "file": files,
    }


def test_r_5_2_2_3_add_form_uploads_and_numbers(sales, sales_user):
    customer = CustomerFactory()
    assert sales.get(reverse(ADD)).status_code == 200
    with clock.frozen(local(2026, 3, 2, 9)):
        response = sales.post(
            reverse(ADD), _catalogue_form(customer, [pdf("p1.pdf"), png("p2.png")])
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    document = ReceivedDocument.objects.get()
    assert document.number == "FAX-2026-0001" and document.created_by == sales_user
    assert document.received_at == local(2026, 3, 2, 8).replace(minute=30)
    assert sorted(a.original_name for a in document.attachments.all()) == ["p1.pdf", "p2.png"]
    assert (
        timeline_for(customer=customer, event=TimelineEvent.DOCUMENT_RECEIVED)[0].about == document
    )


def test_r_5_2_2_3_refused_file_shows_on_the_form_saves_nothing_and_uses_no_number(sales):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 3, 2, 9)):
        response = sales.post(reverse(ADD), _catalogue_form(customer, [executable("order.pdf")]))
        assert response.status_code == 200
        errors = response.context["adminform"].form.errors
        assert "order.pdf" in errors["file"][0]
        assert "order.pdf" in response.content.decode()
        assert not ReceivedDocument.objects.exists()
        assert not DocumentCounter.objects.filter(last_number__gt=0).exists()
        sales.post(reverse(ADD), _catalogue_form(customer, [pdf()]))
    assert ReceivedDocument.objects.get().number == "FAX-2026-0001"


def test_fax_without_file_shows_on_the_form(sales):
    with clock.frozen(local(2026, 3, 2, 9)):
        response = sales.post(reverse(ADD), _catalogue_form(CustomerFactory(), []))
    assert response.status_code == 200
    assert "file" in response.context["adminform"].form.errors
    assert not ReceivedDocument.objects.exists()


def test_r_5_2_2_3_list_searches_either_script_and_shows_the_number(sales, sales_user):
    ruifeng = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")
    found = received_document(customer=ruifeng, actor=sales_user)
    other = received_document(actor=sales_user)
    html = sales.get(reverse(LIST), {"q": "苏州瑞丰"}).content.decode()
    assert found.number in html and other.number not in html


def test_list_filters_by_local_day_range(sales, sales_user):
    with clock.frozen(local(2026, 3, 2, 7)):
        early = received_document(actor=sales_user)
    with clock.frozen(local(2026, 3, 3, 7)):
        later = received_document(actor=sales_user)
    html = sales.get(
        reverse(LIST), {"received_at_from": "2026-03-02", "received_at_to": "2026-03-02"}
    ).content.decode()
    assert early.number in html and later.number not in html


def _queries_of(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_page_queries_do_not_grow_with_rows(sales, sales_user):
    customer = CustomerFactory()
    received_document(customer=customer, actor=sales_user)
    communication(customer=customer, actor=sales_user)
    few = (
        _queries_of(sales, reverse(LIST)),
        _queries_of(sales, reverse("admin:communications_communicationrecord_changelist")),
    )
    for _ in range(5):
        received_document(actor=sales_user, upload=[pdf(), png()])
        communication(actor=sales_user)
    many = (
        _queries_of(sales, reverse(LIST)),
        _queries_of(sales, reverse("admin:communications_communicationrecord_changelist")),
    )
    assert many == few


def test_view_page_shows_files_and_void_page_voids(sales, sales_user):
    document = received_document(actor=sales_user)
    change = reverse("admin:communications_receiveddocument_change", args=[document.pk])
    html = sales.get(change).content.decode()
    assert document.number in html
    assert (
        reverse("communications:received-file", args=[document.pk, document.attachments.get().pk])
        in html
    )
    void_url = reverse("admin:communications_receiveddocument_void_document", args=[document.pk])
    assert sales.get(void_url).status_code == 200
    empty = sales.post(void_url, {"void-reason": ""})
    assert empty.status_code == 200 and empty.context["form"].errors
    response = sales.post(void_url, {"void-reason": "Sent twice"})
    assert response.status_code == 302 and response["Location"] == change
    document.refresh_from_db()
    assert document.status == ReceivedDocumentStatus.VOID and document.voided_by == sales_user
    again = sales.post(void_url, {"void-reason": "Again"})
    assert (
        again.status_code == 200 and document.number in again.context["form"].non_field_errors()[0]
    )
    assert again.context["form"]["reason"].value() == "Again"  # what was typed stays on the form


def test_nothing_can_be_deleted_or_edited_in_the_back_office(sales, sales_user, admin_user, client):
    document = received_document(actor=sales_user)
    record = communication(actor=sales_user)
    client.force_login(admin_user)  # even a superuser
    for name, obj in [("receiveddocument", document), ("communicationrecord", record)]:
        delete = client.post(
            reverse(f"admin:communications_{name}_delete", args=[obj.pk]), {"post": "yes"}
        )
        assert delete.status_code == 403
        change = client.post(
            reverse(f"admin:communications_{name}_change", args=[obj.pk]), {"summary": "changed"}
        )
        assert change.status_code == 403
    assert ReceivedDocument.objects.get().summary == document.summary
    assert CommunicationRecord.objects.get().summary == record.summary


def test_r_5_4_f5_added_in_the_back_office(sales, sales_user):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 5, 6, 16)):
        response = sales.post(
            reverse("admin:communications_communicationrecord_add"),
            {
                "customer": customer.pk,
                "occurred_at_0": "2026-05-06",
                "occurred_at_1": "15:00:00",
                "channel": "phone",
                "direction": "from_customer",
                "topic": "inquiry",
                "summary": "詢問 M6 螺栓交期",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    record = CommunicationRecord.objects.get()
    assert record.staff == sales_user and record.source == RecordSource.MANUAL
    assert (
        timeline_for(customer=customer, event=TimelineEvent.COMMUNICATION_RECORDED)[0].about
        == record
    )


def test_f5_in_the_future_shows_on_the_form(sales):
    with clock.frozen(local(2026, 5, 6, 9)):
        response = sales.post(
            reverse("admin:communications_communicationrecord_add"),
            {
                "customer": CustomerFactory().pk,
                "occurred_at_0": "2026-05-06",
                "occurred_at_1": "15:00:00",
                "channel": "phone",
                "direction": "from_customer",
                "topic": "inquiry",
                "summary": "?",
            },
        )
    assert (
        response.status_code == 200 and "occurred_at" in response.context["adminform"].form.errors
    )
    assert not CommunicationRecord.objects.exists()
