"""The customers API: who may read and write, search, validation in the Liaison error format."""

import pytest

from liaison.core.roles import Role
from liaison.customers.models import Contact, Customer
from liaison.customers.states import CustomerStatus, TimelineEvent
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = "/api/v1/customers/"
CONTACTS = "/api/v1/contacts/"


@pytest.fixture
def as_role(api_client, user_with_role):
    def login(role: Role):
        user = user_with_role(role)
        api_client.force_authenticate(user)
        api_client.credentials(HTTP_ACCEPT_LANGUAGE="en")
        return user

    return login


@pytest.fixture
def customer():
    customer = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司", short_name="瑞豐機電")
    ContactFactory(customer=customer, name="沈國華", is_primary=True)
    return customer


NEW = {
    "registered_name": "佛山市顺德区美达电器有限公司",
    "short_name": "美达电器",
    "address": "广东省佛山市顺德区北滘镇工业大道东18号",
    "phone": "0757-26638899",
    "email": "purchase@meida-ea.example.cn",
    "business_scope": "小家电整机及配件",
    "status": "prospect",
}


def test_r_5_6_1_sales_staff_registers_a_customer_with_history_and_timeline(api_client, as_role):
    user = as_role(Role.SALES_STAFF)
    response = api_client.post(CUSTOMERS, NEW, format="json")
    assert response.status_code == 201, response.json()
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.short_name == "美达电器" and customer.status == CustomerStatus.PROSPECT
    assert customer.created_by == user and "meida" in customer.search_text
    assert customer.history.get().history_user == user
    assert customer.timeline.get().event == TimelineEvent.CUSTOMER_REGISTERED
    assert "change_reason" not in response.json()


