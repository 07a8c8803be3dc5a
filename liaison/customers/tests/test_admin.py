"""The customers back office: search, filters, links, edits with reasons, Excel import/export."""

import re
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from liaison.core.roles import Role
from liaison.customers import services, tasks
from liaison.customers.models import Customer, CustomerImport
from liaison.customers.states import CustomerStatus, ImportStatus
from liaison.customers.tests.factories import ContactFactory, CustomerFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:customers_customer_changelist")
IMPORT = reverse("admin:customers_customer_import")
PROCESS_IMPORT = reverse("admin:customers_customer_process_import")
EXPORT = reverse("admin:customers_customer_export")


@pytest.fixture
def login(client, user_with_role):
    def as_role(role: Role):
        user = user_with_role(role)
        client.force_login(user)
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
        return user

    return as_role


def listed(response) -> list[str]:
    return [customer.registered_name for customer in response.context["cl"].result_list]


def test_r_5_6_1_changelist_search_uses_both_scripts_and_pinyin(client, login):
    CustomerFactory(registered_name="臺中市大客戶精密機械有限公司", short_name="大客戶")
    CustomerFactory(registered_name="天津北方钢构工程有限公司", short_name="北方钢构")
    login(Role.SALES_STAFF)
    for query in ["大客户", "大客戶", "dakehu", "dkh"]:
        assert listed(client.get(CHANGELIST, {"q": query})) == ["臺中市大客戶精密機械有限公司"], query


def test_changelist_filters_by_status(client, login):
    CustomerFactory(registered_name="永盛工業股份有限公司", status=CustomerStatus.INACTIVE)
    CustomerFactory(registered_name="天津北方钢构工程有限公司")
    login(Role.SALES_STAFF)
    assert listed(client.get(CHANGELIST, {"status__exact": "inactive"})) == ["永盛工業股份有限公司"]


def test_changelist_links_each_row_to_the_customer_page(client, login):
    customers = [CustomerFactory() for _ in range(3)]
    login(Role.QC_INSPECTOR)
    html = client.get(CHANGELIST).content.decode()
    for customer in customers:
        assert f'href="{customer.get_absolute_url()}"' in html


def test_changelist_runs_a_fixed_number_of_queries(client, login, django_assert_num_queries):
    login(Role.SALES_STAFF)
    for _ in range(3):
        CustomerFactory()
    client.get(CHANGELIST)
    with django_assert_num_queries(QUERIES_CHANGELIST) as first:
        client.get(CHANGELIST)
    for _ in range(7):
        CustomerFactory()
    with django_assert_num_queries(len(first)):
        response = client.get(CHANGELIST)
    assert len(listed(response)) == 10


# session, user, own and group permissions, the result count and the full count, the page,
# and the sidebar inbox badge (one query counting sign-offs waiting for my department, open
# clarifications and complaints to acknowledge).
QUERIES_CHANGELIST = 8


def change_form_data(customer: Customer, **changes) -> dict:
    contacts = list(customer.contacts.all())
    data = {
        "registered_name": customer.registered_name,
        "short_name": customer.short_name,
        "status": customer.status,
        "address": customer.address,
        "phone": customer.phone,
        "fax": customer.fax,
        "email": customer.email,
        "business_scope": customer.business_scope,
        "company_profile": customer.company_profile,
        "change_reason": "",
        "contacts-TOTAL_FORMS": str(len(contacts)),
        "contacts-INITIAL_FORMS": str(len(contacts)),
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
    }
    for index, contact in enumerate(contacts):
        for field in ["id", "customer", "name", "position", "phone", "mobile", "fax", "email", "notes"]:
            value = getattr(contact, f"{field}_id" if field == "customer" else field)
            data[f"contacts-{index}-{field}"] = value
        if contact.is_primary:
            data[f"contacts-{index}-is_primary"] = "on"
        if contact.active:
            data[f"contacts-{index}-active"] = "on"
    data.update(changes)
    return data


