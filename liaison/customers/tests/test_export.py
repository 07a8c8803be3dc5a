"""Excel export of F9 sheets: one row per customer with its primary contact."""

from io import BytesIO

import pytest
from import_export.formats.base_formats import XLSX

from liaison.customers import services
from liaison.customers.models import Customer
from liaison.customers.resources import CustomerResource
from liaison.customers.states import CustomerStatus
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def test_r_5_6_1_export_writes_the_sheet_and_the_primary_contact():
    customer = CustomerFactory(registered_name="廈門宏信包裝材料有限公司", status=CustomerStatus.PROSPECT)
    ContactFactory(customer=customer, name="王建國", is_primary=False)
    ContactFactory(customer=customer, name="鄭麗華", position="業務經理", is_primary=True)
    CustomerFactory(registered_name="永盛工業股份有限公司")

    dataset = CustomerResource().export(Customer.objects.order_by("registered_name"))

    assert dataset.headers == [
        "Registered name", "Short name", "Address", "Phone", "Fax", "E-mail", "Business scope",
        "Company profile", "Status", "Contact name", "Contact position", "Contact phone", "Contact e-mail",
    ]
    rows = {row["Registered name"]: row for row in dataset.dict}
    hongxin = rows["廈門宏信包裝材料有限公司"]
    assert hongxin["Status"] == "Prospect"
    assert (hongxin["Contact name"], hongxin["Contact position"]) == ("鄭麗華", "業務經理")
    assert hongxin["Address"] == customer.address
    assert rows["永盛工業股份有限公司"]["Contact name"] == ""


def test_export_runs_a_fixed_number_of_queries(django_assert_num_queries):
    for _ in range(5):
        ContactFactory(is_primary=True)
    queryset = Customer.objects.order_by("pk")
    with django_assert_num_queries(3):  # the paginator's count, the customers, their primary contacts
        dataset = CustomerResource().export(queryset)
    assert len(dataset) == 5


def test_an_exported_workbook_imports_back_unchanged(sales_user):
    for _ in range(3):
        ContactFactory(is_primary=True)
    exported = XLSX().export_data(CustomerResource().export(Customer.objects.all()))

    report = services.customers_import(file=BytesIO(exported), actor=sales_user)

    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)


def test_exported_cells_are_never_formulae():
    """A name typed as a formula reaches Excel as text (formula injection)."""
    from openpyxl import load_workbook

    CustomerFactory(registered_name='=HYPERLINK("http://x","y")')
    exported = XLSX().export_data(CustomerResource().export(Customer.objects.all()))

    sheet = load_workbook(BytesIO(exported)).active
    cell = sheet.cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == '\'=HYPERLINK("http://x","y")'  # shown as typed, never evaluated (core/export.py)
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