def test_sales_staff_updates_a_customer_with_a_reason(api_client, as_role, customer):
    as_role(Role.SALES_STAFF)
    response = api_client.patch(
        f"{CUSTOMERS}{customer.pk}/", {"phone": "0512-66251888", "change_reason": "Customer called"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "0512-66251888"
    assert response.json()["contacts"][0]["name"] == "沈國華"
    customer.refresh_from_db()
    assert customer.phone == "0512-66251888"
    assert customer.history.first().history_change_reason == "Customer called"


def test_qc_inspector_reads_but_cannot_write(api_client, as_role, customer):
    as_role(Role.QC_INSPECTOR)
    assert api_client.get(CUSTOMERS).status_code == 200
    assert api_client.get(f"{CUSTOMERS}{customer.pk}/").status_code == 200
    assert api_client.get(f"{CONTACTS}?customer={customer.pk}").status_code == 200

    created = api_client.post(CUSTOMERS, NEW, format="json")
    changed = api_client.patch(f"{CUSTOMERS}{customer.pk}/", {"phone": "1"}, format="json")
    contact = api_client.post(CONTACTS, {"customer": customer.pk, "name": "王建國"}, format="json")

    for response in (created, changed, contact):
        assert response.status_code == 403
        assert set(response.json()) == {"code", "message", "fields"}
        assert response.json()["code"] == "permission_denied"
    assert Customer.objects.count() == 1 and Contact.objects.count() == 1
    customer.refresh_from_db()
    assert customer.phone != "1"


@pytest.mark.parametrize("url", [CUSTOMERS, "detail", CONTACTS])
def test_workshop_lead_is_refused_list_and_direct_access(api_client, as_role, customer, url):
    as_role(Role.WORKSHOP_LEAD)
    response = api_client.get(f"{CUSTOMERS}{customer.pk}/" if url == "detail" else url)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_anonymous_is_refused(api_client, customer):
    assert api_client.get(CUSTOMERS).status_code in {401, 403}


def test_nobody_deletes_a_customer(api_client, as_role, customer):
    as_role(Role.ADMINISTRATOR)
    assert api_client.delete(f"{CUSTOMERS}{customer.pk}/").status_code in {403, 405}
    assert api_client.delete(f"{CONTACTS}{customer.contacts.get().pk}/").status_code in {403, 405}
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_validation_errors_name_the_fields(api_client, as_role, customer):
    as_role(Role.SALES_STAFF)
    response = api_client.post(
        CUSTOMERS,
        {"registered_name": "", "email": "not-an-address", "status": "closed"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"registered_name", "email", "status"}
    assert body["fields"]["email"] == ["Enter a valid email address."]
    assert Customer.objects.count() == 1


def test_duplicate_registered_name_is_a_validation_error(api_client, as_role, customer):
    as_role(Role.SALES_STAFF)
    response = api_client.post(CUSTOMERS, {"registered_name": customer.registered_name}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "registered_name" in response.json()["fields"]


def test_r_5_6_1_list_searches_either_script_and_pinyin(api_client, as_role, customer):
    CustomerFactory(registered_name="天津北方钢构工程有限公司", short_name="北方钢构")
    as_role(Role.QC_INSPECTOR)
    for query in ["瑞丰", "瑞豐", "ruifeng", "rfjd"]:
        results = api_client.get(CUSTOMERS, {"q": query}).json()["results"]
        assert [r["registered_name"] for r in results] == ["蘇州瑞豐機電設備有限公司"], query


def test_list_filters_by_status_and_refuses_an_unknown_one(api_client, as_role, customer):
    CustomerFactory(status=CustomerStatus.INACTIVE, registered_name="永盛工業股份有限公司")
    as_role(Role.SALES_STAFF)
    results = api_client.get(CUSTOMERS, {"status": "inactive"}).json()["results"]
    assert [r["registered_name"] for r in results] == ["永盛工業股份有限公司"]
    refused = api_client.get(CUSTOMERS, {"status": "gone"})
    assert refused.status_code == 400 and refused.json()["code"] == "invalid"
    assert "status" in refused.json()["fields"]


def test_list_runs_a_fixed_number_of_queries(api_client, as_role, django_assert_num_queries):
    as_role(Role.SALES_STAFF)
    api_client.get(CUSTOMERS)  # the forced user caches its permissions
    for _ in range(3):
        ContactFactory()
    with django_assert_num_queries(3):  # count, the page of customers, their contacts
        first = api_client.get(CUSTOMERS)
    for _ in range(3):
        ContactFactory()
    with django_assert_num_queries(3):
        second = api_client.get(CUSTOMERS)
    assert first.json()["count"] == 3 and second.json()["count"] == 6


def test_sales_staff_adds_and_changes_contacts(api_client, as_role, customer):
    user = as_role(Role.SALES_STAFF)
    response = api_client.post(
        CONTACTS,
        {"customer": customer.pk, "name": "王建國", "position": "採購", "email": "wang@ruifeng.example.cn",
         "is_primary": True},
        format="json",
    )
    assert response.status_code == 201, response.json()
    contact = Contact.objects.get(pk=response.json()["id"])
    assert contact.is_primary and contact.created_by == user
    assert not customer.contacts.get(name="沈國華").is_primary
    assert customer.timeline.filter(event=TimelineEvent.CONTACT_ADDED, about_id=contact.pk).exists()

    response = api_client.patch(f"{CONTACTS}{contact.pk}/", {"phone": "0512-1234", "change_reason": "Card"}, format="json")
    assert response.status_code == 200
    assert contact.history.first().history_change_reason == "Card"


def test_a_contact_cannot_move_to_another_customer(api_client, as_role, customer):
    as_role(Role.SALES_STAFF)
    contact = customer.contacts.get()
    other = CustomerFactory()
    response = api_client.patch(f"{CONTACTS}{contact.pk}/", {"customer": other.pk}, format="json")
    assert response.status_code == 400 and "customer" in response.json()["fields"]
    contact.refresh_from_db()
    assert contact.customer == customer


def test_contact_list_is_filtered_by_customer(api_client, as_role, customer):
    ContactFactory()
    as_role(Role.SALES_STAFF)
    results = api_client.get(CONTACTS, {"customer": customer.pk}).json()["results"]
    assert [r["name"] for r in results] == ["沈國華"]
    assert api_client.get(CONTACTS, {"customer": "x"}).status_code == 400
