"""Stock services: products, and stock moves that keep the balance equal to the ledger."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liaison.core.errors import LiaisonError
from liaison.core.roles import Role
from liaison.stock import selectors
from liaison.stock.errors import StockErrorCode
from liaison.stock.models import Product, QualifiedStock, StockMove
from liaison.stock.services import product_save, stock_move_record
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory

pytestmark = pytest.mark.django_db

IN, OUT = MoveDirection.IN, MoveDirection.OUT


def move(product, direction, quantity, reason=None, **kwargs):
    reason = reason or (MoveReason.PRODUCTION if direction == IN else MoveReason.SHIPMENT)
    return stock_move_record(
        product=product,
        direction=direction,
        quantity=Decimal(quantity),
        reason=reason,
        actor=kwargs.pop("actor", None),
        **kwargs,
    )


def balance(product) -> Decimal:
    return QualifiedStock.objects.get(product=product).quantity


# --- products -------------------------------------------------------------------------


def test_product_save_registers_a_product_with_an_empty_stock_row(user_with_role):
    clerk = user_with_role(Role.WAREHOUSE_CLERK)

    product = product_save(product=Product(code="HB-M6-20", name="六角螺栓"), actor=clerk)

    assert balance(product) == 0
    assert product.created_by == clerk
    record = product.history.get()
    assert record.history_change_reason == "Registered"
    assert record.history_user == clerk


def test_product_save_records_the_reason_of_a_change():
    product = ProductFactory()
    product.name = "六角法蘭螺栓"

    product_save(product=product, actor=None, reason="Renamed by the customer")

    assert product.history.first().history_change_reason == "Renamed by the customer"
    assert product.history.count() == 2


def test_product_save_refuses_a_duplicate_code_and_changes_nothing():
    ProductFactory(code="HB-M6-20")

    with pytest.raises(ValidationError) as refused:
        product_save(product=Product(code="HB-M6-20", name="另一個"), actor=None)

    assert "code" in refused.value.message_dict
    assert Product.objects.count() == 1
    assert QualifiedStock.objects.count() == 1


# --- moves in and out -------------------------------------------------------------------


def test_r_5_5_2_2_goods_in_raise_the_balance_and_the_ledger_line_shows_it():
    product = ProductFactory()

    first = move(product, IN, 70, MoveReason.RETURN_GOOD, document_ref="F6-2026-0003")
    second = move(product, IN, "2.5")

    assert balance(product) == Decimal("72.5")
    assert (first.balance_after, second.balance_after) == (Decimal(70), Decimal("72.5"))
    assert first.document_ref == "F6-2026-0003"


def test_r_5_2_3_2_shipping_from_stock_decreases_it(user_with_role):
    clerk = user_with_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory(stock=10)

    shipped = move(product, OUT, 4, document_ref="F8-2026-0001", actor=clerk)

    assert balance(product) == 6
    assert shipped.balance_after == 6
    assert shipped.created_by == clerk


def test_taking_out_exactly_what_there_is_leaves_zero():
    product = ProductFactory(stock=5)

    move(product, OUT, 5)

    assert balance(product) == 0


def test_taking_out_more_than_there_is_is_refused_and_changes_nothing():
    product = ProductFactory(code="HB-M6-20", name="六角螺栓", unit="pcs", stock=5)
    moves_before = StockMove.objects.count()

    with pytest.raises(LiaisonError) as refused:
        move(product, OUT, 8)

    error = refused.value
    assert error.code == StockErrorCode.INSUFFICIENT_STOCK == "insufficient_stock"
    assert error.field == "quantity"
    assert str(error) == (
        "Only 5 pcs of HB-M6-20 六角螺栓 are in qualified stock; 8 cannot be taken out."
    )
    assert balance(product) == 5
    assert StockMove.objects.count() == moves_before


def test_refusal_message_writes_round_quantities_plainly():
    product = ProductFactory(stock=100)

    with pytest.raises(LiaisonError) as refused:
        move(product, OUT, "100.5")

    assert "Only 100 pcs" in str(refused.value)
    assert "100.5 cannot" in str(refused.value)


def test_taking_anything_out_of_an_empty_product_is_refused():
    product = ProductFactory()

    with pytest.raises(LiaisonError) as refused:
        move(product, OUT, "0.001")

    assert refused.value.code == StockErrorCode.INSUFFICIENT_STOCK
    assert not StockMove.objects.filter(product=product).exists()


@pytest.mark.parametrize("direction", [IN, OUT])
@pytest.mark.parametrize("quantity", ["0", "-1", "-0.001"])
def test_a_quantity_that_is_not_positive_is_refused(direction, quantity):
    product = ProductFactory(stock=5)

    with pytest.raises(LiaisonError) as refused:
        move(product, direction, quantity)

    assert refused.value.code == StockErrorCode.QUANTITY_NOT_POSITIVE
    assert refused.value.field == "quantity"
    assert balance(product) == 5
    assert StockMove.objects.filter(product=product).count() == 1


def test_an_inactive_product_cannot_be_moved():
    product = ProductFactory(stock=5, code="OLD-1", name="停產品")
    product.active = False
    product_save(product=product, actor=None, reason="Discontinued")

    with pytest.raises(LiaisonError) as refused:
        move(product, IN, 1)

    assert refused.value.code == StockErrorCode.PRODUCT_INACTIVE
    assert "OLD-1 停產品" in str(refused.value)
    assert balance(product) == 5


def test_an_unknown_direction_is_refused_before_anything_is_written():
    product = ProductFactory(stock=5)

    with pytest.raises(ValidationError):
        move(product, "sideways", 1, MoveReason.OTHER)

    assert balance(product) == 5
    assert StockMove.objects.filter(product=product).count() == 1


def test_a_product_without_a_stock_row_gets_one_on_its_first_move():
    product = Product.objects.create(code="RAW-1", name="直接建立")

    move(product, IN, 3)

    assert balance(product) == 3


def test_every_move_has_a_history_row_with_its_reason_and_user(user_with_role):
    clerk = user_with_role(Role.WAREHOUSE_CLERK)
    product = ProductFactory()

    received = move(product, IN, 10, actor=clerk)
    shipped = move(product, OUT, 3, MoveReason.REPLENISHMENT, actor=clerk)

    assert received.history.get().history_change_reason == "Stock in: production"
    record = shipped.history.get()
    assert record.history_change_reason == "Stock out: replenishment"
    assert record.history_user == clerk
    assert record.history_type == "+"


# --- the balance is the sum of the ledger ------------------------------------------------

quantities = st.one_of(
    st.integers(min_value=1, max_value=10).map(Decimal),
    st.decimals(min_value=Decimal("0.001"), max_value=Decimal(10), places=3),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(st.tuples(st.sampled_from([IN, OUT]), quantities), max_size=25))
def test_balance_always_equals_the_sum_of_the_ledger(steps):
    product = ProductFactory()  # a fresh product per example: examples share one transaction
    expected = Decimal(0)
    accepted_in = accepted_out = Decimal(0)

    for direction, quantity in steps:
        moves_before = StockMove.objects.filter(product=product).count()
        try:
            move(product, direction, quantity)
        except LiaisonError as error:
            assert direction == OUT and quantity > expected
            assert error.code == StockErrorCode.INSUFFICIENT_STOCK
            assert balance(product) == expected
            assert StockMove.objects.filter(product=product).count() == moves_before
            continue
        if direction == IN:
            accepted_in += quantity
            expected += quantity
        else:
            assert quantity <= expected
            accepted_out += quantity
            expected -= quantity
        assert balance(product) == expected >= 0

    assert balance(product) == accepted_in - accepted_out
    ledger = StockMove.objects.filter(product=product)
    sums = {
        row["direction"]: row["total"]
        for row in ledger.values("direction").annotate(total=Sum("quantity"))
    }
    assert sums.get(IN, 0) - sums.get(OUT, 0) == balance(product)
    running = Decimal(0)
    for line in ledger.order_by("pk"):
        running += line.quantity if line.direction == IN else -line.quantity
        assert line.balance_after == running >= 0


# --- selectors -----------------------------------------------------------------------------


@pytest.mark.parametrize("how_many", [1, 3, 40])
def test_stock_for_products_takes_one_query_for_any_number_of_products(
    django_assert_num_queries, how_many
):
    products = [ProductFactory(stock=n + 1) for n in range(how_many)]
    ids = (product.pk for product in products)  # a generator is fine too

    with django_assert_num_queries(1):
        stock = selectors.stock_for_products(product_ids=ids)

    assert stock == {product.pk: Decimal(n + 1) for n, product in enumerate(products)}


def test_stock_for_products_gives_zero_for_a_product_without_stock_row():
    product = Product.objects.create(code="RAW-2", name="無庫存列")

    assert selectors.stock_for_products(product_ids=[product.pk]) == {product.pk: Decimal(0)}


def test_stock_moves_of_lists_one_products_moves_newest_first(django_assert_num_queries):
    product = ProductFactory(stock=5)
    move(product, OUT, 2)
    ProductFactory(stock=7)

    with django_assert_num_queries(1):
        moves = [
            (line.direction, line.balance_after, line.product.code)
            for line in selectors.stock_moves_of(product=product)
        ]

    assert moves == [(OUT, 3, product.code), (IN, 5, product.code)]
