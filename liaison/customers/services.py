"""Writes of the customers app: the F9 sheet, contacts, Excel imports and timeline entries.

``timeline_record`` is the building block every step writes its timeline line with; the
sheet's and contacts' saves run inside the back office's transaction (plain). A whole import
is one durable transaction: every row or none.
"""

from dataclasses import dataclass
from pathlib import Path

import tablib
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.models import User
from liaison.core.services import sign_history
from liaison.core.text import search_key
from liaison.customers.errors import MESSAGES, CustomerErrorCode, CustomersImportError
from liaison.customers.models import Contact, Customer, CustomerImport, TimelineEntry
from liaison.customers.resources import IMPORT_REASON, ImportPlanner, dataset_read
from liaison.customers.states import ImportStatus, TimelineEvent

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
    # Signed also outside a request: imports, commands, tasks.
    sign_history(customer, actor=actor, reason=reason or ("Registered" if creating else "Master data changed"))
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
    sign_history(contact, actor=actor, reason=reason or ("Added" if creating else "Changed"))
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
            sign_history(other, actor=actor, reason="Another contact became primary")
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


# Rows per INSERT/UPDATE statement of the bulk import.
IMPORT_BATCH = 1000


def customers_import(*, file, file_format: str = "xlsx", actor: User | None, progress=None) -> ImportReport:
    """Import customers and their primary contacts from a spreadsheet: every row or none.

    ``file`` is an uploaded file, an open binary file, a path or bytes. Rows are matched
    by registered name (updated) or created. A bad file raises ``CustomersImportError``
    listing each problem by spreadsheet row (header = row 1) and column. ``progress``,
    if given, is called as ``progress(done, total)`` while the import runs (see
    ``customers_import_dataset``).
    """
    dataset = dataset_read(file=file, file_format=file_format)
    return customers_import_dataset(dataset=dataset, actor=actor, progress=progress)


