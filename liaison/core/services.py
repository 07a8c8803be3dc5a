"""Writes every app builds on: signed history rows, transitions, document numbers and attachments."""

import hashlib
import uuid
from collections.abc import Callable, Iterable

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Model, QuerySet, Value
from django.db.models.functions import Replace
from django_fsm import can_proceed

from liaison.core import clock
from liaison.core.errors import MESSAGES, CoreErrorCode, LiaisonError
from liaison.core.models import Attachment, DocumentCounter, User

# Types accepted as attachments: what a scanner, a phone camera or a PDF printer makes.
ATTACHMENT_TYPES = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/tiff": ".tif",
    "image/gif": ".gif",
    "image/webp": ".webp",
}

# Starts a stand-in number (``number_provisional``); a real number starts with its type.
PROVISIONAL_MARK = "~"


def sign_history(record, *, actor: User | None, reason: str) -> None:
    """Mark who makes the next save of ``record`` and why, for its history row.

    The history middleware only sees session users; API token users, commands and
    scheduled tasks come through here.
    """
    record._change_reason = str(reason)[:100]
    if actor is not None:
        record._history_user = actor
        if hasattr(record, "updated_by_id"):
            record.updated_by = actor


def transition_check(record, name: str, refusal: Callable[[], LiaisonError]) -> None:
    """Refuse with ``refusal()`` unless ``record``'s transition table lets it take ``name`` now."""
    if not can_proceed(getattr(record, name)):
        raise refusal()


def transition_apply(
    record,
    name: str,
    *,
    actor: User | None,
    reason: str,
    fields: Iterable[str] = (),
    params: dict | None = None,
    refusal: Callable[[], LiaisonError] | None = None,
):
    """Take transition ``name`` of ``record`` and save it with a signed history row.

    The one recipe of every state change: checked against the transition table (refused
    with ``refusal()`` when given; a service that checks earlier, so a wrong state is said
    before a wrong input, calls ``transition_check`` itself), the model's transition method
    called with ``params``, then only the status, ``fields`` and who changed it saved, with
    ``reason`` in the history row. The caller has locked the row.
    """
    if refusal is not None:
        transition_check(record, name, refusal)
    getattr(record, name)(**(params or {}))
    sign_history(record, actor=actor, reason=reason)
    update = [record._meta.get_field("status").name, *fields]
    if hasattr(record, "updated_by_id"):
        update.append("updated_by")
    record.save(update_fields=list(dict.fromkeys(update)))
    return record


def records_create(records: list, *, actor: User | None, reason: str, trusted: Iterable[str] = ()) -> list:
    """Insert new rows of one model in one statement, and their history rows in one more.

    What ``save()`` one by one would do, in two queries: each record is checked with
    ``full_clean`` except the ``trusted`` fields (links the service set from rows it holds
    or has just written: looking them up again proves nothing) and the unique and check
    constraints (the database enforces them), stamped, and signed (``reason``, ``actor``)
    for its history row.
    """
    if not records:
        return records
    now = clock.now()
    for record in records:
        record.full_clean(exclude=list(trusted), validate_unique=False, validate_constraints=False)
        record.created_at = record.updated_at = now
        sign_history(record, actor=actor, reason=reason)
    model = type(records[0])
    model._default_manager.bulk_create(records)
    model.history.bulk_history_create(records, default_user=actor, default_change_reason=str(reason)[:100])
    return records


def number_format(*, doc_type: str, year: int, number: int) -> str:
    return f"{doc_type}-{year}-{number:04d}"


def number_next(*, doc_type: str, year: int | None = None) -> str:
    """Hand out the next number of ``doc_type`` for ``year``, like ``FAX-2026-0001``.

    Must run inside the transaction that saves the numbered record: the counter row
    stays locked until that transaction ends, and a rollback gives the number back,
    so the sequence has no gaps and no duplicates under concurrent writers. Every
    writer of the type waits for that lock, so take the number as late as possible:
    a step that writes much saves its record with ``number_provisional()`` and calls
    ``number_settle()`` as its last statement.
    """
    if not connection.in_atomic_block:
        raise LiaisonError(
            CoreErrorCode.NUMBERING_OUTSIDE_TRANSACTION,
            "number_next() must be called inside the transaction that saves the record.",
        )
    year = year or clock.today().year
    number = _counter_increment(doc_type, year)
    if number is None:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(doc_type=doc_type, year=year, last_number=0)
        except IntegrityError:
            pass  # another writer created it first; the increment below waits for its row lock
        number = _counter_increment(doc_type, year)
    return number_format(doc_type=doc_type, year=year, number=number)


