"""Finding received documents by number, customer (either script) and date; F5 lists."""

import datetime as dt

import pytest

from liaison.communications.selectors import communication_record_list, received_document_list
from liaison.communications.services import received_document_void
from liaison.communications.states import ReceivedDocumentStatus, Topic
from liaison.communications.tests.factories import communication, pdf, png, received_document
from liaison.core import clock
from liaison.core.tests.factories import local
from liaison.customers.tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(sales_user):
    """Three faxes from two customers over three days in March 2026."""
    ruifeng = CustomerFactory(registered_name="蘇州瑞豐機電設備有限公司")
    hongda = CustomerFactory(registered_name="宁波宏达五金制品有限公司")  # written in Simplified
    documents = {}
    for key, customer, day in [("a", ruifeng, 2), ("b", hongda, 3), ("c", ruifeng, 4)]:
        with clock.frozen(local(2026, 3, day, 7)):  # early morning: still the day before in UTC
            documents[key] = received_document(
                customer=customer, actor=sales_user, summary=f"訂單 {key}"
            )
    return {"ruifeng": ruifeng, "hongda": hongda, **documents}


def numbers(queryset) -> list[str]:
    return [document.number for document in queryset]


def test_r_5_2_2_3_newest_first(catalogue):
    assert numbers(received_document_list()) == ["FAX-2026-0003", "FAX-2026-0002", "FAX-2026-0001"]


@pytest.mark.parametrize("query", ["FAX-2026-0002", "2026-0002", "fax-2026-0002"])
def test_r_5_2_2_3_found_by_number(catalogue, query):
    assert numbers(received_document_list(query=query)) == ["FAX-2026-0002"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("苏州瑞丰", ["FAX-2026-0003", "FAX-2026-0001"]),  # Simplified finds a Traditional name
        ("寧波宏達", ["FAX-2026-0002"]),  # Traditional finds a Simplified name
        ("ruifeng", ["FAX-2026-0003", "FAX-2026-0001"]),  # pinyin
    ],
)
def test_r_5_2_2_3_found_by_customer_name_in_the_other_script(catalogue, query, expected):
    assert numbers(received_document_list(query=query)) == expected


def test_r_5_2_2_3_found_by_customer(catalogue):
    assert numbers(received_document_list(customer=catalogue["hongda"])) == ["FAX-2026-0002"]


@pytest.mark.parametrize(
    ("date_from", "date_to", "expected"),
    [
        (dt.date(2026, 3, 3), dt.date(2026, 3, 3), ["FAX-2026-0002"]),
        (dt.date(2026, 3, 3), None, ["FAX-2026-0003", "FAX-2026-0002"]),
        (None, dt.date(2026, 3, 2), ["FAX-2026-0001"]),
        (dt.date(2026, 3, 5), None, []),
    ],
)
def test_r_5_2_2_3_found_by_date_range_in_local_days(catalogue, date_from, date_to, expected):
    assert numbers(received_document_list(date_from=date_from, date_to=date_to)) == expected


def test_criteria_combine(catalogue):
    found = received_document_list(query="瑞豐", date_from=dt.date(2026, 3, 3))
    assert numbers(found) == ["FAX-2026-0003"]


def test_void_documents_stay_in_the_catalogue_and_can_be_filtered(catalogue, sales_user):
    received_document_void(document=catalogue["b"], reason="Sent twice", actor=sales_user)
    assert len(received_document_list()) == 3
    assert numbers(received_document_list(status=ReceivedDocumentStatus.VOID)) == ["FAX-2026-0002"]


def _read_documents(queryset):
    return [
        (
            d.number,
            str(d.customer),
            str(d.created_by),
            d.voided_by,
            [a.original_name for a in d.attachments.all()],
        )
        for d in queryset
    ]


@pytest.mark.parametrize("extra", [0, 4])
def test_received_document_list_runs_two_queries_whatever_its_length(
    catalogue, sales_user, django_assert_num_queries, extra
):
    for _ in range(extra):
        received_document(customer=catalogue["hongda"], upload=[pdf(), png()], actor=sales_user)
    with django_assert_num_queries(2):  # the documents with sender and users, then their files
        rows = _read_documents(received_document_list(query="宏達"))
    assert len(rows) == 1 + extra


@pytest.mark.parametrize("extra", [0, 4])
def test_communication_record_list_runs_one_query_whatever_its_length(
    sales_user, django_assert_num_queries, extra
):
    customer = CustomerFactory()
    document = received_document(customer=customer, actor=sales_user)
    communication(customer=customer, actor=sales_user, about=document, automatic=True)
    for _ in range(extra):
        communication(customer=customer, actor=sales_user)
    with django_assert_num_queries(1):
        rows = [
            (
                str(r.customer),
                str(r.staff),
                r.about_type and r.about_type.model,
                r.get_topic_display(),
            )
            for r in communication_record_list(customer=customer)
        ]
    assert len(rows) == 1 + extra


def test_communication_record_list_filters(sales_user):
    customer, other = CustomerFactory(registered_name="台中精密螺絲股份有限公司"), CustomerFactory()
    document = received_document(customer=customer, actor=sales_user)
    with clock.frozen(local(2026, 5, 4)):
        reply = communication(
            customer=customer, topic=Topic.DELIVERY_REPLY, about=document, actor=sales_user
        )
    with clock.frozen(local(2026, 5, 6)):
        inquiry = communication(customer=customer, topic=Topic.INQUIRY, actor=sales_user)
        communication(customer=other, topic=Topic.INQUIRY, actor=sales_user)
    assert list(communication_record_list(customer=customer)) == [inquiry, reply]
    assert list(communication_record_list(customer=customer, topic=Topic.DELIVERY_REPLY)) == [reply]
    assert list(communication_record_list(about=document)) == [reply]
    assert list(communication_record_list(customer=customer, date_to=dt.date(2026, 5, 5))) == [
        reply
    ]
    assert list(communication_record_list(query="台中精密")) == [inquiry, reply]
