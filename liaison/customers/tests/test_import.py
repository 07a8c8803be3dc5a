"""customers_import: F9 sheets from Excel, all rows or none (R-5.6.1)."""

from io import BytesIO

import openpyxl
import pytest

from liaison.core.errors import LiaisonError
from liaison.customers import services
from liaison.customers.errors import CustomerErrorCode, CustomersImportError
from liaison.customers.models import Contact, Customer, TimelineEntry
from liaison.customers.states import CustomerStatus, TimelineEvent
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

HEADERS = [
    "Registered name", "Short name", "Address", "Phone", "Fax", "E-mail", "Business scope",
    "Company profile", "Status", "Contact name", "Contact position", "Contact phone", "Contact e-mail",
]
ROWS = [
    ["東莞市恒達五金製品有限公司", "恒達五金", "廣東省東莞市長安鎮振安中路128號", "0769-85321188", "0769-85321199",
     "sales@hengda-hw.example.cn", "五金衝壓件、緊固件", "成立於2003年", "Active",
     "何志強", "採購經理", "13829316620", "hezq@hengda-hw.example.cn"],
    ["深圳市华南精密电子有限公司", "华南精密", "深圳市宝安区福永街道", "0755-29961234", "",
     "", "精密电子元器件", "", "prospect",
     "刘晓燕", "采购主管", "13600187452", "liuxy@hnjm.example.cn"],
    ["蘇州瑞豐機電設備有限公司", "瑞豐機電", "江蘇省蘇州市吳中區", "0512-66251800", "", "", "", "", "",
     "", "", "", ""],
]


def workbook(rows, headers=HEADERS) -> BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = BytesIO()
    book.save(data)
    data.seek(0)
    return data


def with_cell(row_index: int, header: str, value, rows=ROWS):
    rows = [list(row) for row in rows]
    rows[row_index][HEADERS.index(header)] = value
    return rows


def nothing_written():
    return (Customer.objects.count(), Contact.objects.count(), TimelineEntry.objects.count(),
            Customer.history.count(), Contact.history.count())


def test_r_5_6_1_import_creates_customers_with_primary_contacts_history_and_timeline(sales_user):
    report = services.customers_import(file=workbook(ROWS), actor=sales_user)

    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    hengda = Customer.objects.get(registered_name="東莞市恒達五金製品有限公司")
    assert hengda.short_name == "恒達五金" and hengda.fax == "0769-85321199"
    assert hengda.status == CustomerStatus.ACTIVE and hengda.company_profile == "成立於2003年"
    assert Customer.objects.get(short_name="华南精密").status == CustomerStatus.PROSPECT
    assert Customer.objects.get(short_name="瑞豐機電").status == CustomerStatus.ACTIVE  # empty → default
    contact = hengda.contacts.get()
    assert (contact.name, contact.position, contact.phone, contact.email, contact.is_primary) == (
        "何志強", "採購經理", "13829316620", "hezq@hengda-hw.example.cn", True
    )
    assert not Customer.objects.get(short_name="瑞豐機電").contacts.exists()
    record = hengda.history.get()
    assert record.history_change_reason == "Imported from Excel" and record.history_user == sales_user
    assert contact.history.get().history_change_reason == "Imported from Excel"
    registered = hengda.timeline.get(event=TimelineEvent.CUSTOMER_REGISTERED)
    assert registered.summary == "Imported from Excel" and registered.actor == sales_user
    assert hengda.timeline.filter(event=TimelineEvent.CONTACT_ADDED).count() == 1
    assert "kh" not in hengda.search_text and "hengda" in hengda.search_text


@pytest.mark.parametrize(
    ("header", "value", "message"),
    [
        ("Registered name", "", "This field cannot be blank."),
        ("Registered name", None, "This field cannot be blank."),
        ("E-mail", "sales(at)ruifeng", "Enter a valid email address."),
        ("Contact e-mail", "shen@", "Enter a valid email address."),
        ("Status", "half-open", "is not a known status"),
        ("Contact name", "", "Give the contact's name"),
    ],
    ids=["empty-name", "missing-name", "bad-email", "bad-contact-email", "bad-status", "contact-without-name"],
)
def test_r_5_6_1_a_bad_row_3_imports_nothing_and_names_row_3(sales_user, header, value, message):
    rows = with_cell(1, header, value)  # the second customer row is spreadsheet row 3
    before = nothing_written()

    with pytest.raises(CustomersImportError) as refused:
        services.customers_import(file=workbook(rows), actor=sales_user)

    assert nothing_written() == before == (0, 0, 0, 0, 0)
    (problem,) = refused.value.problems
    assert problem.row == 3 and problem.field == header and message in problem.message
    assert refused.value.code == CustomerErrorCode.IMPORT_ROWS_INVALID
    assert "row 3" in str(refused.value) and str(problem).startswith(f"Row 3, {header}: ")


