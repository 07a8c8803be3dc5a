"""Excel import and export of F9 sheets: one customer and its primary contact per row.

Headers are written in the reader's language and recognised in any installed language
(or as the English msgids below), so a file exported by one clerk imports for another.
Rows count like the spreadsheet: the header is row 1, the first customer row 2.
``ImportPlanner`` checks every row of a file with the resource's columns and widgets and
plans its writes; ``services.customers_import_dataset`` writes them in batches, with what
``services.customer_save`` and ``services.contact_save`` write for each record.
"""

import datetime as dt
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path
from types import SimpleNamespace

import tablib
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats import base_formats

from liaison.core import clock
from liaison.core.errors import LiaisonError
from liaison.core.export import FORMULA_STARTS, InertFormulaeMixin
from liaison.core.text import search_key
from liaison.customers.errors import MESSAGES, CustomerErrorCode, CustomersImportError, ImportProblem
from liaison.customers.models import Contact, Customer
from liaison.customers.states import CustomerStatus

IMPORT_REASON = "Imported from Excel"

# The resource fields that are the customer's own columns (the others are its primary contact's).
CUSTOMER_COLUMNS = [
    "registered_name", "short_name", "address", "phone", "fax", "email",
    "business_scope", "company_profile", "status",
]
# The bulk import tells its progress callback after this many rows.
PROGRESS_EVERY = 500

FILE_FORMATS = {"xlsx": base_formats.XLSX, "csv": base_formats.CSV}


def _in_every_language(text) -> set[str]:
    """The text (a msgid or a lazy translation) as written in each installed language, folded."""
    spellings = {str(text).casefold()} if isinstance(text, str) else set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            spellings.add((gettext(text) if isinstance(text, str) else str(text)).casefold())
    return spellings


def _fold(value) -> str:
    return " ".join(str(value or "").split()).casefold()


class TextWidget(widgets.CharWidget):
    """A text cell: surrounding blanks removed, whole numbers without Excel's ".0"."""

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = super().clean(value, row, **kwargs).strip()
        # A cell our export made inert ("'=…", liaison.core.export) reads back as typed.
        return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


class ChoiceWidget(widgets.Widget):
    """A choice written as its label; read back from its code or its label in any language.

    An empty cell keeps the record's current value (a new record's default).
    """

    def __init__(self, choices: type[CustomerStatus]):
        self.choices = choices
        super().__init__(coerce_to_string=True)

    def clean(self, value, row=None, **kwargs):
        wanted = _fold(value)
        if not wanted:
            return None
        for code, label in self.choices.choices:
            if wanted == code.casefold() or wanted in _in_every_language(label):
                return code
        labels = ", ".join(str(label) for label in self.choices.labels)
        raise ValueError(
            gettext("“%(value)s” is not a known status; use one of: %(labels)s.")
            % {"value": value, "labels": labels}
        )

    def render(self, value, obj=None, **kwargs):
        return str(self.choices(value).label) if value else ""


def _text_field(attribute: str | None, header: str) -> fields.Field:
    return fields.Field(attribute=attribute, column_name=header, widget=TextWidget())


