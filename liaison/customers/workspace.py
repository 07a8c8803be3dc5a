"""What the customers app puts in the workspace: its sidebar entries and its dashboard figure."""

from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from liaison.core.workspace import DashboardCard, dashboard_cards, sidebar_entry, sidebar_group
from liaison.customers import selectors

CUSTOMERS = "admin:customers_customer_changelist"


@dashboard_cards(order=10)
def customer_cards(user) -> list[DashboardCard]:
    if not user.has_perm("customers.view_customer"):
        return []
    return [DashboardCard(title=_("Active customers"), value=selectors.customers_active_count(), link=CUSTOMERS)]


sidebar_group("customers", gettext_lazy("Customers"), order=60)
sidebar_entry(
    "customers", gettext_lazy("Customer master data (F9)"), icon="apartment", link=reverse_lazy(CUSTOMERS), order=10,
    permission="customers.view_customer",
)
sidebar_entry(
    "customers", gettext_lazy("Contacts"), icon="contacts", link=reverse_lazy("admin:customers_contact_changelist"),
    order=20, permission="customers.view_contact",
)
