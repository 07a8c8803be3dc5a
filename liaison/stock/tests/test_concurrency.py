"""Clerks shipping the last pieces at the same moment, on a real PostgreSQL server."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

from liaison.core.errors import LiaisonError
from liaison.stock.errors import StockErrorCode
from liaison.stock.models import QualifiedStock, StockMove
from liaison.stock.services import stock_move_record
from liaison.stock.states import MoveDirection, MoveReason
from liaison.stock.tests.factories import ProductFactory

OPENING = Decimal(5)
# What each of eight clerks tries to ship; together 15, far more than the 5 in stock.
WANTED = [Decimal(n) for n in (1, 2, 3, 1, 2, 3, 1, 2)]


@pytest.fixture
def slow_stock_writes(monkeypatch):
    """Hold every writer between reading the balance and writing it back.

    Without the row lock every thread would read the same opening balance during
    this pause and the updates would overwrite each other; with it they queue.
    """
    save = QualifiedStock.save

    def slow_save(self, *args, **kwargs):
        time.sleep(0.05)
        return save(self, *args, **kwargs)

    monkeypatch.setattr(QualifiedStock, "save", slow_save)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_r_5_2_3_2_concurrent_shipments_never_take_stock_below_zero(slow_stock_writes):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are only meaningful on PostgreSQL")
    product = ProductFactory(stock=OPENING)
    start = threading.Barrier(len(WANTED))
    outcomes: list[tuple[Decimal, object]] = []  # list.append is thread-safe

    def ship(quantity: Decimal) -> None:
        try:
            start.wait(timeout=10)
            stock_move_record(
                product=product,
                direction=MoveDirection.OUT,
                quantity=quantity,
                reason=MoveReason.SHIPMENT,
                actor=None,
            )
            outcomes.append((quantity, "accepted"))
        except LiaisonError as error:
            outcomes.append((quantity, error.code))
        except Exception as error:  # an IntegrityError would mean the lock did not hold
            outcomes.append((quantity, error))
        finally:
            connection.close()

    threads = [threading.Thread(target=ship, args=(quantity,)) for quantity in WANTED]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == len(WANTED)
    accepted = [quantity for quantity, outcome in outcomes if outcome == "accepted"]
    refused = [
        quantity for quantity, outcome in outcomes if outcome == StockErrorCode.INSUFFICIENT_STOCK
    ]
    assert len(accepted) + len(refused) == len(WANTED), outcomes
    assert accepted and refused
    final = QualifiedStock.objects.get(product=product).quantity
    assert final == OPENING - sum(accepted) >= 0
    shipped = StockMove.objects.filter(product=product, direction=MoveDirection.OUT).order_by("pk")
    assert sorted(line.quantity for line in shipped) == sorted(accepted)
    running = OPENING
    for line in shipped:
        running -= line.quantity
        assert line.balance_after == running
    # Every refusal was right: when it came, what was left could not cover it.
    assert all(quantity > final for quantity in refused)
