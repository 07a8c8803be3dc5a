"""Factories of the stock app; they go through the services, so balances stay true."""

from decimal import Decimal

import factory

from liaison.stock import services
from liaison.stock.models import Product, StockMove
from liaison.stock.states import MoveDirection, MoveReason


class ProductFactory(factory.django.DjangoModelFactory):
    """A product with its stock row; ``ProductFactory(stock=5)`` also books an opening balance."""

    class Meta:
        model = Product
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"HB-M{n:03d}")
    name = factory.Sequence(lambda n: f"六角螺栓 {n}")
    specification = "M6×20 8.8級 鍍鋅"
    unit = "pcs"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.product_save(product=model_class(*args, **kwargs), actor=None)

    @factory.post_generation
    def stock(self, create, extracted, **kwargs):
        if create and extracted:
            services.stock_move_record(
                product=self,
                direction=MoveDirection.IN,
                quantity=Decimal(extracted),
                reason=MoveReason.OPENING,
                actor=None,
                document_ref="OPENING",
            )


class StockMoveFactory(factory.django.DjangoModelFactory):
    """A move recorded through ``stock_move_record`` (goods in, from production, by default)."""

    class Meta:
        model = StockMove

    product = factory.SubFactory(ProductFactory)
    direction = MoveDirection.IN
    quantity = Decimal(10)
    reason = MoveReason.PRODUCTION
    document_ref = factory.Sequence(lambda n: f"F4-2026-{n:04d}")
    actor = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.stock_move_record(**kwargs)
