"""Every business model keeps its history, with the reason for each change."""

import pytest
from django.apps import apps

from liaison.customers.models import Customer
from liaison.customers.services import customer_save

# Models without a history of their own, and why.
NO_HISTORY = {
    "core.DocumentCounter": "a counter; the numbered records carry the numbers",
    "stock.QualifiedStock": "a running balance derived from the stock-move ledger",
    "customers.TimelineEntry": "an append-only log written by services, never edited",
    "quality.CapaStep": "an append-only log of dated signatures, never edited",
    "records.DisposalRun": "an append-only log of disposal runs, never edited or deleted",
    "records.DisposalLogEntry": "an append-only log of disposed records with archive checksums, never deleted",
    "security.SecurityEvent": "an append-only security log (sign-ins, lockouts, refused access)",
    "customers.CustomerImport": "a background import job's progress and outcome; the customers it writes carry their own history",
}


def business_models():
    for model in apps.get_models():
        if model.__module__.startswith("liaison.") and not model.__name__.startswith("Historical"):
            yield model


def test_every_business_model_has_history():
    missing = [
        model._meta.label
        for model in business_models()
        if model._meta.label not in NO_HISTORY and not hasattr(model, "history")
    ]
    assert missing == []


def test_exemptions_are_real_models():
    labels = {model._meta.label for model in business_models()}
    assert set(NO_HISTORY) <= labels


@pytest.mark.django_db
def test_r_5_7_changes_are_recorded_with_who_and_why(sales_user):
    customer = customer_save(customer=Customer(registered_name="東莞市恒達五金製品有限公司"), actor=sales_user)
    customer.address = "廣東省東莞市長安鎮"
    customer_save(customer=customer, actor=sales_user, reason="New address from the customer")
    latest, first = customer.history.all()[:2]
    assert latest.history_change_reason == "New address from the customer"
    assert latest.updated_by == sales_user
    assert first.address == "" and latest.address == "廣東省東莞市長安鎮"
    changed = {change.field for change in latest.diff_against(first).changes}
    assert "address" in changed and "registered_name" not in changed
