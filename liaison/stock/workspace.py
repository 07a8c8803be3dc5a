"""What the stock app puts in the workspace: its sidebar entries and its dashboard figures."""

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.workspace import DashboardCard, dashboard_cards, sidebar_entry, sidebar_group
from liaison.stock import selectors


@dashboard_cards(order=20)
def stock_cards(user) -> list[DashboardCard]:
    """Active products and how many of them are out of stock."""
    if not user.has_perm("stock.view_qualifiedstock"):
        return []
    figures = selectors.stock_figures()
    return [
        DashboardCard(title=_("Active products"), value=figures["active"], link="admin:stock_product_changelist"),
        DashboardCard(
            title=_("Products out of stock"), value=figures["empty"], link="admin:stock_qualifiedstock_changelist"
        ),
    ]


sidebar_group("stock", gettext_lazy("Stock"), order=80)
sidebar_entry(
    "stock", gettext_lazy("Products"), icon="inventory_2", link=reverse_lazy("admin:stock_product_changelist"),
    order=10, permission="stock.view_product",
)
sidebar_entry(
    "stock", gettext_lazy("Qualified stock"), icon="warehouse",
    link=reverse_lazy("admin:stock_qualifiedstock_changelist"), order=20, permission="stock.view_qualifiedstock",
)
sidebar_entry(
    "stock", gettext_lazy("Stock moves"), icon="swap_vert", link=reverse_lazy("admin:stock_stockmove_changelist"),
    order=30, permission="stock.view_stockmove",
)
sidebar_entry(
    "stock", gettext_lazy("Outbound slips (F8)"), icon="local_shipping",
    link=reverse_lazy("admin:stock_outboundslip_changelist"), order=40, permission="stock.view_outboundslip",
)
