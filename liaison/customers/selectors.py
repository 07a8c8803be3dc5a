"""Reads of the customers app."""

from django.db.models import Prefetch, Q, QuerySet

from liaison.core.text import search_terms
from liaison.customers.models import Contact, Customer, TimelineEntry
from liaison.customers.states import CustomerStatus


def customer_search(*, queryset: QuerySet | None = None, query: str = "") -> QuerySet:
    """Customers whose names match every term, in either Chinese script or in pinyin.

    ``search_text`` holds the Simplified form, the pinyin and its initials of the
    registered and short names, so 客户, 客戶, "kehu" and "kh" all find 客戶.
    """
    queryset = Customer.objects.all() if queryset is None else queryset
    for term in search_terms(query):
        queryset = queryset.filter(Q(search_text__contains=term) | Q(phone__contains=term))
    return queryset


def customer_list(*, query: str = "", status: str | None = None) -> QuerySet:
    """Customers for a list: searched, optionally of one status, with their contacts."""
    queryset = customer_search(query=query)
    if status:
        queryset = queryset.filter(status=status)
    return queryset.prefetch_related("contacts").order_by("registered_name")


def customer_choices() -> QuerySet[Customer]:
    """Every customer, by name: what an order or a complaint can be registered for."""
    return Customer.objects.order_by("registered_name")


def customer_get(*, pk: int) -> Customer:
    """One customer with its active contacts in ``active_contacts`` (raises DoesNotExist)."""
    active = Prefetch("contacts", queryset=Contact.objects.filter(active=True), to_attr="active_contacts")
    return Customer.objects.select_related("created_by", "updated_by").prefetch_related(active).get(pk=pk)


def contact_list(*, customer_id: int | None = None) -> QuerySet:
    """Contacts, a customer's primary one first, optionally of one customer."""
    queryset = Contact.objects.all()
    if customer_id is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return queryset.order_by("customer_id", "-is_primary", "name", "pk")


def timeline_for(
    *, customer: Customer, event: str | None = None, limit: int = 200
) -> list[TimelineEntry]:
    """The customer's timeline, newest first, optionally only one kind of event.

    The record each line is about is prefetched (one query per kind of record), so a
    template can link to it without a query per line.
    """
    entries = TimelineEntry.objects.filter(customer=customer).select_related("actor", "about_type")
    if event:
        entries = entries.filter(event=event)
    return list(entries.order_by("-occurred_at", "-pk").prefetch_related("about")[:limit])


def timeline_recent(*, limit: int = 10) -> list[TimelineEntry]:
    return list(
        TimelineEntry.objects.select_related("customer", "actor").order_by("-occurred_at", "-pk")[:limit]
    )


def customers_active_count() -> int:
    """How many customers are active (the dashboard's figure)."""
    return Customer.objects.filter(status=CustomerStatus.ACTIVE).count()
