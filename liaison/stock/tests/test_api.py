"""Stock API, role by role: products, balances and the stock ledger."""

from decimal import Decimal

import pytest

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.stock.models import Product, QualifiedStock, StockMove
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory, StockMoveFactory

pytestmark = pytest.mark.django_db

PRODUCTS, STOCK, MOVES = "/api/v1/products/", "/api/v1/stock/", "/api/v1/stock-moves/"


@pytest.fixture
def as_role(api_client, user_with_role):
    def sign_in(role: Role):
        user = user_with_role(role)
        api_client.force_authenticate(user)
        return user

    return sign_in


def shipment(product, quantity="2", **extra):
    """A move out by hand: a count correction (shipments come only from outbound slips)."""
    return {
        "product": product.pk,
        "direction": MoveDirection.OUT,
        "quantity": quantity,
        "reason": MoveReason.COUNT_CORRECTION,
        "document_ref": "COUNT-2026-03",
        **extra,
    }


def balance(product) -> Decimal:
    return QualifiedStock.objects.get(product=product).quantity


def assert_error_format(response, code: str):
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"]
    return body


# --- stock moves ------------------------------------------------------------------------------


def test_warehouse_clerk_records_a_count_correction(api_client, as_role):
    clerk = as_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(stock=5)

    response = api_client.post(MOVES, shipment(product, "2"), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert Decimal(body["balance_after"]) == 3
    assert body["created_by"] == clerk.pk
    assert balance(product) == 3
    recorded = StockMove.objects.get(pk=body["id"])
    assert recorded.history.get().history_user == clerk


def test_sales_staff_reads_stock_but_cannot_record_a_move(api_client, as_role):
    as_role(Role.SALES_STAFF)
    product = ProductFactory(stock=5)

    read = api_client.get(STOCK)
    write = api_client.post(MOVES, shipment(product), format="json")

    assert read.status_code == 200
    assert write.status_code == 403
    assert_error_format(write, "permission_denied")
    assert balance(product) == 5
    assert StockMove.objects.filter(product=product).count() == 1


def test_workshop_lead_reads_stock_but_not_the_ledger(api_client, as_role):
    as_role(Role.WORKSHOP_LEAD)
    opening = StockMoveFactory()

    assert api_client.get(STOCK).status_code == 200
    listed = api_client.get(MOVES)
    direct = api_client.get(f"{MOVES}{opening.pk}/")

    assert listed.status_code == 403
    assert direct.status_code == 403
    assert_error_format(direct, "permission_denied")


def test_taking_out_more_than_there_is_answers_400_and_changes_nothing(api_client, as_role):
    as_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(code="HB-M6-20", name="六角螺栓", stock=5)

    response = api_client.post(MOVES, shipment(product, "6"), format="json")

    assert response.status_code == 400
    body = assert_error_format(response, "insufficient_stock")
    assert "HB-M6-20" in body["message"] and "5 pcs" in body["message"]
    assert body["fields"] == {"quantity": [body["message"]]}
    assert balance(product) == 5
    assert StockMove.objects.filter(product=product).count() == 1


def test_a_zero_quantity_answers_400_with_its_code(api_client, as_role):
    as_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(stock=5)

    response = api_client.post(MOVES, shipment(product, "0"), format="json")

    assert response.status_code == 400
    assert_error_format(response, "quantity_not_positive")
    assert balance(product) == 5


def test_balance_after_cannot_be_set_by_the_caller(api_client, as_role):
    as_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(stock=5)

    response = api_client.post(MOVES, shipment(product, "1", balance_after="999"), format="json")

    assert response.status_code == 201
    assert Decimal(response.json()["balance_after"]) == 4


def test_the_ledger_cannot_be_changed_or_deleted_through_the_api(api_client):
    api_client.force_authenticate(UserFactory(is_superuser=True))
    recorded = StockMoveFactory(quantity=Decimal(4))

    changed = api_client.patch(f"{MOVES}{recorded.pk}/", {"quantity": "400"}, format="json")
    deleted = api_client.delete(f"{MOVES}{recorded.pk}/")

    assert (changed.status_code, deleted.status_code) == (405, 405)
    recorded.refresh_from_db()
    assert recorded.quantity == 4


def test_the_ledger_lists_one_products_moves_in_a_fixed_number_of_queries(
    api_client, as_role, django_assert_num_queries
):
    as_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(stock=5)
    for _ in range(6):
        StockMoveFactory(product=product, quantity=Decimal(1))
    StockMoveFactory()  # another product's move

    # the user's own and group permissions, count, page
    with django_assert_num_queries(4):
        response = api_client.get(MOVES, {"product": product.pk})

    assert response.status_code == 200
    assert response.json()["count"] == 7
    assert {row["product"] for row in response.json()["results"]} == {product.pk}


# --- balances -----------------------------------------------------------------------------------


def test_stock_balances_list_in_a_fixed_number_of_queries(
    api_client, as_role, django_assert_num_queries
):
    as_role(Role.WORKSHOP_LEAD)
    ProductFactory(code="HB-M6-20", unit="pcs", stock=120)
    for n in range(5):
        ProductFactory(stock=n + 1)

    with django_assert_num_queries(4):
        response = api_client.get(STOCK)

    rows = response.json()["results"]
    assert response.json()["count"] == 6
    assert [row["product_code"] for row in rows] == sorted(row["product_code"] for row in rows)
    bolt = next(row for row in rows if row["product_code"] == "HB-M6-20")
    assert (bolt["unit"], Decimal(bolt["quantity"])) == ("pcs", 120)


def test_stock_balances_are_read_only(api_client):
    api_client.force_authenticate(UserFactory(is_superuser=True))
    product = ProductFactory(stock=5)
    row = QualifiedStock.objects.get(product=product)

    response = api_client.patch(f"{STOCK}{row.pk}/", {"quantity": "50"}, format="json")

    assert response.status_code == 405
    assert balance(product) == 5


def test_a_role_without_stock_rights_reads_nothing(api_client, as_role):
    as_role(Role.RESPONSIBLE_MEMBER)

    assert api_client.get(STOCK).status_code == 403
    assert api_client.get(PRODUCTS).status_code == 403


# --- products ------------------------------------------------------------------------------------


def test_warehouse_clerk_registers_and_changes_a_product(api_client, as_role):
    clerk = as_role(Role.WAREHOUSE_CLERK)

    created = api_client.post(
        PRODUCTS, {"code": "WS-8", "name": "平墊圈", "unit": "pcs"}, format="json"
    )
    changed = api_client.patch(
        f"{PRODUCTS}{created.json()['id']}/", {"name": "平墊圈 Ø8"}, format="json"
    )

    assert (created.status_code, changed.status_code) == (201, 200)
    product = Product.objects.get(code="WS-8")
    assert product.name == "平墊圈 Ø8"
    assert balance(product) == 0
    assert [row.history_change_reason for row in product.history.order_by("history_id")] == [
        "Registered",
        "Changed through the API",
    ]
    assert product.history.first().history_user == clerk


def test_sales_staff_reads_products_but_cannot_register_one(api_client, as_role):
    as_role(Role.SALES_STAFF)
    product = ProductFactory()

    assert api_client.get(f"{PRODUCTS}{product.pk}/").status_code == 200
    refused = api_client.post(PRODUCTS, {"code": "WS-8", "name": "平墊圈"}, format="json")

    assert refused.status_code == 403
    assert_error_format(refused, "permission_denied")
    assert not Product.objects.filter(code="WS-8").exists()


def test_a_duplicate_product_code_answers_400(api_client, as_role):
    as_role(Role.SALES_ADMIN)
    ProductFactory(code="WS-8")

    response = api_client.post(PRODUCTS, {"code": "WS-8", "name": "平墊圈"}, format="json")

    assert response.status_code == 400
    assert "code" in assert_error_format(response, "invalid")["fields"]
    assert Product.objects.filter(code="WS-8").count() == 1


def test_products_cannot_be_deleted_through_the_api(api_client):
    api_client.force_authenticate(UserFactory(is_superuser=True))
    product = ProductFactory()

    response = api_client.delete(f"{PRODUCTS}{product.pk}/")

    assert response.status_code == 405
    assert Product.objects.filter(pk=product.pk).exists()


def test_product_list_takes_a_fixed_number_of_queries(
    api_client, as_role, django_assert_num_queries
):
    as_role(Role.WORKSHOP_LEAD)
    for _ in range(4):
        ProductFactory()

    with django_assert_num_queries(4):
        response = api_client.get(PRODUCTS)

    assert response.json()["count"] == 4


@pytest.mark.parametrize("reason", [MoveReason.SHIPMENT, MoveReason.REPLENISHMENT, MoveReason.RETURN_GOOD])
def test_r_5_2_3_2_shipments_replenishments_and_good_returns_are_not_recorded_by_hand(
    api_client, as_role, reason
):
    as_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(stock=5)

    response = api_client.post(MOVES, shipment(product, "2", reason=reason), format="json")

    assert response.status_code == 400
    body = assert_error_format(response, "reason_not_by_hand")
    assert body["fields"] == {"reason": [body["message"]]}
    assert balance(product) == 5 and not StockMove.objects.filter(product=product, direction="out").exists()
