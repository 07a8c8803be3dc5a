"""Excel export of the order log, F1 (django-import-export); the log is never imported.

Headers are the model's field names in the reader's language; choices are written as
their labels, dates as dates, so the sheet reads like the paper log.
"""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from liaison.core.export import InertFormulaeMixin
from liaison.orders.models import Order
from liaison.orders.states import OrderChannel, OrderStatus


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its label in the reader's language."""

    def __init__(self, choices):
        self.choices = choices
        super().__init__(coerce_to_string=True)

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


class YesBlankWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return str(_("yes")) if value else ""


class OrderResource(InertFormulaeMixin, resources.ModelResource):
    """One row per order, with its required dates and overdue marks (from ``order_list``)."""

    number = fields.Field(attribute="number", column_name=_("order number"))
    customer_po = fields.Field(attribute="customer_po", column_name=_("customer PO number"))
    delivery_terms = fields.Field(attribute="delivery_terms", column_name=_("delivery terms"))
    packaging = fields.Field(attribute="packaging", column_name=_("packaging"))
    post_delivery = fields.Field(attribute="post_delivery", column_name=_("post-delivery requirements"))
    customer = fields.Field(attribute="customer__registered_name", column_name=_("customer"))
    channel = fields.Field(attribute="channel", column_name=_("received by"), widget=ChoiceLabelWidget(OrderChannel))
    status = fields.Field(attribute="status", column_name=_("status"), widget=ChoiceLabelWidget(OrderStatus))
    received_at = fields.Field(
        attribute="received_at", column_name=_("received at"), widget=widgets.DateTimeWidget("%Y-%m-%d %H:%M")
    )
    received_document = fields.Field(attribute="received_document__number", column_name=_("received document"))
    first_required = fields.Field(
        attribute="first_required", column_name=_("first required date"), widget=widgets.DateWidget("%Y-%m-%d")
    )
    last_required = fields.Field(
        attribute="last_required", column_name=_("last required date"), widget=widgets.DateWidget("%Y-%m-%d")
    )
    promised_date = fields.Field(
        attribute="promised_date", column_name=_("promised delivery date"), widget=widgets.DateWidget("%Y-%m-%d")
    )
    is_overdue = fields.Field(attribute="is_overdue", column_name=_("overdue"), widget=YesBlankWidget())
    has_late_notice = fields.Field(attribute="has_late_notice", column_name=_("production late"), widget=YesBlankWidget())

    class Meta:
        model = Order
        fields = [
            "number",
            "customer",
            "customer_po",
            "channel",
            "received_at",
            "received_document",
            "status",
            "first_required",
            "last_required",
            "promised_date",
            "is_overdue",
            "has_late_notice",
            "delivery_terms",
            "packaging",
            "post_delivery",
        ]
        export_order = fields
