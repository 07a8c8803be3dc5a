"""Workflow pages of the customers app: the customer page with its timeline."""

from django.contrib import admin
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, render

from liaison.customers import selectors
from liaison.customers.models import Customer
from liaison.customers.states import TimelineEvent


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, pk: int):
    """One customer's F9 sheet, contacts and timeline (newest first, filterable)."""
    customer = get_object_or_404(Customer.objects.prefetch_related("contacts"), pk=pk)
    event = request.GET.get("event") or None
    if event not in TimelineEvent.values:
        event = None
    context = {
        **admin.site.each_context(request),
        "title": customer.registered_name,
        "customer": customer,
        "contacts": [c for c in customer.contacts.all() if c.active],
        "timeline": selectors.timeline_for(customer=customer, event=event),
        "events": TimelineEvent.choices,
        "event": event,
        "can_change": request.user.has_perm("customers.change_customer"),
    }
    return render(request, "customers/customer_detail.html", context)
