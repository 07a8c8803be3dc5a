"""The back office's customer import in the browser: upload, progress bar, outcome (zh-Hant and English)."""

from io import BytesIO

import openpyxl
import pytest
from helpers import switch_language

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.customers import services
from liaison.customers.models import Customer, CustomerImport
from liaison.customers.states import ImportStatus

pytestmark = pytest.mark.browser

IMPORT = "/admin/customers/customer/import/"


def workbook(rows) -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Registered name", "Short name", "Contact name"])
    for row in rows:
        book.active.append(row)
    data = BytesIO()
    book.save(data)
    return data.getvalue()


@pytest.fixture
def clerk(db):
    return UserFactory(roles=[Role.SALES_ADMIN])


def upload(page, data: bytes):
    page.goto(IMPORT)
    page.set_input_files("input[name=import_file]", files=[{
        "name": "customers.xlsx", "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "buffer": data,
    }])
    page.select_option("select[name=format]", value="0")
    page.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    page.wait_for_url(lambda url: "/import/" in url and url.rstrip("/").split("/")[-1].isdigit())


@pytest.mark.parametrize("language", ["zh-hant", "en"])
def test_customer_import_shows_its_progress_then_its_outcome(page, log_in, clerk, screenshot, language):
    log_in(clerk)
    if language == "en":
        page.goto("/admin/")
        switch_language(page, "English")

    # A running import: the bar shows how far it is, and the page follows it by itself.
    job = CustomerImport.objects.create(
        original_name="客戶資料.xlsx", file_format="xlsx", status=ImportStatus.RUNNING, created_by=clerk
    )
    progress = services._progress_path(job)
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.write_text("42000 100000")
    page.goto(f"{IMPORT}{job.pk}/")
    assert page.locator("#import-bar").get_attribute("aria-valuenow") == "42"
    screenshot(page, f"customer-import-progress-{language}")
    progress.write_text("73000 100000")
    page.wait_for_function("document.getElementById('import-bar').getAttribute('aria-valuenow') === '73'")
    CustomerImport.objects.filter(pk=job.pk).update(
        status=ImportStatus.DONE, rows_done=100000, rows_total=100000, created=99000, updated=1000
    )
    progress.unlink()
    page.wait_for_selector("#import-done")
    screenshot(page, f"customer-import-done-{language}")

    # A file with a bad row: nothing is imported, and the page says where.
    upload(page, workbook([["東莞市恒達五金製品有限公司", "恒達五金", "何志強"], ["", "華南", ""]]))
    page.wait_for_selector("#import-refused")
    assert page.locator("#import-refused td").first.inner_text().strip() == "3"
    screenshot(page, f"customer-import-refused-{language}")
    assert not Customer.objects.exists()

    # A good file: imported at once (a small file does not wait for the worker).
    upload(page, workbook([["東莞市恒達五金製品有限公司", "恒達五金", "何志強"], ["深圳市华南精密电子有限公司", "华南精密", "刘晓燕"]]))
    page.wait_for_selector("#import-done")
    assert Customer.objects.count() == 2
    assert page.js_errors == []