def test_r_5_6_1_admin_edit_with_a_reason_lands_in_history(client, login):
    customer = CustomerFactory()
    contact = ContactFactory(customer=customer, is_primary=True)
    user = login(Role.SALES_STAFF)
    url = reverse("admin:customers_customer_change", args=[customer.pk])

    response = client.post(
        url,
        change_form_data(
            customer,
            address="廣東省東莞市長安鎮振安中路128號",
            change_reason="Customer moved to a new plant",
            **{"contacts-0-phone": "0769-85320000"},
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = customer.history.first()
    assert latest.address == "廣東省東莞市長安鎮振安中路128號"
    assert latest.history_change_reason == "Customer moved to a new plant"
    assert latest.history_user == user
    contact_record = contact.history.first()
    assert contact_record.phone == "0769-85320000"
    assert contact_record.history_change_reason == "Customer moved to a new plant"
    assert customer.timeline.first().summary.startswith("Customer moved to a new plant")


def test_admin_refuses_a_bad_email_and_changes_nothing(client, login):
    customer = CustomerFactory(email="sales@hengda.example.cn")
    login(Role.SALES_STAFF)
    url = reverse("admin:customers_customer_change", args=[customer.pk])
    response = client.post(url, change_form_data(customer, email="hengda"))
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    customer.refresh_from_db()
    assert customer.email == "sales@hengda.example.cn" and customer.history.count() == 1


def test_nobody_deletes_customers_in_the_back_office(client, login):
    customer = CustomerFactory()
    login(Role.ADMINISTRATOR)
    response = client.post(reverse("admin:customers_customer_delete", args=[customer.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Customer.objects.filter(pk=customer.pk).exists()


def workbook(rows) -> BytesIO:
    book = openpyxl.Workbook()
    book.active.append(["Registered name", "Short name", "E-mail", "Contact name", "Contact e-mail"])
    for row in rows:
        book.active.append(row)
    data = BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "customers.xlsx"
    return data


GOOD = [
    ["東莞市恒達五金製品有限公司", "恒達五金", "sales@hengda-hw.example.cn", "何志強", "hezq@hengda-hw.example.cn"],
    ["深圳市华南精密电子有限公司", "华南精密", "", "刘晓燕", ""],
]


def status_url(job) -> str:
    return reverse("admin:customers_customer_import_status", args=[job.pk])


def test_r_5_6_1_admin_import_runs_as_a_task_and_shows_the_outcome(client, login):
    user = login(Role.SALES_ADMIN)

    response = client.post(IMPORT, {"import_file": workbook(GOOD), "format": "0", "resource": "0"})

    job = CustomerImport.objects.get()
    assert response.status_code == 302 and response["Location"] == status_url(job)
    # The test settings run tasks at once: the import has finished when the page is shown.
    assert (job.status, job.created, job.rows_total, job.created_by) == (ImportStatus.DONE, 2, 2, user)
    assert not job.file  # the kept upload is dropped once imported
    hengda = Customer.objects.get(short_name="恒達五金")
    assert hengda.history.get().history_change_reason == "Imported from Excel"
    assert hengda.history.get().history_user == user
    assert hengda.contacts.get().name == "何志強"
    assert Customer.objects.count() == 2
    page = client.get(status_url(job))
    assert page.status_code == 200
    assert "Customers created: 2" in page.content.decode()
    assert client.get(status_url(job), {"format": "json"}).json() == {
        "status": "done", "done": 2, "total": 2, "percent": 100, "finished": True
    }


def test_a_large_file_is_imported_by_the_background_task(client, login, monkeypatch):
    user = login(Role.SALES_ADMIN)
    monkeypatch.setattr(tasks, "IMPORT_INLINE_BYTES", 0)
    enqueued = []
    task = tasks.customers_import_task

    class Recording:
        def enqueue(self, **kwargs):
            enqueued.append(kwargs)
            return task.enqueue(**kwargs)

    monkeypatch.setattr(tasks, "customers_import_task", Recording())

    client.post(IMPORT, {"import_file": workbook(GOOD), "format": "0", "resource": "0"})

    job = CustomerImport.objects.get()
    assert enqueued == [{"job_id": job.pk}]
    assert (job.status, job.created, job.created_by) == (ImportStatus.DONE, 2, user)
    assert Customer.objects.count() == 2


def test_admin_import_of_a_bad_file_imports_nothing_and_lists_each_problem(client, login):
    login(Role.SALES_ADMIN)
    rows = [GOOD[0], ["", "華南", "bad", "", ""]]

    client.post(IMPORT, {"import_file": workbook(rows), "format": "0", "resource": "0"})

    job = CustomerImport.objects.get()
    assert job.status == ImportStatus.FAILED and "row 3" in job.message
    assert job.problems == [
        {"row": 3, "field": "Registered name", "message": "This field cannot be blank."},
        {"row": 3, "field": "E-mail", "message": "Enter a valid email address."},
    ]
    html = client.get(status_url(job)).content.decode()
    assert re.search(r"<td[^>]*>\s*3\s*</td>", html) and "Enter a valid email address." in html
    assert Customer.objects.count() == 0


def test_admin_import_shows_progress_while_it_runs(client, login):
    user = login(Role.SALES_ADMIN)
    job = CustomerImport.objects.create(
        original_name="customers.xlsx", file_format="xlsx", status=ImportStatus.RUNNING, created_by=user
    )
    progress = services._progress_path(job)
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.write_text("250 1000")
    try:
        state = client.get(status_url(job), {"format": "json"}).json()
        html = client.get(status_url(job)).content.decode()
    finally:
        progress.unlink()
    assert state == {"status": "running", "done": 250, "total": 1000, "percent": 25, "finished": False}
    assert 'aria-valuenow="25"' in html and "25% of 1000 rows" in html


def test_an_import_is_shown_only_to_whoever_started_it(client, login, user_with_role):
    other = user_with_role(Role.SALES_HEAD)
    job = CustomerImport.objects.create(original_name="x.xlsx", file_format="xlsx", created_by=other)
    login(Role.SALES_ADMIN)
    assert client.get(status_url(job)).status_code == 404


def test_the_old_confirm_step_leads_back_to_the_upload(client, login):
    login(Role.SALES_ADMIN)
    response = client.post(PROCESS_IMPORT, {"import_file_name": "x", "format": "0", "resource": "0"})
    assert response.status_code == 302 and response["Location"] == IMPORT
    assert Customer.objects.count() == 0


def test_sales_staff_may_export_but_not_import(client, login):
    CustomerFactory()
    login(Role.SALES_STAFF)
    assert client.get(IMPORT).status_code == 403
    assert client.post(IMPORT, {"import_file": workbook(GOOD), "format": "0", "resource": "0"}).status_code == 403
    assert not CustomerImport.objects.exists()
    response = client.post(EXPORT, {"format": "0", "resource": "0"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(BytesIO(response.content)).active.values)
    assert rows[0][0] == "Registered name" and len(rows) == 2


def test_qc_may_neither_import_nor_export(client, login):
    login(Role.QC_INSPECTOR)
    assert client.get(IMPORT).status_code == 403
    assert client.get(EXPORT).status_code == 403
