"""The customer page: F9 sheet, contacts and timeline inside the back office (R-5.6.1, R-5.4)."""

import pytest
from django.urls import reverse

from liaison.core.roles import Role
from liaison.customers import services
from liaison.customers.states import TimelineEvent
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(sales_user):
    customer = CustomerFactory(
        registered_name="東莞市恒達五金製品有限公司",
        short_name="恒達五金",
        email="sales@hengda-hw.example.cn",
        business_scope="五金衝壓件\n緊固件",
        actor=sales_user,
    )
    ContactFactory(customer=customer, name="何志強", position="採購經理", is_primary=True, actor=sales_user)
    return customer


def page(client, customer, **params):
    return client.get(reverse("customers:detail", args=[customer.pk]), params)


def test_r_5_6_1_sales_sees_the_sheet_contacts_timeline_and_edit(client, sales_user, customer):
    client.force_login(sales_user)
    response = page(client, customer)
    assert response.status_code == 200
    html = response.content.decode()
    for text in ["東莞市恒達五金製品有限公司", "恒達五金", customer.address, customer.phone, customer.fax,
                 "mailto:sales@hengda-hw.example.cn", "五金衝壓件<br>緊固件", customer.company_profile,
                 "何志強", "採購經理", 'id="timeline"', 'id="nav-sidebar"']:
        assert text in html, text
    assert 'id="customer-edit"' in html
    assert reverse("admin:customers_customer_change", args=[customer.pk]) in html
    assert [entry.event for entry in response.context["timeline"]] == [
        TimelineEvent.CONTACT_ADDED, TimelineEvent.CUSTOMER_REGISTERED
    ]


def test_lines_written_without_a_person_show_the_system(client, sales_user):
    customer = CustomerFactory(actor=None)
    client.force_login(sales_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = page(client, customer)
    assert response.status_code == 200
    assert ">System</div>" in response.content.decode()


def test_a_reader_without_change_permission_gets_no_edit_button(client_as, customer):
    response = page(client_as(Role.QC_INSPECTOR), customer)
    assert response.status_code == 200
    assert 'id="customer-edit"' not in response.content.decode()


def test_a_role_without_view_customer_is_refused(client_as, customer):
    assert page(client_as(Role.WORKSHOP_LEAD), customer).status_code == 403


def test_a_role_without_the_timeline_permission_sees_the_sheet_only(client_as, customer):
    response = page(client_as(Role.WAREHOUSE_CLERK), customer)
    assert response.status_code == 200
    assert "何志強" in response.content.decode() and 'id="timeline"' not in response.content.decode()


def test_anonymous_is_sent_to_login(client, customer):
    response = page(client, customer)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_unknown_customer_is_404(client, sales_user):
    client.force_login(sales_user)
    assert client.get(reverse("customers:detail", args=[999999])).status_code == 404


def test_r_5_4_timeline_filters_by_event(client, sales_user, customer):
    customer.phone = "0769-85329999"
    services.customer_save(customer=customer, actor=sales_user, reason="New switchboard")
    client.force_login(sales_user)

    response = page(client, customer, event=TimelineEvent.CUSTOMER_UPDATED)

    (entry,) = response.context["timeline"]
    assert entry.summary.startswith("New switchboard")
    html = response.content.decode()
    assert f'<option value="{TimelineEvent.CUSTOMER_UPDATED}" selected>' in html
    assert html.count("data-event=") == 1


def test_timeline_ignores_an_unknown_event_filter(client, sales_user, customer):
    client.force_login(sales_user)
    response = page(client, customer, event="no_such_event")
    assert response.context["event"] is None and len(response.context["timeline"]) == 2


def test_timeline_shows_an_empty_state(client, sales_user, customer):
    client.force_login(sales_user)
    response = page(client, customer, event=TimelineEvent.CUSTOMER_UPDATED)
    assert response.context["timeline"] == []
    assert 'id="timeline-empty"' in response.content.decode()


def test_the_page_runs_a_fixed_number_of_queries(client, sales_user, customer, django_assert_num_queries):
    client.force_login(sales_user)
    page(client, customer)  # warm Django's content-type cache
    for _ in range(5):
        ContactFactory(customer=customer, actor=sales_user)
    with django_assert_num_queries(QUERIES):
        page(client, customer)
    for _ in range(5):
        ContactFactory(customer=customer, actor=sales_user)
    with django_assert_num_queries(QUERIES):
        response = page(client, customer)
    assert len(response.context["contacts"]) == 11


# session, user, the user's own and group permissions, the customer with creator and
# editor, its active contacts, the timeline, the records it is about (contacts, customers),
# and the sidebar inbox badge (one query counting every kind of a sales clerk's work).
QUERIES = 10
