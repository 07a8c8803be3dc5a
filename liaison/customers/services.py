"""Writes of the customers app: the F9 sheet, contacts and timeline entries."""

from django.db import transaction
from django.db.models import Model

from liaison.core import clock
from liaison.core.models import User
from liaison.core.text import search_key
from liaison.customers.models import Contact, Customer, TimelineEntry
from liaison.customers.states import TimelineEvent


def timeline_record(
    *,
    customer: Customer,
    event: TimelineEvent | str,
    actor: User | None,
    summary: str = "",
    about: Model | None = None,
    occurred_at=None,
) -> TimelineEntry:
    """Add a line to the customer's timeline; call it inside the step's transaction."""
    entry = TimelineEntry(
        customer=customer,
        event=event,
        actor=actor,
        summary=summary[:500],
        occurred_at=occurred_at or clock.now(),
    )
    if about is not None:
        entry.about = about
    entry.save()
    return entry


@transaction.atomic
def customer_save(*, customer: Customer, actor: User | None, reason: str = "") -> Customer:
    """Create or update a customer's master data sheet (F9), with history and timeline."""
    creating = customer._state.adding
    customer.search_text = search_key(customer.registered_name, customer.short_name)
    if creating:
        customer.created_by = actor
    customer.updated_by = actor
    customer.full_clean()
    customer._change_reason = reason or ("Registered" if creating else "Master data changed")
    customer.save()
    timeline_record(
        customer=customer,
        event=TimelineEvent.CUSTOMER_REGISTERED if creating else TimelineEvent.CUSTOMER_UPDATED,
        actor=actor,
        summary=reason,
        about=customer,
    )
    return customer


@transaction.atomic
def contact_save(*, contact: Contact, actor: User | None, reason: str = "") -> Contact:
    """Create or update a contact of a customer; one primary contact per customer."""
    creating = contact._state.adding
    if creating:
        contact.created_by = actor
    contact.updated_by = actor
    contact.full_clean()
    contact._change_reason = reason or ("Added" if creating else "Changed")
    contact.save()
    if contact.is_primary:
        for other in contact.customer.contacts.filter(is_primary=True).exclude(pk=contact.pk):
            other.is_primary = False
            other.updated_by = actor
            other._change_reason = "Another contact became primary"
            other.save(update_fields=["is_primary", "updated_by"])
    if creating:
        timeline_record(
            customer=contact.customer,
            event=TimelineEvent.CONTACT_ADDED,
            actor=actor,
            summary=contact.name,
            about=contact,
        )
    return contact
