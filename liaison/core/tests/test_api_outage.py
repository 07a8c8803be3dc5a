"""The database goes away under the API: a JSON 503 to retry, not an HTML 500, and nothing half-written."""

from unittest import mock

import pytest
from django.db import InterfaceError, OperationalError

from liaison.core.models import DocumentCounter
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.customers.models import TimelineEntry
from liaison.customers.tests.factories import CustomerFactory
from liaison.quality.models import Complaint

pytestmark = pytest.mark.django_db


def test_database_lost_mid_write_answers_503_to_retry_and_writes_nothing(api_client, english):
    customer = CustomerFactory()
    api_client.force_authenticate(UserFactory(roles=[Role.SALES_STAFF]))
    counters = list(DocumentCounter.objects.values_list("doc_type", "year", "last_number"))
    timeline = TimelineEntry.objects.filter(customer=customer).count()
    # The complaint row and its number are written, then the connection drops at the F5 line.
    lost = OperationalError("server closed the connection unexpectedly")
    with mock.patch("liaison.quality.services.complaints.exchange_record", side_effect=lost) as recording:
        response = api_client.post(
            "/api/v1/complaints/",
            {"customer": customer.pk, "channel": "phone", "complaint_date": "2026-11-20", "content": "螺紋不良"},
            format="json",
        )
    assert recording.called  # the complaint was saved before the connection dropped
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "30"
    body = response.json()
    assert body["code"] == "service_unavailable" and body["fields"] == {}
    assert "try again" in body["message"]
    assert not Complaint.objects.exists() and TimelineEntry.objects.filter(customer=customer).count() == timeline
    assert list(DocumentCounter.objects.values_list("doc_type", "year", "last_number")) == counters


def test_connection_unusable_on_a_read_answers_503(api_client, english):
    api_client.force_authenticate(UserFactory(roles=[Role.QC_INSPECTOR]))
    with mock.patch("liaison.quality.selectors.complaint_list", side_effect=InterfaceError("connection already closed")):
        response = api_client.get("/api/v1/complaints/")
    assert response.status_code == 503 and response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "30"


def test_other_database_errors_are_not_taken_for_an_outage(api_client, english):
    """A programming error stays a server error: retrying would not help."""
    from django.db import ProgrammingError

    api_client.raise_request_exception = False
    api_client.force_authenticate(UserFactory(roles=[Role.QC_INSPECTOR]))
    with mock.patch("liaison.quality.selectors.complaint_list", side_effect=ProgrammingError("no such column")):
        response = api_client.get("/api/v1/complaints/")
    assert response.status_code == 500
