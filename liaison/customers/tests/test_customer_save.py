"""customer_save, contact_save and timeline_record: the F9 sheet's writes (R-5.6.1)."""

import pytest
from django.core.exceptions import ValidationError

from liaison.customers import services
from liaison.customers.models import Contact, Customer, TimelineEntry
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def test_r_5_6_1_registering_a_customer_keeps_the_sheet_history_and_timeline(sales_user):
    customer = services.customer_save(
        customer=Customer(registered_name="東莞市恒達五金製品有限公司", short_name="恒達五金", address="廣東省東莞市長安鎮"),
        actor=sales_user,
    )
    customer.refresh_from_db()
    assert customer.created_by == sales_user and customer.updated_by == sales_user
    assert "恒达五金" in customer.search_text and "hengda" in customer.search_text
    (record,) = customer.history.all()
    assert record.history_type == "+" and record.history_change_reason == "Registered"
    (entry,) = customer.timeline.all()
    assert entry.event == TimelineEvent.CUSTOMER_REGISTERED and entry.actor == sales_user
    assert entry.about == customer


def test_update_records_only_changed_fields_with_reason_and_timeline(sales_user):
    customer = CustomerFactory()
    customer.phone = "0769-85321188"
    customer.address = "廣東省東莞市長安鎮振安中路128號"
    services.customer_save(customer=customer, actor=sales_user, reason="Customer moved")
    latest = customer.history.first()
    assert latest.history_change_reason == "Customer moved"
    assert {c.field for c in latest.diff_against(latest.prev_record).changes} == {"phone", "address"}
    entry = customer.timeline.first()
    assert entry.event == TimelineEvent.CUSTOMER_UPDATED
    assert entry.summary.startswith("Customer moved: ") and "address" in entry.summary


def test_a_save_that_changes_nothing_writes_nothing(sales_user):
    customer = CustomerFactory()
    services.customer_save(customer=Customer.objects.get(pk=customer.pk), actor=sales_user, reason="Nothing")
    assert customer.history.count() == 1
    assert customer.timeline.count() == 1


def test_renaming_refreshes_the_search_text(sales_user):
    customer = CustomerFactory(registered_name="宁波海天塑胶模具有限公司", short_name="")
    customer.registered_name = "寧波海天精工有限公司"
    services.customer_save(customer=customer, actor=sales_user)
    customer.refresh_from_db()
    assert "宁波海天精工" in customer.search_text and "jinggong" in customer.search_text


def test_bad_email_is_refused_and_nothing_changes(sales_user):
    customer = CustomerFactory(email="sales@hengda.example.cn")
    customer.email = "not-an-address"
    with pytest.raises(ValidationError) as refused:
        services.customer_save(customer=customer, actor=sales_user)
    assert "email" in refused.value.message_dict
    customer.refresh_from_db()
    assert customer.email == "sales@hengda.example.cn"
    assert customer.history.count() == 1 and customer.timeline.count() == 1


def test_duplicate_registered_name_is_refused(sales_user):
    CustomerFactory(registered_name="永盛工業股份有限公司")
    with pytest.raises(ValidationError) as refused:
        services.customer_save(customer=Customer(registered_name="永盛工業股份有限公司"), actor=sales_user)
    assert "registered_name" in refused.value.message_dict
    assert Customer.objects.filter(registered_name="永盛工業股份有限公司").count() == 1


def test_new_contact_is_on_the_timeline_and_primary_is_unique(sales_user):
    customer = CustomerFactory()
    first = ContactFactory(customer=customer, is_primary=True)
    second = services.contact_save(
        contact=Contact(customer=customer, name="沈國華", position="副總經理", is_primary=True), actor=sales_user
    )
    first.refresh_from_db()
    assert second.is_primary and not first.is_primary
    assert first.history.first().history_change_reason == "Another contact became primary"
    added = customer.timeline.filter(event=TimelineEvent.CONTACT_ADDED).first()
    assert added.summary == "沈國華" and added.about == second and added.actor == sales_user


def test_contact_change_keeps_its_reason(sales_user):
    contact = ContactFactory()
    contact.phone = "0512-66251800"
    services.contact_save(contact=contact, actor=sales_user, reason="New direct line")
    assert contact.history.first().history_change_reason == "New direct line"
    assert contact.history.count() == 2


def test_timeline_record_refuses_an_unknown_event(sales_user):
    customer = CustomerFactory()
    with pytest.raises(ValidationError):
        services.timeline_record(customer=customer, event="something_else", actor=sales_user)
    assert TimelineEntry.objects.filter(customer=customer).count() == 1
