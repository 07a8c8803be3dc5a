"""Writes of the customers app: the F9 sheet, contacts, Excel imports and timeline entries."""

from dataclasses import dataclass

import tablib
from django.db import transaction
from django.db.models import Model

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.models import User
from liaison.core.text import search_key
from liaison.customers.errors import MESSAGES, CustomerErrorCode, CustomersImportError
from liaison.customers.models import Contact, Customer, TimelineEntry
from liaison.customers.states import TimelineEvent

# The F9 fields a person edits; a save that changes none of them writes nothing.
CUSTOMER_FIELDS = [
    "registered_name", "short_name", "address", "phone", "fax", "email",
    "business_scope", "company_profile", "status",
]
CONTACT_FIELDS = ["name", "position", "phone", "mobile", "fax", "email", "is_primary", "active", "notes"]


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
    entry.full_clean(exclude=["customer", "actor", "about_type"])
    entry.save()
    return entry


def _changed_fields(obj: Model, names: list[str]) -> list[str]:
    """Names of the fields whose value differs from the stored row, which is locked."""
    stored = type(obj).objects.select_for_update().get(pk=obj.pk)
    return [name for name in names if getattr(stored, name) != getattr(obj, name)]


def _verbose_names(model: type[Model], names: list[str]) -> str:
    return ", ".join(str(model._meta.get_field(name).verbose_name) for name in names)


@transaction.atomic
def customer_save(*, customer: Customer, actor: User | None, reason: str = "") -> Customer:
    """Create or update a customer's master data sheet (F9), with history and timeline.

    An update that changes no field writes nothing: no history row, no timeline line.
    """
    creating = customer._state.adding
    changed = [] if creating else _changed_fields(customer, CUSTOMER_FIELDS)
    if not creating and not changed:
        return customer
    customer.search_text = search_key(customer.registered_name, customer.short_name)
    if creating:
        customer.created_by = actor
    customer.updated_by = actor
    customer.full_clean()
    customer._change_reason = reason or ("Registered" if creating else "Master data changed")
    customer._history_user = actor  # also outside a request: imports, commands, tasks
    if creating:
        customer.save()
        summary = reason
    else:
        customer.save(update_fields=[*changed, "search_text", "updated_by"])
        fields = _verbose_names(Customer, changed)
        summary = f"{reason}: {fields}" if reason else fields
    timeline_record(
        customer=customer,
        event=TimelineEvent.CUSTOMER_REGISTERED if creating else TimelineEvent.CUSTOMER_UPDATED,
        actor=actor,
        summary=summary,
        about=customer,
    )
    return customer


@transaction.atomic
def contact_save(*, contact: Contact, actor: User | None, reason: str = "") -> Contact:
    """Create or update a contact of a customer; one primary contact per customer."""
    creating = contact._state.adding
    changed = [] if creating else _changed_fields(contact, CONTACT_FIELDS)
    if not creating and not changed:
        return contact
    if creating:
        contact.created_by = actor
    contact.updated_by = actor
    contact.full_clean()
    contact._change_reason = reason or ("Added" if creating else "Changed")
    contact._history_user = actor
    contact.save()
    if contact.is_primary:
        others = (
            contact.customer.contacts.select_for_update()
            .filter(is_primary=True)
            .exclude(pk=contact.pk)
        )
        for other in others:
            other.is_primary = False
            other.updated_by = actor
            other._change_reason = "Another contact became primary"
            other._history_user = actor
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


@dataclass(frozen=True)
class ImportReport:
    """What an import did: customers created, updated and left as they were."""

    created: int
    updated: int
    unchanged: int
    result: object  # the import-export Result, for the back office's log and messages


def customers_import(*, file, file_format: str = "xlsx", actor: User | None) -> ImportReport:
    """Import customers and their primary contacts from a spreadsheet: every row or none.

    ``file`` is an uploaded file, an open binary file, a path or bytes. Rows are matched
    by registered name (updated) or created. A bad file raises ``CustomersImportError``
    listing each problem by spreadsheet row (header = row 1) and column.
    """
    from liaison.customers.resources import dataset_read

    dataset = dataset_read(file=file, file_format=file_format)
    return customers_import_dataset(dataset=dataset, actor=actor)


@transaction.atomic(durable=True)
def customers_import_dataset(*, dataset: tablib.Dataset, actor: User | None) -> ImportReport:
    """Import rows already read from a file; see ``customers_import``."""
    from liaison.customers.resources import CustomerResource

    if not len(dataset):
        code = CustomerErrorCode.IMPORT_FILE_EMPTY
        raise LiaisonError(code, MESSAGES[code], field="file")
    resource = CustomerResource()
    result = resource.import_data(
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=True,  # the back office logs each imported customer
        user=actor,
    )
    problems = resource.problems(result)
    if problems:
        # Raising rolls back every row already saved: the file is imported whole or not at all.
        raise CustomersImportError(problems)
    return ImportReport(**resource.totals(result), result=result)
