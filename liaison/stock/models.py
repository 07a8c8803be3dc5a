"""Products, qualified finished-goods stock and its ledger of stock moves."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from liaison.core.models import AuditedModel
from liaison.core.quantities import format_quantity
from liaison.stock.states import MoveDirection, MoveReason

QUANTITY = {"max_digits": 14, "decimal_places": 3}


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


class OutboundSlip(AuditedModel):
    """A warehouse outbound slip, F8 (出倉單): goods leaving qualified stock for a customer.

    Each line's stock move is written in the same transaction as the slip, so stock
    and slip never disagree. Marked 補貨 when it ships a replacement (R-5.5.2.3).
    """

    number = models.CharField(_("slip number"), max_length=20, unique=True, editable=False)
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="outbound_slips"
    )
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="outbound_slips",
    )
    replenishment = models.BooleanField(_("replenishment (補貨)"), default=False)
    shipped_at = models.DateTimeField(_("shipped at"), editable=False)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("outbound slip (F8)")
        verbose_name_plural = _("outbound slips (F8)")
        ordering = ["-shipped_at", "-pk"]
        permissions = [("export_outboundslip", _("Can export outbound slips to Excel"))]

    def __str__(self) -> str:
        return self.number


class OutboundSlipLine(AuditedModel):
    """One product shipped on an outbound slip, with the stock move that took it out."""

    slip = models.ForeignKey(OutboundSlip, verbose_name=_("slip"), on_delete=models.PROTECT, related_name="lines")
    order_line = models.ForeignKey(
        "orders.OrderLine", verbose_name=_("order line"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="slip_lines",
    )
    product = models.ForeignKey(Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    stock_move = models.OneToOneField(
        StockMove, verbose_name=_("stock move"), on_delete=models.PROTECT, editable=False, related_name="slip_line"
    )

    class Meta:
        verbose_name = _("outbound slip line")
        verbose_name_plural = _("outbound slip lines")
        ordering = ["slip", "pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_slip_line_quantity_positive")]

    def __str__(self) -> str:
        return f"{self.product.code} × {self.quantity}"
