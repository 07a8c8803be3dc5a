"""Reads of the customers app."""

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from liaison.core.text import search_terms
from liaison.customers.models import Customer, TimelineEntry
from liaison.customers.states import CustomerStatus


def customer_search(*, queryset: QuerySet | None = None, query: str = "") -> QuerySet:
    """Customers whose names match every term, in either Chinese script or in pinyin."""
    queryset = Customer.objects.all() if queryset is None else queryset
    for term in search_terms(query):
        queryset = queryset.filter(Q(search_text__contains=term) | Q(phone__contains=term))
    return queryset


def customer_list(*, query: str = "", status: str | None = None) -> QuerySet:
    queryset = customer_search(query=query)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("registered_name")


def customer_get(*, pk: int) -> Customer:
    return Customer.objects.prefetch_related("contacts").get(pk=pk)


def timeline_for(*, customer: Customer, event: str | None = None, limit: int = 200) -> list[TimelineEntry]:
    """The customer's timeline, newest first, optionally only one kind of event."""
    entries = TimelineEntry.objects.filter(customer=customer).select_related("actor", "about_type")
    if event:
        entries = entries.filter(event=event)
    return list(entries.order_by("-occurred_at", "-pk")[:limit])


def timeline_recent(*, limit: int = 10) -> list[TimelineEntry]:
    return list(
        TimelineEntry.objects.select_related("customer", "actor").order_by("-occurred_at", "-pk")[:limit]
    )


def customer_figures() -> list[dict]:
    active = Customer.objects.filter(status=CustomerStatus.ACTIVE).count()
    return [{"title": _("Active customers"), "value": active, "link": "admin:customers_customer_changelist"}]
