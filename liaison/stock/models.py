"""Products, qualified finished-goods stock and its ledger of stock moves."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import AuditedModel
from liaison.stock.states import MoveDirection, MoveReason

QUANTITY = {"max_digits": 14, "decimal_places": 3}


def format_quantity(value: Decimal) -> str:
    """Write a quantity without trailing zeros or exponent: 120.000 → "120", 2.500 → "2.5"."""
    return f"{Decimal(value).normalize():f}"


class Product(AuditedModel):
    """A finished product the company sells."""

    code = models.CharField(_("product code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    specification = models.CharField(_("specification"), max_length=300, blank=True)
    unit = models.CharField(_("unit"), max_length=20, default="pcs")
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["code"]
        permissions = [("export_product", _("Can export products to Excel"))]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class QualifiedStock(models.Model):
    """Qualified finished-goods quantity of one product: the running sum of its moves.

    Kept as a row so that writers can lock it (``select_for_update``) and the
    database can refuse a negative quantity even if two clerks ship at once.
    """

    product = models.OneToOneField(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="qualified_stock"
    )
    quantity = models.DecimalField(_("qualified quantity"), default=Decimal(0), **QUANTITY)

    class Meta:
        verbose_name = _("qualified stock")
        verbose_name_plural = _("qualified stock")
        ordering = ["product__code"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="stock_quantity_never_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product}: {self.quantity_with_unit}"

    @property
    def quantity_with_unit(self) -> str:
        return f"{format_quantity(self.quantity)} {self.product.unit}"


class StockMove(AuditedModel):
    """One line of the stock ledger: goods in or out, why, and for which document."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="moves"
    )
    direction = models.CharField(_("direction"), max_length=3, choices=MoveDirection.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    reason = models.CharField(_("reason"), max_length=30, choices=MoveReason.choices)
    document_ref = models.CharField(_("document reference"), max_length=60, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    balance_after = models.DecimalField(_("balance after"), editable=False, **QUANTITY)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_move_quantity_positive"),
            models.CheckConstraint(condition=Q(balance_after__gte=0), name="stock_move_balance_never_negative"),
        ]
        indexes = [models.Index(fields=["product", "-created_at"])]

    def __str__(self) -> str:
        sign = "+" if self.direction == MoveDirection.IN else "−"
        return f"{self.product.code} {sign}{format_quantity(self.quantity)} ({self.get_reason_display()})"
