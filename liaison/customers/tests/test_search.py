"""Finding a customer in either Chinese script, in pinyin or by initials (R-5.6.1)."""

import pytest

from liaison.customers import selectors
from liaison.customers.states import CustomerStatus
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers():
    return {
        "traditional": CustomerFactory(registered_name="臺中市大客戶精密機械有限公司", short_name="大客戶"),
        "simplified": CustomerFactory(registered_name="宁波海天客户塑胶模具有限公司", short_name="海天模具"),
        "other": CustomerFactory(registered_name="天津北方钢构工程有限公司", short_name="北方钢构", phone="022-25326677"),
    }


def names(queryset) -> set[str]:
    return {customer.registered_name for customer in queryset}


def test_r_5_6_1_search_finds_traditional_from_simplified(customers):
    assert customers["traditional"].registered_name in names(selectors.customer_search(query="大客户"))


def test_r_5_6_1_search_finds_simplified_from_traditional(customers):
    assert names(selectors.customer_search(query="海天客戶")) == {customers["simplified"].registered_name}


def test_r_5_6_1_either_script_finds_both_spellings(customers):
    both = {customers["traditional"].registered_name, customers["simplified"].registered_name}
    assert names(selectors.customer_search(query="客户")) == both
    assert names(selectors.customer_search(query="客戶")) == both


@pytest.mark.parametrize("query", ["kehu", "KeHu", "dakehu", "dkh", "kh jm"])
def test_r_5_6_1_search_finds_by_pinyin_and_initials(customers, query):
    assert customers["traditional"].registered_name in names(selectors.customer_search(query=query))


def test_r_5_6_1_every_term_must_match(customers):
    assert names(selectors.customer_search(query="客户 模具")) == {customers["simplified"].registered_name}
    assert names(selectors.customer_search(query="客户 钢构")) == set()


def test_r_5_6_1_search_finds_by_short_name_and_phone(customers):
    assert names(selectors.customer_search(query="北方鋼構")) == {customers["other"].registered_name}
    assert names(selectors.customer_search(query="25326677")) == {customers["other"].registered_name}


def test_an_empty_query_finds_everyone(customers):
    assert selectors.customer_search(query="  ").count() == 3


def test_customer_list_filters_by_status_and_pins_its_queries(django_assert_num_queries):
    for _ in range(4):
        ContactFactory(customer=CustomerFactory())
    CustomerFactory(status=CustomerStatus.INACTIVE)

    with django_assert_num_queries(2):  # the customers, then all their contacts
        listed = list(selectors.customer_list(status=CustomerStatus.ACTIVE))
        assert all(len(customer.contacts.all()) == 1 for customer in listed)
    assert len(listed) == 4
    assert [c.registered_name for c in listed] == sorted(c.registered_name for c in listed)


def test_timeline_for_pins_its_queries_and_filters_by_event(sales_user, django_assert_num_queries):
    customer = CustomerFactory(actor=sales_user)
    for _ in range(3):
        ContactFactory(customer=customer, actor=sales_user)

    with django_assert_num_queries(3):  # entries with actor and type, then customers, then contacts
        entries = selectors.timeline_for(customer=customer)
        assert [str(entry.about) for entry in entries][-1] == str(customer)
    assert [entry.event for entry in entries] == ["contact_added"] * 3 + ["customer_registered"]
    assert len(selectors.timeline_for(customer=customer, event="contact_added")) == 3
