"""Back office of the stock app: recording moves, the read-only ledger, products and Excel."""

import io
from decimal import Decimal

import openpyxl
import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.stock.models import Product, QualifiedStock, StockMove
from liaison.stock.resources import IMPORT_REASON, ProductResource
from liaison.stock.services import product_save
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory, StockMoveFactory

pytestmark = pytest.mark.django_db

ADD_MOVE = reverse("admin:stock_stockmove_add")


@pytest.fixture
def clerk(client_as):
    return client_as(Role.WAREHOUSE_CLERK).user


def move_form(
    product, direction=MoveDirection.OUT, quantity="2", reason=MoveReason.COUNT_CORRECTION, **extra
):
    return {
        "product": product.pk,
        "direction": direction,
        "quantity": quantity,
        "reason": reason,
        "document_ref": "F8-2026-0007",
        "note": "",
        **extra,
    }


def balance(product) -> Decimal:
    return QualifiedStock.objects.get(product=product).quantity


# --- recording a stock move ---------------------------------------------------------------


def test_clerk_records_a_count_correction_from_the_back_office(client, clerk):
    product = ProductFactory(stock=5)

    response = client.post(ADD_MOVE, move_form(product, quantity="2"))

    assert response.status_code == 302
    shipped = StockMove.objects.get(product=product, direction=MoveDirection.OUT)
    assert (shipped.quantity, shipped.balance_after, shipped.created_by) == (2, 3, clerk)
    assert shipped.document_ref == "F8-2026-0007"
    assert balance(product) == 3
    assert shipped.history.get().history_change_reason == "Stock out: count_correction"


def test_r_5_2_3_2_a_shipment_is_not_recorded_by_hand_on_the_form(client, clerk):
    product = ProductFactory(stock=5)

    response = client.post(ADD_MOVE, move_form(product, reason=MoveReason.SHIPMENT))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["reason"]
    assert balance(product) == 5 and not StockMove.objects.filter(product=product, direction="out").exists()
    reasons = [value for value, _label in response.context["adminform"].form.fields["reason"].choices if value]
    assert reasons == ["opening", "production", "count_correction", "other"]


def test_a_refused_move_shows_its_reason_on_the_form_and_saves_nothing(client, clerk):
    product = ProductFactory(code="HB-M6-20", name="六角螺栓", stock=5)

    response = client.post(ADD_MOVE, move_form(product, quantity="8"))

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {
        "quantity": [
            "Only 5 pcs of HB-M6-20 六角螺栓 are in qualified stock; 8 cannot be taken out."
        ]
    }
    assert "Only 5 pcs of HB-M6-20" in response.content.decode()
    assert StockMove.objects.filter(product=product).count() == 1
    assert balance(product) == 5


@pytest.mark.parametrize("quantity", ["0", "-3"])
def test_a_quantity_that_is_not_positive_is_refused_on_the_form(client, clerk, quantity):
    product = ProductFactory(stock=5)

    response = client.post(
        ADD_MOVE, move_form(product, direction=MoveDirection.IN, quantity=quantity)
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "quantity": ["The quantity must be greater than zero."]
    }
    assert balance(product) == 5


def test_an_inactive_product_cannot_be_chosen(client, clerk):
    product = ProductFactory(stock=5)
    product.active = False
    product_save(product=product, actor=None, reason="Discontinued")

    response = client.post(ADD_MOVE, move_form(product, direction=MoveDirection.IN))

    assert response.status_code == 200
    assert "product" in response.context["adminform"].form.errors
    assert balance(product) == 5


def test_sales_staff_cannot_open_the_move_form(client_as):
    client = client_as(Role.SALES_STAFF)
    product = ProductFactory(stock=5)

    assert client.get(ADD_MOVE).status_code == 403
    assert client.post(ADD_MOVE, move_form(product)).status_code == 403
    assert balance(product) == 5


def test_a_recorded_move_can_be_viewed_but_not_changed_or_deleted(client, clerk):
    recorded = StockMoveFactory(quantity=Decimal(4))
    change_url = reverse("admin:stock_stockmove_change", args=[recorded.pk])

    page = client.get(change_url)
    changed = client.post(
        change_url, move_form(recorded.product, direction=MoveDirection.IN, quantity="400")
    )
    deleted = client.post(
        reverse("admin:stock_stockmove_delete", args=[recorded.pk]), {"post": "yes"}
    )

    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert 'name="_save"' not in page.content.decode()
    assert changed.status_code == 403
    assert deleted.status_code == 403
    recorded.refresh_from_db()
    assert recorded.quantity == 4
    assert balance(recorded.product) == 4


