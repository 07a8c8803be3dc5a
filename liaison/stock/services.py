"""Writes of the stock app: every change of qualified stock is a stock move."""

from decimal import Decimal

from django.db import transaction

from liaison.core.errors import LiaisonError
from liaison.core.models import User
from liaison.stock.errors import MESSAGES, StockErrorCode
from liaison.stock.models import Product, QualifiedStock, StockMove
from liaison.stock.states import MoveDirection, MoveReason


@transaction.atomic
def product_save(*, product: Product, actor: User | None, reason: str = "") -> Product:
    """Create or update a product; a new product starts with an empty stock row."""
    creating = product._state.adding
    if creating:
        product.created_by = actor
    product.updated_by = actor
    product.full_clean()
    product._change_reason = reason or ("Registered" if creating else "Changed")
    product.save()
    if creating:
        QualifiedStock.objects.create(product=product)
    return product


def _refuse(code: StockErrorCode, **params) -> LiaisonError:
    return LiaisonError(code, MESSAGES[code], field="quantity", **params)


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
    are served one after the other and the second is refused.
    """
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise _refuse(StockErrorCode.QUANTITY_NOT_POSITIVE)
    stock = QualifiedStock.objects.select_for_update().get(product=product)
    if direction == MoveDirection.OUT:
        if quantity > stock.quantity:
            raise _refuse(
                StockErrorCode.INSUFFICIENT_STOCK,
                available=stock.quantity.normalize(),
                unit=product.unit,
                product=product,
                requested=quantity.normalize(),
            )
        stock.quantity -= quantity
    else:
        stock.quantity += quantity
    stock.save(update_fields=["quantity"])
    move = StockMove(
        product=product,
        direction=direction,
        quantity=quantity,
        reason=reason,
        document_ref=document_ref,
        note=note,
        balance_after=stock.quantity,
        created_by=actor,
        updated_by=actor,
    )
    move._change_reason = str(MoveReason(reason).label)
    move.full_clean()
    move.save()
    return move
