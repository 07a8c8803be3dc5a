"""Voiding a received document: the number stays taken, the record stays, who/when/why kept."""

import pytest

from liaison.communications.errors import CommunicationErrorCode
from liaison.communications.models import ReceivedDocument
from liaison.communications.services import received_document_void
from liaison.communications.states import ReceivedDocumentStatus
from liaison.communications.tests.factories import received_document
from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.core.tests.factories import local
from liaison.customers.selectors import timeline_for
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_r_5_2_2_3_void_keeps_the_number_and_the_next_document_gets_a_new_one(sales_user):
    customer = CustomerFactory()
    with clock.frozen(local(2026, 4, 1)):
        document = received_document(customer=customer, actor=sales_user)
    with clock.frozen(local(2026, 4, 2)) as now:
        received_document_void(
            document=document, reason="Duplicate of a fax already catalogued", actor=sales_user
        )
        following = received_document(customer=customer, actor=sales_user)
    document.refresh_from_db()
    assert document.number == "FAX-2026-0001"
    assert document.status == ReceivedDocumentStatus.VOID
    assert (document.voided_at, document.voided_by) == (now, sales_user)
    assert document.void_reason == "Duplicate of a fax already catalogued"
    assert document.attachments.count() == 1
    assert following.number == "FAX-2026-0002"
    assert ReceivedDocument.objects.count() == 2
    assert document.history.first().history_change_reason.startswith("Voided")
    [entry] = timeline_for(customer=customer, event=TimelineEvent.DOCUMENT_VOIDED)
    assert entry.about == document


def test_void_twice_is_refused_and_changes_nothing(sales_user, user_with_role):
    document = received_document(actor=sales_user)
    received_document_void(document=document, reason="Wrong customer", actor=sales_user)
    other = user_with_role(Role.SALES_HEAD)
    with pytest.raises(LiaisonError) as refused:
        received_document_void(document=document, reason="Again", actor=other)
    assert refused.value.code == CommunicationErrorCode.ALREADY_VOID
    assert refused.value.conflict is True
    document.refresh_from_db()
    assert (document.void_reason, document.voided_by) == ("Wrong customer", sales_user)
    assert len(timeline_for(customer=document.customer, event=TimelineEvent.DOCUMENT_VOIDED)) == 1


def test_void_without_reason_is_refused(sales_user):
    document = received_document(actor=sales_user)
    with pytest.raises(LiaisonError) as refused:
        received_document_void(document=document, reason="  ", actor=sales_user)
    assert refused.value.code == CommunicationErrorCode.VOID_REASON_REQUIRED
    document.refresh_from_db()
    assert document.status == ReceivedDocumentStatus.CATALOGUED and document.voided_at is None


def test_status_cannot_be_assigned_directly(sales_user):
    document = received_document(actor=sales_user)
    with pytest.raises(AttributeError):
        document.status = ReceivedDocumentStatus.VOID


@pytest.mark.parametrize("role", ["qc_head", "management", "warehouse_clerk"])
def test_r_4_voiding_needs_the_void_permission(sales_user, user_with_role, role):
    document = received_document(actor=sales_user)
    with pytest.raises(LiaisonError) as refused:
        received_document_void(document=document, reason="Wrong customer", actor=user_with_role(Role(role)))
    assert refused.value.code == CommunicationErrorCode.NOT_ALLOWED and refused.value.forbidden
    document.refresh_from_db()
    assert document.status == ReceivedDocumentStatus.CATALOGUED and not document.void_reason
    assert not timeline_for(customer=document.customer, event=TimelineEvent.DOCUMENT_VOIDED)