@transaction.atomic(durable=True)
def customers_import_dataset(*, dataset: tablib.Dataset, actor: User | None, progress=None) -> ImportReport:
    """Import rows already read from a file; see ``customers_import``.

    Every row is checked first (nothing is written if one is wrong); then customers,
    primary contacts, their history rows and timeline lines are written in batches, with
    what ``customer_save`` and ``contact_save`` write for each. ``progress(done, total)``
    counts in rows: checking the rows fills the first half, writing them the second.
    """
    if not len(dataset):
        code = CustomerErrorCode.IMPORT_FILE_EMPTY
        raise LiaisonError(code, MESSAGES[code], field="file")
    total = len(dataset)

    def checked(done, _total):
        if progress is not None:
            progress(done // 2, total)

    def written(fraction):
        if progress is not None:
            progress(total // 2 + int((total - total // 2) * fraction), total)

    checked(0, total)
    plan = ImportPlanner(actor=actor, reason=IMPORT_REASON).plan(dataset, progress=checked)
    checked(total, total)
    report = _import_write(plan=plan, actor=actor, reason=IMPORT_REASON, written=written)
    written(1)
    return report


def _import_write(*, plan, actor: User | None, reason: str, written) -> ImportReport:
    """Write a checked import plan in batches: the rows' creates and updates, history, timeline."""
    now = clock.now()
    created, updated, unchanged = 0, 0, plan.blank
    new_customers, changed_customers, changed_fields = {}, {}, set()
    customer_history_new, customer_history_changed = [], []
    new_contacts, changed_contacts = {}, {}
    contact_history_new, contact_history_changed = [], []
    timeline = []  # (customer, event, summary, about)
    customer_of = {}  # id of a history snapshot → the customer it was taken of
    for row in plan.rows:
        customer = row.customer
        if row.customer_snapshot is not None:
            customer_of[id(row.customer_snapshot)] = customer
        if row.customer_step == "create":
            created += 1
            new_customers[id(customer)] = customer
            customer_history_new.append(row.customer_snapshot)
            timeline.append((customer, TimelineEvent.CUSTOMER_REGISTERED, reason, customer))
        elif row.customer_step == "update":
            updated += 1
            if id(customer) not in new_customers:
                changed_customers[id(customer)] = customer
                changed_fields.update(row.changed)
            customer_history_changed.append(row.customer_snapshot)
            fields = _verbose_names(Customer, row.changed)
            timeline.append((customer, TimelineEvent.CUSTOMER_UPDATED, f"{reason}: {fields}", customer))
        elif row.contact_step:
            updated += 1  # only the contact changed: the row-by-row import counted it an update
        else:
            unchanged += 1
        if row.contact_step == "create":
            new_contacts[id(row.contact)] = row.contact
            contact_history_new.append(row.contact_snapshot)
            timeline.append((customer, TimelineEvent.CONTACT_ADDED, row.contact.name, row.contact))
        elif row.contact_step == "update":
            if id(row.contact) not in new_contacts:
                changed_contacts[id(row.contact)] = row.contact
            contact_history_changed.append(row.contact_snapshot)
        for other, snapshot in row.demoted:
            if id(other) not in new_contacts:
                changed_contacts[id(other)] = other
            snapshot._change_reason = "Another contact became primary"
            contact_history_changed.append(snapshot)
    steps = 6
    Customer.objects.bulk_create(new_customers.values(), batch_size=IMPORT_BATCH)
    written(1 / steps)
    if changed_customers:
        Customer.objects.bulk_update(
            changed_customers.values(),
            [*sorted(changed_fields), "search_text", "updated_by", "updated_at"],
            batch_size=IMPORT_BATCH,
        )
    written(2 / steps)
    for contact in [*new_contacts.values(), *changed_contacts.values()]:
        contact.customer_id = contact.customer.pk
    Contact.objects.bulk_create(new_contacts.values(), batch_size=IMPORT_BATCH)
    if changed_contacts:
        Contact.objects.bulk_update(
            changed_contacts.values(), [*CONTACT_FIELDS, "updated_by", "updated_at"], batch_size=IMPORT_BATCH
        )
    written(3 / steps)
    for snapshot in [*customer_history_new, *customer_history_changed]:
        snapshot.pk = snapshot.id = customer_of[id(snapshot)].pk
    for history, update in [(customer_history_new, False), (customer_history_changed, True)]:
        Customer.history.bulk_history_create(
            history, batch_size=IMPORT_BATCH, update=update, default_user=actor,
            default_change_reason=reason, default_date=now,
        )
    written(4 / steps)
    contacts_by_snapshot = {}
    for row in plan.rows:
        if row.contact_snapshot is not None:
            contacts_by_snapshot[id(row.contact_snapshot)] = row.contact
        for other, snapshot in row.demoted:
            contacts_by_snapshot[id(snapshot)] = other
    for snapshot in [*contact_history_new, *contact_history_changed]:
        contact = contacts_by_snapshot[id(snapshot)]
        snapshot.pk = snapshot.id = contact.pk
        snapshot.customer_id = contact.customer_id
    for history, update in [(contact_history_new, False), (contact_history_changed, True)]:
        Contact.history.bulk_history_create(
            history, batch_size=IMPORT_BATCH, update=update, default_user=actor,
            default_change_reason=reason, default_date=now,
        )
    written(5 / steps)
    types = ContentType.objects.get_for_models(Customer, Contact)
    TimelineEntry.objects.bulk_create(
        [
            TimelineEntry(
                customer_id=customer.pk, event=event, actor=actor, summary=summary[:500], occurred_at=now,
                about_type=types[type(about)], about_id=about.pk,
            )
            for customer, event, summary, about in timeline
        ],
        batch_size=IMPORT_BATCH,
    )
    return ImportReport(created=created, updated=updated, unchanged=unchanged)



# --- back-office imports run as a background task -------------------------------------------


def customer_import_keep(
    *, data: bytes, file_name: str, file_format: str, actor: User | None, language: str = ""
) -> CustomerImport:
    """Keep an uploaded file as an import waiting to run (``customer_import_run``); returns its record."""
    job = CustomerImport(original_name=file_name[:255], file_format=file_format, language=language, created_by=actor)
    job.file.save(Path(file_name).name or "customers", ContentFile(data), save=False)
    job.save()
    return job


def _progress_path(job) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / "customers" / f"{job.pk}.progress"


def customer_import_progress(job) -> tuple[int, int]:
    """Rows done and in all of a running import (kept in a file: the import's transaction hides its rows)."""
    try:
        done, total = _progress_path(job).read_text().split()
        return int(done), int(total)
    except (OSError, ValueError):
        return job.rows_done, job.rows_total


def customer_import_run(*, job_id: int) -> CustomerImport:
    """Run a kept import: the whole file or nothing; record the counts or the problems, drop the file."""
    job = CustomerImport.objects.get(pk=job_id)
    if job.status != ImportStatus.WAITING:
        return job  # run once: a task delivered twice does not import twice
    job.status = ImportStatus.RUNNING
    job.save(update_fields=["status"])
    path = _progress_path(job)
    path.parent.mkdir(parents=True, exist_ok=True)

    def progress(done: int, total: int):
        partial = path.with_suffix(".partial")
        partial.write_text(f"{done} {total}")
        partial.replace(path)

    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            with job.file.open("rb") as file:
                report = customers_import(file=file, file_format=job.file_format, actor=job.created_by, progress=progress)
        except CustomersImportError as error:
            job.status = ImportStatus.FAILED
            job.message = str(error)
            job.problems = [
                {"row": problem.row, "field": str(problem.field), "message": str(problem.message)}
                for problem in error.problems
            ]
        except LiaisonError as error:
            job.status = ImportStatus.FAILED
            job.message = str(error)
        except Exception:
            job.status = ImportStatus.FAILED
            job.message = str(_("The import stopped on an unexpected error; nothing was imported. Try again."))
            _import_finish(job, path)
            raise
        else:
            job.status = ImportStatus.DONE
            job.created, job.updated, job.unchanged = report.created, report.updated, report.unchanged
    _import_finish(job, path)
    return job


def _import_finish(job, progress_path: Path):
    job.rows_done, job.rows_total = customer_import_progress(job)
    if job.status == ImportStatus.DONE:
        job.rows_done = job.rows_total
    job.finished_at = clock.now()
    job.file.delete(save=False)  # the outcome stays; the file is no longer needed
    job.save()
    progress_path.unlink(missing_ok=True)
