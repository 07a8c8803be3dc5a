"""Form fields of the customers app that other apps' pages use."""

from django import forms


class CustomerChoiceField(forms.ModelChoiceField):
    """A customer, shown by its registered name and, when it differs, its short name."""

    def label_from_instance(self, customer) -> str:
        if customer.short_name and customer.short_name != customer.registered_name:
            return f"{customer.registered_name}（{customer.short_name}）"
        return customer.registered_name