class CustomerResource(InertFormulaeMixin, resources.ModelResource):
    """One row per customer: the F9 sheet and its primary contact."""

    registered_name = _text_field("registered_name", gettext_noop("Registered name"))
    short_name = _text_field("short_name", gettext_noop("Short name"))
    address = _text_field("address", gettext_noop("Address"))
    phone = _text_field("phone", gettext_noop("Phone"))
    fax = _text_field("fax", gettext_noop("Fax"))
    email = _text_field("email", gettext_noop("E-mail"))
    business_scope = _text_field("business_scope", gettext_noop("Business scope"))
    company_profile = _text_field("company_profile", gettext_noop("Company profile"))
    status = fields.Field(
        attribute="status",
        column_name=gettext_noop("Status"),
        widget=ChoiceWidget(CustomerStatus),
        saves_null_values=False,  # an empty cell keeps the current status
    )
    # The primary contact: no attribute of the customer, so import-export leaves them
    # alone and ``import_instance`` reads them into an unsaved Contact.
    contact_name = _text_field(None, gettext_noop("Contact name"))
    contact_position = _text_field(None, gettext_noop("Contact position"))
    contact_phone = _text_field(None, gettext_noop("Contact phone"))
    contact_email = _text_field(None, gettext_noop("Contact e-mail"))

    # Resource field of each contact column → the Contact attribute it fills.
    CONTACT_FIELDS = {
        "contact_name": "name",
        "contact_position": "position",
        "contact_phone": "phone",
        "contact_email": "email",
    }

    class Meta:
        model = Customer
        name = _("Customers with their primary contact")
        fields = [
            "registered_name", "short_name", "address", "phone", "fax", "email",
            "business_scope", "company_profile", "status",
            "contact_name", "contact_position", "contact_phone", "contact_email",
        ]

    # --- export -------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        primary = Prefetch(
            "contacts", queryset=Contact.objects.filter(is_primary=True), to_attr="primary_contacts"
        )
        return queryset.prefetch_related(primary)

    def get_export_headers(self, selected_fields=None):
        return [gettext(header) for header in super().get_export_headers(selected_fields)]

    def _primary_contact(self, customer: Customer) -> Contact | None:
        primaries = getattr(customer, "primary_contacts", None)
        if primaries is None:
            primaries = [c for c in customer.contacts.all() if c.is_primary]
        return primaries[0] if primaries else None

    def _contact_value(self, customer: Customer, attribute: str) -> str:
        contact = self._primary_contact(customer)
        return getattr(contact, attribute) if contact else ""

    def dehydrate_contact_name(self, customer):
        return self._contact_value(customer, "name")

    def dehydrate_contact_position(self, customer):
        return self._contact_value(customer, "position")

    def dehydrate_contact_phone(self, customer):
        return self._contact_value(customer, "phone")

    def dehydrate_contact_email(self, customer):
        return self._contact_value(customer, "email")

    # --- import -------------------------------------------------------------

    def header_of(self, field_name: str) -> str:
        """The column header of a resource field, in the reader's language."""
        field = self.fields.get(field_name)
        return gettext(field.column_name) if field else field_name

    def recognise_headers(self, dataset: tablib.Dataset) -> None:
        """Read translated headers as ours, and refuse a file without the name column."""
        aliases = {}
        for field in self.fields.values():
            for spelling in _in_every_language(field.column_name):
                aliases[spelling] = field.column_name
        if dataset.headers:
            dataset.headers = [aliases.get(_fold(header), header) for header in dataset.headers]
        required = self.fields["registered_name"].column_name
        if required not in (dataset.headers or []):
            raise ValueError(
                gettext("The header row (row 1) has no “%(column)s” column.")
                % {"column": gettext(required)}
            )


def dataset_read(*, file, file_format: str = "xlsx") -> tablib.Dataset:
    """Read an uploaded file, a path or bytes into a dataset; its first sheet if a workbook."""
    format_class = FILE_FORMATS.get(str(file_format).lower().lstrip("."))
    if format_class is None:
        code = CustomerErrorCode.IMPORT_FORMAT_UNKNOWN
        raise LiaisonError(code, MESSAGES[code], field="file", file_format=file_format)
    if isinstance(file, bytes):
        data = file
    elif isinstance(file, (str, Path)):
        data = Path(file).read_bytes()
    else:
        data = file.read()
    # Text formats decode with utf-8-sig: Excel writes a byte-order mark before UTF-8 CSV.
    input_format = format_class() if format_class().is_binary() else format_class(encoding="utf-8-sig")
    try:
        return input_format.create_dataset(data)
    except Exception as error:
        # openpyxl, zipfile, csv and codecs each raise their own exceptions for a broken
        # or mislabelled file; to the clerk they all mean the same thing.
        code = CustomerErrorCode.IMPORT_FILE_UNREADABLE
        raise LiaisonError(
            code, MESSAGES[code], field="file", file_format=file_format.upper()
        ) from error


# --- bulk import: every row checked first, then written in batches -------------------------


@dataclass
class PlannedRow:
    """What one spreadsheet row does: the customer's and the contact's step, in file order."""

    number: int  # the spreadsheet's row number
    customer: Customer
    customer_step: str  # "create", "update" or "" (unchanged)
    changed: list[str] = dc_field(default_factory=list)  # customer fields an update changed
    customer_snapshot: SimpleNamespace | None = None  # the customer as this row left it, for its history
    contact: Contact | None = None
    contact_step: str = ""  # "create", "update" or ""
    contact_snapshot: SimpleNamespace | None = None
    # Other contacts of the customer this row's contact took the primary role from, each with
    # its snapshot after the change.
    demoted: list[tuple[Contact, SimpleNamespace]] = dc_field(default_factory=list)


