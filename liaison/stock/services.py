"""Writes of the stock app: every change of qualified stock is a stock move."""

from decimal import Decimal

from django.db import transaction

from liaison.core.errors import LiaisonError
from liaison.core.models import User
from liaison.stock.errors import MESSAGES, StockErrorCode
from liaison.stock.models import Product, QualifiedStock, StockMove, format_quantity
from liaison.stock.states import MoveDirection, MoveReason


def _sign_history(record, actor: User | None) -> None:
    # The history middleware only sees session users; API token users come through here.
    if actor is not None:
        record._history_user = actor


@transaction.atomic
def product_save(*, product: Product, actor: User | None, reason: str = "") -> Product:
    """Create or update a product; a new product starts with an empty stock row."""
    creating = product._state.adding
    if creating:
        product.created_by = actor
    product.updated_by = actor
    product.full_clean()
    product._change_reason = reason or ("Registered" if creating else "Changed")
    _sign_history(product, actor)
    product.save()
    if creating:
        QualifiedStock.objects.create(product=product)
    return product


def _refuse(code: StockErrorCode, *, field: str, **params) -> LiaisonError:
    return LiaisonError(code, MESSAGES[code], field=field, **params)


@transaction.atomic
def stock_move_record(
    *,
    product: Product,
    direction: MoveDirection,
    quantity: Decimal,
    reason: MoveReason,
    actor: User | None,
    document_ref: str = "",
    note: str = "",
) -> StockMove:
    """Move qualified stock in or out; refuse to take out more than there is.

    Locks the product's stock row, so two clerks shipping the last pieces at once
    are served one after the other and the second is refused. Everything is
    checked before the first write, so a refused move leaves no trace.
    """
    quantity = Decimal(str(quantity))
    if quantity <= 0:
        raise _refuse(StockErrorCode.QUANTITY_NOT_POSITIVE, field="quantity")
    if not product.active:
        raise _refuse(StockErrorCode.PRODUCT_INACTIVE, field="product", product=str(product))
    # A product saved without product_save (a data migration, a bulk load) has no row yet.
    stock, _created = QualifiedStock.objects.select_for_update().get_or_create(product=product)
    if direction == MoveDirection.OUT:
        balance = stock.quantity - quantity
        if balance < 0:
            raise _refuse(
                StockErrorCode.INSUFFICIENT_STOCK,
                field="quantity",
                available=format_quantity(stock.quantity),
                unit=product.unit,
                product=str(product),
                requested=format_quantity(quantity),
            )
    else:
        balance = stock.quantity + quantity
    move = StockMove(
        product=product,
        direction=direction,
        quantity=quantity,
        reason=reason,
        document_ref=document_ref,
        note=note,
        balance_after=balance,
        created_by=actor,
        updated_by=actor,
    )
    move.full_clean()  # an unknown direction or reason stops here, before any write
    move._change_reason = f"Stock {direction}: {reason}"
    _sign_history(move, actor)
    stock.quantity = balance
    stock.save(update_fields=["quantity"])
    move.save()
    return move
