"""Cataloguing received documents (R-5.2.2.3): running numbers, files, timeline."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from liaison.communications.errors import CommunicationErrorCode
from liaison.communications.models import ReceivedDocument
from liaison.communications.services import received_document_catalogue
from liaison.communications.states import ReceivedChannel, ReceivedDocumentStatus
from liaison.communications.tests.factories import executable, pdf, png, received_document
from liaison.core import clock
from liaison.core.errors import CoreErrorCode, LiaisonError
from liaison.core.models import Attachment, DocumentCounter
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, local
from liaison.customers.models import TimelineEntry
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _nothing_written():
    assert not ReceivedDocument.objects.exists()
    assert not Attachment.objects.exists()
    assert not TimelineEntry.objects.filter(event=TimelineEvent.DOCUMENT_RECEIVED).exists()


def test_r_5_2_2_3_numbers_are_gapless_and_run_per_year(sales_user):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 3, 2)):
        first = received_document(customer=customer, actor=sales_user)
        second = received_document(customer=customer, actor=sales_user)
    with clock.frozen(local(2027, 1, 4)):
        next_year = received_document(customer=customer, actor=sales_user)
    assert [first.number, second.number, next_year.number] == [
        "FAX-2026-0001",
        "FAX-2026-0002",
        "FAX-2027-0001",
    ]


def test_r_5_2_2_3_serial_takes_the_year_the_fax_was_received(sales_user):
    """A fax received on 31 December and catalogued on 2 January is numbered in the old year's series."""
    customer = CustomerFactory()
    with clock.frozen(local(2026, 12, 31, 16)):
        received_document(customer=customer, actor=sales_user)
    with clock.frozen(local(2027, 1, 2, 9)):
        late = received_document(customer=customer, received_at=local(2026, 12, 31, 23), actor=sales_user)
        new_year = received_document(customer=customer, received_at=local(2027, 1, 1, 0), actor=sales_user)
    assert late.number == "FAX-2026-0002"
    assert new_year.number == "FAX-2027-0001"
    assert DocumentCounter.objects.get(doc_type="FAX", year=2026).last_number == 2


def test_r_5_2_2_3_catalogued_with_its_file_sender_and_clock_time(sales_user):
    customer = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")
    with clock.frozen(local(2026, 5, 6, 14)) as now:
        document = received_document_catalogue(
            customer=customer,
            channel=ReceivedChannel.FAX,
            summary="  訂單 PO-778：M6 螺栓 5000 支  ",
            upload=pdf("po-778.pdf"),
            actor=sales_user,
        )
    document.refresh_from_db()
    assert document.number == "FAX-2026-0001"
    assert document.received_at == now
    assert document.summary == "訂單 PO-778：M6 螺栓 5000 支"
    assert document.status == ReceivedDocumentStatus.CATALOGUED
    assert document.created_by == sales_user
    [attachment] = document.attachments.all()
    assert attachment.original_name == "po-778.pdf" and attachment.mime_type == "application/pdf"
    assert document.history.get().history_change_reason == "Catalogued"


def test_several_files_and_an_earlier_receipt_time(sales_user):
    with clock.frozen(local(2026, 5, 6, 14)):
        document = received_document(
            channel=ReceivedChannel.SCAN,
            upload=[pdf("page1.pdf"), png("page2.png")],
            received_at=local(2026, 5, 5, 17),
            actor=sales_user,
        )
    assert [a.original_name for a in document.attachments.all()] == ["page1.pdf", "page2.png"]
    assert document.received_at == local(2026, 5, 5, 17)


def test_r_5_2_2_3_document_received_appears_on_the_customer_timeline(sales_user):
    document = received_document(actor=sales_user)
    [entry] = timeline_for(customer=document.customer, event=TimelineEvent.DOCUMENT_RECEIVED)
    assert entry.about == document and entry.actor == sales_user
    assert entry.summary.startswith(document.number)
    assert entry.occurred_at == document.received_at


