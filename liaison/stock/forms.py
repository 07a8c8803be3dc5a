"""Forms of the stock app."""

from django import forms

from liaison.core.errors import LiaisonError
from liaison.core.forms import add_service_error
from liaison.stock import services
from liaison.stock.models import Product, StockMove
from liaison.stock.states import MANUAL_MOVE_REASONS


class StockMoveRecordForm(forms.ModelForm):
    """A clerk's stock move, recorded by ``stock_move_by_hand`` while the form validates.

    Only the service, holding the lock on the stock row, can tell whether the stock
    suffices; calling it here lets its refusal show on the form like any other error.
    The admin view runs in one transaction, and a refused move rolls back its own
    savepoint, so nothing is kept. ``actor`` is set by the admin.
    """

    actor = None

    class Meta:
        model = StockMove
        fields = ["product", "direction", "quantity", "reason", "document_ref", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "product" in self.fields:
            self.fields["product"].queryset = Product.objects.filter(active=True)
        if "reason" in self.fields:
            # Shipments, replenishments and good returns come from their own documents.
            self.fields["reason"].choices = [("", "---------")] + [
                (reason.value, reason.label) for reason in MANUAL_MOVE_REASONS
            ]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            self.instance = services.stock_move_by_hand(
                **{name: cleaned[name] for name in self._meta.fields}, actor=self.actor
            )
        except LiaisonError as refusal:
            add_service_error(self, refusal)
        return cleaned
