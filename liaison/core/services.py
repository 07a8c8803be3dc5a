"""Writes of the core app: document numbers and attachments."""

import hashlib

import filetype
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

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


def has_role_permission(actor: User | None, perm: str, obj=None) -> bool:
    """True when an active actor holds ``perm`` (and the object rule allows ``obj``)."""
    if actor is None or not actor.is_active:
        return False
    return actor.has_perm(perm, obj) if obj is not None else actor.has_perm(perm)


def number_format(*, doc_type: str, year: int, number: int) -> str:
    return f"{doc_type}-{year}-{number:04d}"


def number_next(*, doc_type: str, year: int | None = None) -> str:
    """Hand out the next number of ``doc_type`` for ``year``, like ``FAX-2026-0001``.

    Must run inside the transaction that saves the numbered record: the counter row
    stays locked until that transaction ends, and a rollback gives the number back,
    so the sequence has no gaps and no duplicates under concurrent writers.
    """
    if not connection.in_atomic_block:
        raise LiaisonError(
            CoreErrorCode.NUMBERING_OUTSIDE_TRANSACTION,
            "number_next() must be called inside the transaction that saves the record.",
        )
    year = year or clock.today().year
    counters = DocumentCounter.objects.select_for_update()
    try:
        counter = counters.get(doc_type=doc_type, year=year)
    except DocumentCounter.DoesNotExist:
        try:
            with transaction.atomic():
                DocumentCounter.objects.create(doc_type=doc_type, year=year, last_number=0)
        except IntegrityError:
            pass  # another writer created it first; its row lock orders us after it
        counter = counters.get(doc_type=doc_type, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return number_format(doc_type=doc_type, year=year, number=counter.last_number)


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
