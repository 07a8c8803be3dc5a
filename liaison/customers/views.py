"""Workflow pages of the customers app: the customer page with its timeline."""

from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import render

from liaison.core.pages import page_context
from liaison.customers import selectors
from liaison.customers.models import Customer
from liaison.customers.states import TimelineEvent


@login_required
@permission_required("customers.view_customer", raise_exception=True)
def customer_detail(request, pk: int):
    """One customer's F9 sheet, contacts and timeline (newest first, filterable by event)."""
    try:
        customer = selectors.customer_get(pk=pk)
    except Customer.DoesNotExist:
        raise Http404 from None
    event = request.GET.get("event") or None
    if event not in TimelineEvent.values:
        event = None
    can_view_timeline = request.user.has_perm("customers.view_timelineentry")
    context = page_context(
        request,
        title=customer.registered_name,
        opts=Customer._meta,
        object=customer,
        customer=customer,
        contacts=customer.active_contacts,
        timeline=selectors.timeline_for(customer=customer, event=event) if can_view_timeline else [],
        events=TimelineEvent.choices,
        event=event,
        can_change=request.user.has_perm("customers.change_customer"),
        can_view_timeline=can_view_timeline,
    )
    return render(request, "customers/customer_detail.html", context)