def test_a_bad_last_row_rolls_back_updates_of_earlier_rows(sales_user):
    existing = CustomerFactory(registered_name="東莞市恒達五金製品有限公司", phone="0769-00000000")
    rows = with_cell(2, "E-mail", "no-at-sign")
    before = nothing_written()

    with pytest.raises(CustomersImportError) as refused:
        services.customers_import(file=workbook(rows), actor=sales_user)

    assert [(p.row, p.field) for p in refused.value.problems] == [(4, "E-mail")]
    assert nothing_written() == before
    existing.refresh_from_db()
    assert existing.phone == "0769-00000000"


def test_every_bad_row_is_reported_in_row_order(sales_user):
    rows = with_cell(0, "Contact e-mail", "x@", rows=with_cell(2, "Registered name", ""))
    with pytest.raises(CustomersImportError) as refused:
        services.customers_import(file=workbook(rows), actor=sales_user)
    assert [(p.row, p.field) for p in refused.value.problems] == [(2, "Contact e-mail"), (4, "Registered name")]


def test_every_problem_of_a_row_is_reported(sales_user):
    rows = with_cell(1, "Contact name", "", rows=with_cell(1, "Contact e-mail", "x@", rows=with_cell(1, "E-mail", "y")))
    with pytest.raises(CustomersImportError) as refused:
        services.customers_import(file=workbook(rows), actor=sales_user)
    assert sorted((p.row, p.field) for p in refused.value.problems) == [
        (3, "Contact e-mail"), (3, "Contact name"), (3, "E-mail")
    ]


def test_r_5_6_1_reimport_updates_rather_than_duplicates(sales_user):
    services.customers_import(file=workbook(ROWS), actor=sales_user)
    rows = with_cell(0, "Phone", "0769-85329999", rows=with_cell(0, "Contact position", "總經理"))

    report = services.customers_import(file=workbook(rows), actor=sales_user)

    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    assert Customer.objects.count() == 3 and Contact.objects.count() == 2
    hengda = Customer.objects.get(registered_name="東莞市恒達五金製品有限公司")
    assert hengda.phone == "0769-85329999"
    assert [r.history_change_reason for r in hengda.history.all()] == ["Imported from Excel"] * 2
    assert hengda.contacts.get().position == "總經理"
    assert hengda.timeline.filter(event=TimelineEvent.CUSTOMER_UPDATED).count() == 1


def test_a_name_twice_in_one_file_is_one_customer_updated_by_the_later_row(sales_user):
    rows = [ROWS[0], with_cell(0, "Phone", "0769-85320000")[0]]
    report = services.customers_import(file=workbook(rows), actor=sales_user)
    assert (report.created, report.updated) == (1, 1)
    assert Customer.objects.get().phone == "0769-85320000"


def test_reimporting_the_same_file_changes_nothing(sales_user):
    services.customers_import(file=workbook(ROWS), actor=sales_user)
    before = nothing_written()
    report = services.customers_import(file=workbook(ROWS), actor=sales_user)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert nothing_written() == before


def test_a_new_contact_name_becomes_the_primary_contact(sales_user):
    customer = CustomerFactory(registered_name="東莞市恒達五金製品有限公司")
    old = ContactFactory(customer=customer, name="王建國", is_primary=True)

    services.customers_import(file=workbook(ROWS[:1]), actor=sales_user)

    old.refresh_from_db()
    assert not old.is_primary
    assert customer.contacts.get(is_primary=True).name == "何志強"


def test_columns_left_out_are_left_alone(sales_user):
    customer = CustomerFactory(registered_name="永盛工業股份有限公司", address="新北市五股區", phone="02-1")
    services.customers_import(
        file=workbook([["永盛工業股份有限公司", "02-22981234"]], headers=["registered name", " PHONE "]),
        actor=sales_user,
    )
    customer.refresh_from_db()
    assert customer.phone == "02-22981234" and customer.address == "新北市五股區"


def test_numbers_typed_into_cells_are_kept_as_text(sales_user):
    services.customers_import(
        file=workbook([["永盛工業股份有限公司", 22981234, 22981235.0]], headers=["Registered name", "Phone", "Fax"]),
        actor=sales_user,
    )
    customer = Customer.objects.get()
    assert (customer.phone, customer.fax) == ("22981234", "22981235")