@pytest.mark.parametrize("channel", [ReceivedChannel.FAX, ReceivedChannel.SCAN])
def test_r_5_2_2_3_fax_or_scan_without_file_is_refused(sales_user, channel):
    customer = CustomerFactory()
    with pytest.raises(LiaisonError) as refused:
        received_document(customer=customer, channel=channel, upload=None, actor=sales_user)
    assert refused.value.code == CommunicationErrorCode.FILE_REQUIRED
    assert refused.value.field == "file"
    _nothing_written()
    assert not DocumentCounter.objects.filter(doc_type="FAX", last_number__gt=0).exists()


@pytest.mark.parametrize("channel", [ReceivedChannel.POST, ReceivedChannel.EMAIL])
def test_letter_or_email_may_be_catalogued_without_a_file(sales_user, channel):
    document = received_document(channel=channel, upload=[], actor=sales_user)
    assert document.number.endswith("-0001") and not document.attachments.exists()


def test_r_5_2_2_3_refused_upload_does_not_consume_a_number(sales_user):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 3, 2)):
        with pytest.raises(LiaisonError) as refused:
            received_document(customer=customer, upload=executable(), actor=sales_user)
        assert refused.value.code == CoreErrorCode.ATTACHMENT_TYPE_REFUSED
        assert "order.pdf" in str(refused.value)
        _nothing_written()
        assert received_document(customer=customer, actor=sales_user).number == "FAX-2026-0001"


def test_second_file_refused_leaves_no_record_and_no_stored_file(sales_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    with pytest.raises(LiaisonError):
        received_document(upload=[pdf("ok.pdf"), executable("bad.pdf")], actor=sales_user)
    _nothing_written()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_received_in_the_future_is_refused(sales_user):
    with clock.frozen(local(2026, 3, 2, 9)):
        with pytest.raises(LiaisonError) as refused:
            received_document(received_at=local(2026, 3, 2, 11), actor=sales_user)
    assert refused.value.code == CommunicationErrorCode.RECEIVED_IN_FUTURE
    assert refused.value.field == "received_at"
    _nothing_written()


@pytest.mark.parametrize(
    ("field", "overrides"),
    [
        ("summary", {"summary": "   ", "channel": ReceivedChannel.POST}),
        ("channel", {"channel": "pigeon"}),
    ],
)
def test_invalid_input_is_refused_before_a_number_is_taken(sales_user, field, overrides):
    with pytest.raises(ValidationError) as refused:
        received_document(actor=sales_user, upload=[], **overrides)
    assert field in refused.value.message_dict
    _nothing_written()
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_5_2_2_3_concurrent_cataloguing_gives_unique_gapless_numbers():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")

    customer, clerk = CustomerFactory(), UserFactory(roles=[Role.SALES_STAFF])
    writers, per_writer = 8, 3
    errors: list[BaseException] = []
    start = threading.Barrier(writers)

    def write():
        try:
            start.wait()
            for _ in range(per_writer):
                received_document(customer=customer, actor=clerk)
        except BaseException as exc:  # noqa: BLE001 — reported below
            errors.append(exc)
        finally:
            connection.close()

    with clock.frozen(local(2026, 6, 1), all_threads=True):
        threads = [threading.Thread(target=write) for _ in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    numbers = sorted(ReceivedDocument.objects.values_list("number", flat=True))
    assert numbers == [f"FAX-2026-{n:04d}" for n in range(1, writers * per_writer + 1)]


@pytest.mark.parametrize("role", [None, "qc_inspector", "management"])
def test_r_4_cataloguing_needs_the_add_permission(user_with_role, role):
    actor = UserFactory() if role is None else user_with_role(Role(role))
    with pytest.raises(LiaisonError) as refused:
        received_document(actor=actor)
    assert refused.value.code == CommunicationErrorCode.NOT_ALLOWED and refused.value.forbidden
    _nothing_written()
    assert not DocumentCounter.objects.filter(last_number__gt=0).exists()


def test_r_4_an_inactive_clerk_cannot_catalogue(sales_user):
    sales_user.is_active = False
    with pytest.raises(LiaisonError) as refused:
        received_document(actor=sales_user)
    assert refused.value.code == CommunicationErrorCode.NOT_ALLOWED
    _nothing_written()
