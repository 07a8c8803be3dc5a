"""History an auditor can read (R-5.7): one record's history, the audit search and its export."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from liaison.core import clock
from liaison.core.history import record_history
from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory, WorkshopFactory, department_member
from liaison.customers import services as customer_services
from liaison.customers.models import Contact, Customer
from liaison.customers.states import CustomerStatus
from liaison.customers.tests.factories import ContactFactory, CustomerFactory
from liaison.quality.tests.factories import capa
from liaison.records import audit
from liaison.records.audit_views import excel_text
from liaison.stock.models import Product
from liaison.stock.tests.factories import ProductFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def _change_customer(customer, *, actor, reason, **values):
    customer = Customer.objects.get(pk=customer.pk)
    for name, value in values.items():
        setattr(customer, name, value)
    return customer_services.customer_save(customer=customer, actor=actor, reason=reason)


@pytest.fixture
def changed_customer():
    creator = UserFactory(roles=[Role.SALES_ADMIN], username="creator", first_name="Mei", last_name="Chen")
    editor = UserFactory(roles=[Role.SALES_ADMIN], username="editor", first_name="Hua", last_name="Lin")
    customer = CustomerFactory(actor=creator, phone="0769-1111", status=CustomerStatus.PROSPECT)
    _change_customer(customer, actor=editor, reason="Customer moved office", phone="0769-2222",
                     status=CustomerStatus.ACTIVE)
    return customer, creator, editor


# --- one record's history ---------------------------------------------------------------------


def test_r_5_7_history_shows_who_when_old_and_new_value_and_reason(changed_customer):
    customer, creator, editor = changed_customer

    entries = record_history(model=Customer, pk=customer.pk)

    assert [entry.kind for entry in entries] == ["~", "+"]  # newest first
    change, creation = entries
    assert change.user == editor and change.reason == "Customer moved office"
    assert change.when == Customer.history.latest("history_id").history_date
    changes = {item.field: item for item in change.changes}
    assert set(changes) == {"phone", "status"}  # only what changed; not updated_at or search text
    assert (changes["phone"].label, changes["phone"].old, changes["phone"].new) == ("phone", "0769-1111", "0769-2222")
    # Choice fields read as their labels, not their stored codes.
    assert (changes["status"].old, changes["status"].new) == ("Prospect", "Active")
    assert creation.user == creator and creation.reason == "Registered"
    assert {item.field: item.new for item in creation.changes}["phone"] == "0769-1111"


def test_r_5_7_history_names_a_related_record_not_its_id():
    contact = ContactFactory(customer=CustomerFactory(short_name="恒達五金"))

    (creation,) = record_history(model=Contact, pk=contact.pk)

    customer = {item.field: item for item in creation.changes}["customer"]
    assert (customer.label, customer.old, customer.new) == ("customer", "—", "恒達五金")


def test_record_history_runs_a_fixed_number_of_queries(django_assert_num_queries):
    contacts = [ContactFactory() for _ in range(3)]
    for contact in contacts:
        contact = Contact.objects.get(pk=contact.pk)
        contact.phone = "0769-9999"
        customer_services.contact_save(contact=contact, actor=None, reason="phone")

    # The history rows with their users; the customers named in them: one query each.
    with django_assert_num_queries(2):
        entries = record_history(model=Contact, pk=contacts[0].pk)
    assert len(entries) == 2


def test_r_5_7_history_page_for_a_reader_of_the_record(client, changed_customer):
    customer, _creator, _editor = changed_customer
    client.force_login(UserFactory(roles=[Role.SALES_STAFF]))

    response = client.get(reverse("records:history", args=["customers", "customer", customer.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "0769-1111" in html and "0769-2222" in html and "Customer moved office" in html
    assert "Lin" in html  # who


def test_history_page_refuses_who_may_not_read_the_record(client, changed_customer):
    customer, _creator, _editor = changed_customer
    url = reverse("records:history", args=["customers", "customer", customer.pk])
    client.force_login(UserFactory(roles=[Role.RESPONSIBLE_MEMBER]))

    assert client.get(url).status_code == 403
    assert client.get(reverse("records:history", args=["customers", "nosuchmodel", 1])).status_code == 404
    # A model without history is no record type.
    assert client.get(reverse("records:history", args=["core", "documentcounter", 1])).status_code == 404


def test_capa_history_only_for_the_departments_that_see_the_capa(client):
    request = capa()
    url = reverse("records:history", args=["quality", "caparequest", request.pk])

    client.force_login(department_member(WorkshopFactory()))
    assert client.get(url).status_code == 404
    client.force_login(department_member(request.department))
    assert client.get(url).status_code == 200


# --- the audit search -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.ADMINISTRATOR, True),
        (Role.SALES_HEAD, True),
        (Role.QC_HEAD, True),
        (Role.MANAGEMENT, True),
        (Role.SALES_STAFF, False),
        (Role.QC_INSPECTOR, False),
        (Role.WORKSHOP_LEAD, False),
    ],
)
def test_audit_search_and_export_for_heads_management_and_administrators(client_as, role, allowed):
    client = client_as(role)
    expected = 200 if allowed else 403
    assert client.get(reverse("records:audit")).status_code == expected
    assert client.get(reverse("records:audit-export")).status_code == expected


def _search(**kwargs):
    return audit.audit_search(audit.AuditFilter(**kwargs)).object_list


def test_r_5_7_audit_search_finds_changes_by_user_kind_type_reason_and_date(changed_customer):
    customer, creator, editor = changed_customer
    product = ProductFactory()

    everything = _search()
    assert [(entry.model, entry.record_id) for entry in everything[:1]] == [(Product, product.pk)]  # newest first
    assert {(entry.model, entry.kind) for entry in everything} >= {(Customer, "+"), (Customer, "~"), (Product, "+")}

    (by_editor,) = _search(user=editor)
    assert (by_editor.model, by_editor.kind, by_editor.reason) == (Customer, "~", "Customer moved office")
    assert {item.field for item in by_editor.changes} == {"phone", "status"}
    assert [entry.kind for entry in _search(models=(Customer,), kind="+")] == ["+"]
    assert [entry.record_id for entry in _search(reason="moved OFFICE")] == [customer.pk]
    assert [entry.model for entry in _search(models=(Product,))] == [Product]
    today = clock.today()
    assert _search(date_from=today + dt.timedelta(days=1)) == []
    assert len(_search(date_from=today, date_to=today, models=(Customer,))) == 2


def test_audit_search_page_runs_a_fixed_number_of_queries(django_assert_num_queries):
    editor = UserFactory()
    for customer in CustomerFactory.create_batch(4):
        _change_customer(customer, actor=editor, reason="phone", phone="0769-0000")
    ProductFactory.create_batch(3)

    search = audit.AuditFilter(models=(Customer, Product))
    # Count, page of keys; per record type on the page: rows with their previous ids, the previous rows.
    with django_assert_num_queries(2 + 2 + 1):
        page = audit.audit_search(search, per_page=10)
    assert page.paginator.count == 11
    assert len(page.object_list) == 10


def test_audit_search_across_every_type_needs_a_period_of_at_most_a_year(client_as):
    client = client_as(Role.QC_HEAD)
    url = reverse("records:audit")

    wide = client.get(url, {"date_from": "2024-01-01"})
    assert wide.context["page"] is None
    assert "record_type" in wide.context["form"].errors
    narrow = client.get(url, {"date_from": "2024-01-01", "record_type": "customers.customer"})
    assert narrow.context["page"] is not None
    first_visit = client.get(url)
    assert first_visit.context["form"].is_valid() and first_visit.context["page"] is not None


def test_r_5_7_audit_page_shows_each_change_old_and_new(client_as, changed_customer):
    client = client_as(Role.MANAGEMENT)

    response = client.get(reverse("records:audit"), {"record_type": "customers.customer", "kind": "~"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "0769-1111" in html and "0769-2222" in html and "Customer moved office" in html


# --- the export -------------------------------------------------------------------------------


def test_excel_text_makes_formula_like_text_inert():
    assert excel_text("=HYPERLINK(\"http://evil\")") == "'=HYPERLINK(\"http://evil\")"
    assert excel_text("+1+1") == "'+1+1"
    assert excel_text("-2+3") == "'-2+3"
    assert excel_text("@SUM(A1)") == "'@SUM(A1)"
    assert excel_text("\tcmd") == "'\tcmd"
    assert excel_text("-5") == "-5"  # a plain negative number stays as it is
    assert excel_text("恒達") == "恒達"
    assert excel_text(None) == ""


def test_r_5_7_export_lists_every_changed_field_with_formulas_made_inert(client, changed_customer):
    customer, _creator, editor = changed_customer
    _change_customer(customer, actor=editor, reason="=cmd|' /C calc'!A0", address="=1+1")
    client.force_login(UserFactory(roles=[Role.SALES_HEAD]))

    response = client.get(reverse("records:audit-export"), {"record_type": "customers.customer", "kind": "~"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="audit-trail-')
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:10] == (
        "When", "Changed by", "Record type", "Record", "Record id", "Change", "Reason", "Field", "Old value",
        "New value",
    )
    body = {(row[7], row[8], row[9]): row for row in rows[1:]}
    assert ("phone", "0769-1111", "0769-2222") in body
    assert ("status", "Prospect", "Active") in body
    address = next(row for key, row in body.items() if key[0] == "address")
    assert address[9] == "'=1+1" and address[6] == "'=cmd|' /C calc'!A0"
    assert isinstance(address[0], dt.datetime)
    # No cell is a formula.
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