def test_blank_lines_are_skipped_and_rows_keep_their_numbers(sales_user):
    rows = [ROWS[0], [None] * len(HEADERS), with_cell(1, "E-mail", "bad")[1]]
    with pytest.raises(CustomersImportError) as refused:
        services.customers_import(file=workbook(rows), actor=sales_user)
    assert [(p.row, p.field) for p in refused.value.problems] == [(4, "E-mail")]

    report = services.customers_import(file=workbook([ROWS[0], [None] * len(HEADERS), ROWS[1]]), actor=sales_user)
    assert report.created == 2 and Customer.objects.count() == 2


def test_a_file_without_the_registered_name_column_is_refused_at_row_1(sales_user):
    with pytest.raises(CustomersImportError) as refused:
        services.customers_import(file=workbook([["恒達五金"]], headers=["Short name"]), actor=sales_user)
    (problem,) = refused.value.problems
    assert problem.row == 1 and "Registered name" in problem.message
    assert not Customer.objects.exists()


def test_a_file_without_rows_is_refused(sales_user):
    with pytest.raises(LiaisonError) as refused:
        services.customers_import(file=workbook([]), actor=sales_user)
    assert refused.value.code == CustomerErrorCode.IMPORT_FILE_EMPTY


def test_a_file_that_is_not_a_workbook_is_refused(sales_user):
    with pytest.raises(LiaisonError) as refused:
        services.customers_import(file=BytesIO(b"registered name\nnot really excel"), actor=sales_user)
    assert refused.value.code == CustomerErrorCode.IMPORT_FILE_UNREADABLE
    assert refused.value.field == "file"


def test_an_unknown_format_is_refused(sales_user):
    with pytest.raises(LiaisonError) as refused:
        services.customers_import(file=b"", file_format="ods", actor=sales_user)
    assert refused.value.code == CustomerErrorCode.IMPORT_FORMAT_UNKNOWN


def test_csv_with_excel_bom_imports_too(sales_user):
    data = "\ufeffRegistered name,Short name,Contact name\r\n廈門宏信包裝材料有限公司,宏信包裝,鄭麗華\r\n".encode()
    report = services.customers_import(file=data, file_format="csv", actor=sales_user)
    assert report.created == 1
    assert Customer.objects.get().contacts.get().name == "鄭麗華"


def test_a_path_can_be_imported(sales_user, tmp_path):
    path = tmp_path / "customers.xlsx"
    path.write_bytes(workbook(ROWS).getvalue())
    assert services.customers_import(file=path, actor=sales_user).created == 3


def test_progress_is_reported_in_rows_up_to_the_total(sales_user):
    seen = []
    services.customers_import(file=workbook(ROWS), actor=sales_user, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert [done for done, _total in seen] == sorted(done for done, _total in seen)  # never goes back


def test_a_name_twice_in_one_file_leaves_both_steps_in_history_and_timeline(sales_user):
    rows = [ROWS[0], with_cell(0, "Phone", "0769-85320000")[0]]
    services.customers_import(file=workbook(rows), actor=sales_user)
    customer = Customer.objects.get()
    assert [(r.history_type, r.phone) for r in customer.history.order_by("history_id")] == [
        ("+", "0769-85321188"), ("~", "0769-85320000")
    ]
    assert [(e.event, e.summary) for e in customer.timeline.order_by("pk")] == [
        (TimelineEvent.CUSTOMER_REGISTERED, "Imported from Excel"),
        (TimelineEvent.CONTACT_ADDED, "何志強"),
        (TimelineEvent.CUSTOMER_UPDATED, "Imported from Excel: phone"),
    ]
    assert customer.contacts.count() == 1


def test_the_contact_that_lost_the_primary_role_says_so_in_its_history(sales_user):
    customer = CustomerFactory(registered_name="東莞市恒達五金製品有限公司")
    old = ContactFactory(customer=customer, name="王建國", is_primary=True)

    services.customers_import(file=workbook(ROWS[:1]), actor=sales_user)

    latest = old.history.first()
    assert (latest.is_primary, latest.history_change_reason, latest.history_user) == (
        False, "Another contact became primary", sales_user
    )
    new = customer.contacts.get(is_primary=True)
    assert (new.created_by, new.history.get().history_type) == (sales_user, "+")
    assert customer.timeline.filter(event=TimelineEvent.CONTACT_ADDED).first().about == new


def test_a_changed_contact_alone_counts_as_an_update_with_its_history(sales_user):
    services.customers_import(file=workbook(ROWS[:1]), actor=sales_user)
    report = services.customers_import(file=workbook(with_cell(0, "Contact phone", "13800000000", rows=ROWS[:1])),
                                       actor=sales_user)
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    contact = Contact.objects.get()
    assert contact.phone == "13800000000"
    assert [r.history_type for r in contact.history.order_by("history_id")] == ["+", "~"]
    assert Customer.objects.get().history.count() == 1  # the customer itself did not change