def test_superuser_cannot_change_or_delete_a_move_either(client):
    client.force_login(UserFactory(is_superuser=True))
    recorded = StockMoveFactory()

    response = client.post(
        reverse("admin:stock_stockmove_delete", args=[recorded.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert StockMove.objects.filter(pk=recorded.pk).exists()


def test_the_ledger_list_does_not_grow_in_queries_with_more_moves(client, clerk):
    url = reverse("admin:stock_stockmove_changelist")
    StockMoveFactory()
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _ in range(8):
        StockMoveFactory()
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)

    assert len(many) == len(few)
    assert len(response.context["cl"].result_list) == StockMove.objects.count() == 9
    assert all(move.product.code in response.content.decode() for move in StockMove.objects.all())


# --- qualified stock and products ----------------------------------------------------------


def test_qualified_stock_list_shows_the_quantity_with_its_unit(client, clerk):
    ProductFactory(code="HB-M6-20", unit="pcs", stock="120")
    ProductFactory(code="WIRE-2", unit="kg", stock="2.5")

    response = client.get(reverse("admin:stock_qualifiedstock_changelist"))

    page = response.content.decode()
    assert "120 pcs" in page
    assert "2.5 kg" in page


def test_the_history_of_a_stock_row_is_its_products_ledger(client, clerk):
    product = ProductFactory(stock=5)
    row = QualifiedStock.objects.get(product=product)

    response = client.get(reverse("admin:stock_qualifiedstock_history", args=[row.pk]))

    assert response.status_code == 302
    assert (
        response.url
        == f"{reverse('admin:stock_stockmove_changelist')}?product__id__exact={product.pk}"
    )
    StockMoveFactory(document_ref="F8-OTHER-PRODUCT")
    ledger = client.get(response.url)
    assert [move.product for move in ledger.context["cl"].result_list] == [product]  # the opening move only
    assert "F8-OTHER-PRODUCT" not in ledger.content.decode()


def test_qualified_stock_list_links_to_moves_only_for_who_may_see_them(client_as):
    ProductFactory(stock=5)
    url = reverse("admin:stock_qualifiedstock_changelist")
    assert "Show moves" in client_as(Role.WAREHOUSE_CLERK).get(url).content.decode()

    page = client_as(Role.WORKSHOP_LEAD).get(url)

    assert page.status_code == 200
    assert "5 pcs" in page.content.decode()
    assert "Show moves" not in page.content.decode()


def test_qualified_stock_list_does_not_grow_in_queries_with_more_products(client, clerk):
    url = reverse("admin:stock_qualifiedstock_changelist")
    ProductFactory(stock=1)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(8):
        ProductFactory(stock=n + 1)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert len(many) == len(few)


def test_product_list_shows_qualified_stock_without_a_query_per_row(client, clerk):
    url = reverse("admin:stock_product_changelist")
    ProductFactory(stock=7, code="HB-M6-20")
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    for _ in range(8):
        ProductFactory(stock=3)
    with CaptureQueriesContext(connection) as many:
        client.get(url)

    assert "7 pcs" in response.content.decode()
    assert len(many) == len(few)


def test_product_page_shows_its_recent_moves(client, clerk):
    product = ProductFactory(stock=5)
    StockMoveFactory(
        product=product,
        direction=MoveDirection.OUT,
        quantity=Decimal(2),
        reason=MoveReason.SHIPMENT,
        document_ref="F8-2026-0042",
    )
    StockMoveFactory(document_ref="F4-OTHER-PRODUCT")

    response = client.get(reverse("admin:stock_product_change", args=[product.pk]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "Recent stock moves" in page
    assert "F8-2026-0042" in page
    assert "F4-OTHER-PRODUCT" not in page
    assert f"?product__id__exact={product.pk}" in page
    assert f"{ADD_MOVE}?product={product.pk}" in page


def test_the_move_form_opened_from_a_product_page_has_the_product_chosen(client, clerk):
    product = ProductFactory(code="HB-M6-20")

    response = client.get(ADD_MOVE, {"product": product.pk})

    assert response.context["adminform"].form.initial["product"] == str(product.pk)
    assert "HB-M6-20" in response.content.decode()


def test_product_page_hides_moves_from_a_role_that_may_not_see_them(client_as):
    client = client_as(Role.WORKSHOP_LEAD)
    product = ProductFactory(stock=5)
    StockMoveFactory(product=product, document_ref="F4-2026-0099")

    response = client.get(reverse("admin:stock_product_change", args=[product.pk]))

    assert response.status_code == 200 and response.context["original"] == product
    assert product.code in response.content.decode()
    assert "F4-2026-0099" not in response.content.decode()
    assert "Recent stock moves" not in response.content.decode()


def test_product_change_in_the_back_office_keeps_the_reason(client, clerk):
    product = ProductFactory(code="HB-M6-20", name="六角螺栓")

    response = client.post(
        reverse("admin:stock_product_change", args=[product.pk]),
        {
            "code": "HB-M6-20",
            "name": "六角法蘭螺栓",
            "specification": "",
            "unit": "pcs",
            "active": "on",
            "change_reason": "Name on the drawing",
        },
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.name == "六角法蘭螺栓"
    assert product.history.first().history_change_reason == "Name on the drawing"
    assert product.history.first().history_user == clerk


def test_products_cannot_be_deleted_from_the_back_office(client):
    client.force_login(UserFactory(is_superuser=True))
    product = ProductFactory()

    response = client.post(
        reverse("admin:stock_product_delete", args=[product.pk]), {"post": "yes"}
    )

    assert response.status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


# --- Excel ---------------------------------------------------------------------------------


def test_products_are_exported_to_excel(client, clerk):
    ProductFactory(code="HB-M6-20", name="六角螺栓", specification="M6×20")

    response = client.post(reverse("admin:stock_product_export"), {"format": "0", "resource": "0"})

    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("code", "name", "specification", "unit", "active")
    assert rows[1][:4] == ("HB-M6-20", "六角螺栓", "M6×20", "pcs")


@pytest.mark.parametrize(
    ("role", "page"),
    [
        (Role.WORKSHOP_LEAD, "admin:stock_product_export"),  # may see products, not export them
        (Role.SALES_STAFF, "admin:stock_product_import"),  # may not add and change products
    ],
    ids=["export-needs-the-export-permission", "import-needs-add-and-change"],
)
def test_export_and_import_are_refused_without_their_permissions(client_as, role, page):
    assert client_as(role).get(reverse(page)).status_code == 403


def test_the_import_page_opens_for_a_clerk(client, clerk):
    page = client.get(reverse("admin:stock_product_import"))
    form = page.context["form"]
    assert "import_file" in form.fields and 'name="import_file"' in page.content.decode()
    assert [label for _value, label in form.fields["format"].choices if _value != ""] == ["xlsx"]


def test_imported_products_go_through_the_service(user_with_role):
    clerk = user_with_role(Role.WAREHOUSE_CLERK)
    ProductFactory(code="HB-M6-20", name="舊名稱")
    rows = tablib.Dataset(
        ["HB-M6-20", "六角螺栓", "M6×20", "pcs", "1"],
        ["WS-8", "平墊圈", "Ø8", "pcs", "1"],
        headers=["code", "name", "specification", "unit", "active"],
    )

    result = ProductResource().import_data(rows, dry_run=False, user=clerk)

    assert not result.has_errors() and not result.has_validation_errors()
    changed, created = Product.objects.get(code="HB-M6-20"), Product.objects.get(code="WS-8")
    assert changed.name == "六角螺栓"
    assert balance(created) == 0  # the service gave the new product its stock row
    assert created.history.get().history_change_reason == IMPORT_REASON
    assert created.history.get().history_user == clerk
    assert changed.history.first().history_change_reason == IMPORT_REASON


def test_an_import_row_that_breaks_a_rule_is_reported_and_not_saved(user_with_role):
    rows = tablib.Dataset(
        ["", "無代碼", "", "pcs", "1"], headers=["code", "name", "specification", "unit", "active"]
    )

    result = ProductResource().import_data(
        rows, dry_run=False, user=user_with_role(Role.WAREHOUSE_CLERK)
    )

    assert not result.has_errors() and result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert (invalid.number, list(invalid.field_specific_errors)) == (1, ["code"])
    assert not Product.objects.exists()


def test_clerk_imports_products_from_excel_in_the_back_office(client, clerk):
    rows = tablib.Dataset(
        ["WS-8", "平墊圈", "Ø8", "pcs", "1"],
        headers=["code", "name", "specification", "unit", "active"],
    )
    upload = SimpleUploadedFile("products.xlsx", rows.export("xlsx"))

    preview = client.post(
        reverse("admin:stock_product_import"),
        {"format": "0", "resource": "0", "import_file": upload},
    )
    assert preview.status_code == 200
    assert not Product.objects.filter(code="WS-8").exists()  # the preview is a dry run
    confirm = preview.context["confirm_form"].initial
    done = client.post(reverse("admin:stock_product_process_import"), confirm)

    assert done.status_code == 302
    product = Product.objects.get(code="WS-8")
    assert balance(product) == 0
    assert product.history.get().history_change_reason == IMPORT_REASON
    assert product.history.get().history_user == clerk