def _counter_increment(doc_type: str, year: int) -> int | None:
    """Add one to the counter in one statement (it locks the row), or None if there is none yet."""
    quote = connection.ops.quote_name
    table, last = quote(DocumentCounter._meta.db_table), quote("last_number")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {last} = {last} + 1 "
            f"WHERE {quote('doc_type')} = %s AND {quote('year')} = %s RETURNING {last}",
            [doc_type, year],
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def number_provisional(*, doc_type: str) -> str:
    """A unique stand-in number for a record saved before its real number is taken.

    As long as the real number usually is (``ORD-2026-0001``), so texts cut to a length
    cut the same; never visible outside the transaction, which replaces it with
    ``number_settle()`` before it commits.
    """
    length = len(number_format(doc_type=doc_type, year=2000, number=0))
    return PROVISIONAL_MARK + uuid.uuid4().hex[: length - len(PROVISIONAL_MARK)]


def number_settle(*, record: Model, doc_type: str, texts: Iterable[tuple[QuerySet, str]] = ()) -> str:
    """Take the real number for ``record``, saved with ``number_provisional()``, and put it in place.

    The last step of the transaction, so the counter row is locked only for these few
    updates and the commit. The number replaces the stand-in on the record, on its
    history rows and in the text columns ``texts`` (pairs of a queryset and a column,
    e.g. the timeline lines and F5 line written in the same transaction). Updates go
    straight to the rows: no new version, no new history row.
    """
    provisional = record.number
    if not provisional.startswith(PROVISIONAL_MARK):
        raise ValueError(f"{record!r} already has its number {provisional}")
    number = number_next(doc_type=doc_type)
    model = type(record)
    model._base_manager.filter(pk=record.pk).update(number=number)
    if hasattr(model, "history"):
        model.history.filter(**{model._meta.pk.attname: record.pk}).update(number=number)
    for queryset, column in texts:
        queryset.filter(**{f"{column}__contains": provisional}).update(
            **{column: Replace(F(column), Value(provisional), Value(number))}
        )
    record.number = number
    return number


def _refuse(code: CoreErrorCode, **params) -> LiaisonError:
    return LiaisonError(code, MESSAGES[code], field="file", **params)


def attachment_add(*, owner: Model, upload, actor: User | None, description: str = "") -> Attachment:
    """Attach an uploaded file to ``owner`` after checking its real type and size.

    The type is read from the file's content, not its name, so a renamed
    executable is refused like any other file we do not accept.
    """
    name = getattr(upload, "name", "file") or "file"
    limit = settings.LIAISON_ATTACHMENT_MAX_BYTES
    size = upload.size
    if size == 0:
        raise _refuse(CoreErrorCode.ATTACHMENT_EMPTY, name=name)
    if size > limit:
        raise _refuse(
            CoreErrorCode.ATTACHMENT_TOO_LARGE,
            name=name,
            size_mb=f"{size / 1048576:.1f}",
            limit_mb=f"{limit / 1048576:.0f}",
        )
    upload.seek(0)
    head = upload.read(8192)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ATTACHMENT_TYPES:
        raise _refuse(CoreErrorCode.ATTACHMENT_TYPE_REFUSED, name=name)
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        owner=owner,
        original_name=name[:255],
        mime_type=kind.mime,
        extension=ATTACHMENT_TYPES[kind.mime],
        size=size,
        sha256=digest.hexdigest(),
        description=description,
        created_by=actor,
        updated_by=actor,
    )
    attachment._change_reason = "Attached"
    attachment.file.save(name, ContentFile(upload.read()), save=False)
    try:
        with transaction.atomic():
            attachment.full_clean(exclude=["file"])
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # no orphan file when the record is not saved
        raise
    return attachment
