"""Choices of the stock app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MoveDirection(models.TextChoices):
    IN = "in", _("In")
    OUT = "out", _("Out")


class MoveReason(models.TextChoices):
    OPENING = "opening", _("Opening balance")
    PRODUCTION = "production", _("Finished goods from production")
    RETURN_GOOD = "return_good", _("Returned goods passed inspection")
    SHIPMENT = "shipment", _("Shipment to customer")
    REPLENISHMENT = "replenishment", _("Replacement shipment (補貨)")
    COUNT_CORRECTION = "count_correction", _("Stock count correction")
    OTHER = "other", _("Other")


# Reasons a clerk may record by hand; shipments, replenishments and returns that passed
# inspection are written only by the outbound slip and the return inspection.
MANUAL_MOVE_REASONS = (
    MoveReason.OPENING,
    MoveReason.PRODUCTION,
    MoveReason.COUNT_CORRECTION,
    MoveReason.OTHER,
)
