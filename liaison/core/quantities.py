"""Quantities of goods: read from what a caller sent, written without trailing zeros."""

from decimal import Decimal, InvalidOperation


def quantity_or_none(value) -> Decimal | None:
    """``value`` as a finite decimal (``"60"``, ``60``, ``Decimal("60.5")``), or None when it is not one."""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def positive_quantity(value) -> Decimal | None:
    """``value`` as a quantity of goods (more than zero), or None when it is not one: the caller refuses."""
    quantity = quantity_or_none(value)
    return quantity if quantity is not None and quantity > 0 else None


def format_quantity(value: Decimal) -> str:
    """Write a quantity without trailing zeros or exponent: 120.000 → "120", 2.500 → "2.5"."""
    return f"{Decimal(value).normalize():f}"