@dataclass
class ImportPlan:
    """Every row of a file checked and resolved against the database, nothing written yet."""

    rows: list[PlannedRow]
    blank: int  # blank lines, skipped (counted as unchanged, as the row-by-row import did)


def _snapshot(obj) -> SimpleNamespace:
    """A record's field values as they stand now: a history row is made from it after the writes.

    ``bulk_history_create`` reads the fields' attnames and ``pk``; the ids of records the
    import creates are filled in once they are written.
    """
    values = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    return SimpleNamespace(pk=obj.pk, **values)


def _later(previous, now):
    """The next updated_at: strictly increasing, as ``AuditedModel.save`` keeps it."""
    return now if previous is None or now > previous else previous + dt.timedelta(microseconds=1)


def _chunks(values: list, size: int = 2000):
    for start in range(0, len(values), size):
        yield values[start:start + size]


class ImportPlanner:
    """Check every row of a dataset with ``CustomerResource``'s columns and cleaning, and plan its writes.

    Per-row and per-column messages; a name twice in one file is one customer, updated by
    the later row. Raises
    ``CustomersImportError`` listing every problem; writes nothing.
    """

    def __init__(self, *, actor, reason: str):
        self.actor = actor
        self.reason = reason
        self.resource = CustomerResource()
        self.customer_fields = [
            name for name, field in self.resource.fields.items() if field.attribute and name in CUSTOMER_COLUMNS
        ]

    def plan(self, dataset: tablib.Dataset, progress=None) -> ImportPlan:
        try:
            self.resource.recognise_headers(dataset)
        except ValueError as error:
            raise CustomersImportError([ImportProblem(row=1, field="", message=str(error))]) from error
        headers = list(dataset.headers)
        present = set(headers)
        customer_fields = [n for n in self.customer_fields if self.resource.fields[n].column_name in present]
        contact_fields = {
            n: a for n, a in CustomerResource.CONTACT_FIELDS.items() if self.resource.fields[n].column_name in present
        }
        name_field = self.resource.fields["registered_name"]
        rows = [dict(zip(headers, values, strict=False)) for values in dataset]
        names = set()
        for row in rows:
            try:
                names.add(name_field.clean(row))
            except ValueError:
                pass
        customers, contacts_by_name, primaries = self._load(names - {""})

        total = len(rows)
        planned, problems, blank = [], [], 0
        for index, row in enumerate(rows):
            number = index + 2
            if not any(_fold(value) for value in row.values()):
                blank += 1
                continue
            try:
                planned.append(
                    self._row(number, row, customer_fields, contact_fields, customers, contacts_by_name, primaries)
                )
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    column = "" if key == NON_FIELD_ERRORS else self.resource.header_of(key)
                    problems.extend(ImportProblem(row=number, field=column, message=m) for m in messages)
            if progress is not None and (index + 1) % PROGRESS_EVERY == 0:
                progress(index + 1, total)
        if problems:
            raise CustomersImportError(sorted(problems, key=lambda problem: problem.row))
        return ImportPlan(rows=planned, blank=blank)

    def _load(self, names: set[str]):
        """The customers the file names, their contacts by name and their primary contacts."""
        # One pass over the names of all customers (tens of thousands) rather than the file's
        # names as query parameters: quoting 100 000 names costs more than reading the column.
        wanted = [pk for pk, name in Customer.objects.values_list("pk", "registered_name").iterator() if name in names]
        customers = {}
        for chunk in _chunks(wanted):
            customers.update((c.registered_name, c) for c in Customer.objects.filter(pk__in=chunk))
        by_id = {customer.pk: customer for customer in customers.values()}
        contacts_by_name, primaries = {}, {}
        for chunk in _chunks(sorted(by_id)):
            for contact in Contact.objects.filter(customer_id__in=chunk).order_by(*Contact._meta.ordering):
                contact.customer = by_id[contact.customer_id]
                contacts_by_name.setdefault((contact.customer_id, contact.name), contact)
                if contact.is_primary:
                    primaries.setdefault(contact.customer_id, []).append(contact)
        # Keyed by the customer object's id() from here on: customers created by the file have no id yet.
        return (
            customers,
            {(id(by_id[cid]), name): contact for (cid, name), contact in contacts_by_name.items()},
            {id(by_id[cid]): contacts for cid, contacts in primaries.items()},
        )

    def _customer_unchecked(self, customer_fields) -> list[str]:
        if getattr(self, "_unchecked_for", None) != customer_fields:
            self._unchecked_for = customer_fields
            self._unchecked = [f.name for f in Customer._meta.fields if f.name not in customer_fields]
        return self._unchecked

    def _row(self, number, row, customer_fields, contact_fields, customers, contacts_by_name, primaries) -> PlannedRow:
        errors = {}
        values = {}
        for name in customer_fields:
            try:
                values[name] = self.resource.fields[name].clean(row)
            except ValueError as error:
                errors[name] = [str(error)]
        registered_name = values.get("registered_name", "")
        customer = customers.get(registered_name) if registered_name else None
        creating = customer is None
        if creating:
            customer = Customer()
        before = {name: getattr(customer, name) for name in customer_fields}
        for name, value in values.items():
            if value is None and not self.resource.fields[name].saves_null_values:
                continue  # an empty status keeps the current one
            setattr(customer, name, value)
        try:
            # Only the file's columns can be wrong: the other fields keep valid stored or default
            # values. (Uniqueness of the name is the matching itself.)
            customer.clean_fields(exclude=[*errors, *self._customer_unchecked(customer_fields)])
            customer.clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)

        contact, contact_original = None, {}
        try:
            contact, contact_original = self._contact(row, customer, creating, contact_fields, contacts_by_name)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

        changed = [name for name in customer_fields if getattr(customer, name) != before[name]]
        step = "create" if creating else ("update" if changed else "")
        now = clock.now()
        if step:
            customer.search_text = search_key(customer.registered_name, customer.short_name)
            if creating:
                customer.created_by = self.actor
                customer.created_at = customer.updated_at = now
                customers[registered_name] = customer
            else:
                customer.updated_at = _later(customer.updated_at, now)
            customer.updated_by = self.actor
        planned = PlannedRow(number=number, customer=customer, customer_step=step, changed=changed)
        if step:
            planned.customer_snapshot = _snapshot(customer)

        if contact is not None:
            contact_creating = contact.pk is None and not getattr(contact, "planned", False)
            contact_changed = contact_creating or any(
                getattr(contact, a) != old for a, old in contact_original.items()
            )
            if contact_changed:
                planned.contact = contact
                planned.contact_step = "create" if contact_creating else "update"
                if contact_creating:
                    contact.created_by = self.actor
                    contact.planned = True
                    contacts_by_name[(id(customer), contact.name)] = contact
                contact.updated_by = self.actor
                contact.updated_at = now if contact_creating else _later(contact.updated_at, now)
                planned.contact_snapshot = _snapshot(contact)
                others = primaries.setdefault(id(customer), [])
                for other in others:
                    if other is not contact and other.is_primary:
                        other.is_primary = False
                        other.updated_by = self.actor
                        other.updated_at = _later(other.updated_at, now)
                        planned.demoted.append((other, _snapshot(other)))
                primaries[id(customer)] = [contact]
        return planned

    def _contact(self, row, customer, creating, contact_fields, contacts_by_name):
        """The primary contact the row describes (changed, not saved) and its values before, or None."""
        values = {}
        for field_name, attribute in contact_fields.items():
            values[attribute] = self.resource.fields[field_name].clean(row)
        if not any(values.values()):
            return None, {}
        contact = contacts_by_name.get((id(customer), values["name"])) if values.get("name") else None
        if contact is None:
            contact = Contact(customer=customer)
        original = {a: getattr(contact, a) for a in (*values, "is_primary", "active")}
        for attribute, value in values.items():
            setattr(contact, attribute, value)
        contact.is_primary = True
        contact.active = True
        errors = {}
        try:
            contact.clean_fields(exclude=[f.name for f in Contact._meta.fields if f.name not in values])
            contact.clean()
        except ValidationError as error:
            by_attribute = {a: f for f, a in CustomerResource.CONTACT_FIELDS.items()}
            for key, messages in error.message_dict.items():
                errors[by_attribute.get(key, NON_FIELD_ERRORS)] = messages
        if not values.get("name"):
            errors["contact_name"] = [gettext("Give the contact's name, or leave all contact columns empty.")]
        if errors:
            raise ValidationError(errors)
        return contact, original
