"""The archive a record leaves behind when it is disposed of (R-5.7).

One folder per record, ``<archive>/<type>/<year retention started>/<number>/``, holding:

- ``<number>.pdf``: the printed form, as ``liaison.documents`` prints it;
- ``record.json``: the record, every part disposed of with it (lines, sign-offs, F5
  records, CAPA requests …) and each one's full history — every historical row with its
  user, date, change reason and all field values;
- ``attachments/``: the files attached to any of them;
- ``SHA256SUMS``: one line per file, in the format ``sha256sum -c`` checks.

The checksum logged for the disposal is the SHA-256 of ``SHA256SUMS``, so it covers every
file of the archive and can be checked with standard tools, no unpacking needed.
"""

import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from liaison.records.registry import RecordType

SUMS = "SHA256SUMS"


@dataclass
class ArchiveContent:
    """What is written for one record: file name → bytes, and notes for the log."""

    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def archive_root(path: str | Path | None = None) -> Path:
    """The archive folder: ``path``, else ``LIAISON_ARCHIVE_DIR``, else ``var/archive``."""
    if path:
        return Path(path)
    configured = getattr(settings, "LIAISON_ARCHIVE_DIR", None)
    if configured:
        return Path(configured)
    return Path(getattr(settings, "DATA_DIR", Path(settings.BASE_DIR) / "var")) / "archive"


def safe_name(value: str) -> str:
    """A file name made of the number's letters, digits, dots and dashes only."""
    return re.sub(r"[^0-9A-Za-z._-]+", "_", value).strip("._") or "record"


def record_folder(root: Path, record_type: RecordType, year: int, number: str) -> Path:
    return root / record_type.code / str(year) / safe_name(number)


@dataclass
class BatchCache:
    """What the archives of a batch of records read, fetched once for the whole batch.

    ``related``: the rows the records' foreign keys point to, by (model, key) — shown by
    name in ``record.json``; ``history``: every history row of every described row, by
    (model, pk). One query per related model and one per model with history, instead of
    one per foreign key and one per row. Anything not in it is read on its own.
    """

    related: dict[tuple[type, object], models.Model] = field(default_factory=dict)
    history: dict[tuple[type, object], list[dict]] = field(default_factory=dict)


def _relations(instance: models.Model):
    for model_field in instance._meta.concrete_fields:
        if model_field.is_relation and not model_field.name.startswith("history_"):
            yield model_field


def batch_cache(instances: list[models.Model]) -> BatchCache:
    """Read, for every instance to describe, what it shows of its relations and its history, in bulk."""
    cache = BatchCache()
    wanted: dict[tuple[type, str], set] = {}
    by_model: dict[type, list] = {}
    for instance in instances:
        by_model.setdefault(type(instance), []).append(instance.pk)
        for model_field in _relations(instance):
            value = getattr(instance, model_field.attname)
            if value is None or model_field.is_cached(instance):
                continue
            wanted.setdefault((model_field.related_model, model_field.target_field.attname), set()).add(value)
    for (model, key), values in wanted.items():
        for row in model._base_manager.filter(**{f"{key}__in": values}):
            cache.related[(model, getattr(row, key))] = row
    for model, pks in by_model.items():
        if not hasattr(model, "history"):
            continue
        rows = model.history.model.objects.filter(id__in=pks).select_related("history_user")
        for row in rows.order_by("history_date", "history_id"):
            cache.history.setdefault((model, row.id), []).append(_history_row(row))
        for pk in pks:
            cache.history.setdefault((model, pk), [])
    return cache


def field_values(instance: models.Model, cache: BatchCache) -> dict:
    """Every concrete field's stored value, and for a relation also what it shows."""
    values = {}
    for model_field in instance._meta.concrete_fields:
        value = model_field.value_from_object(instance)
        if isinstance(model_field, models.FileField):
            value = value.name if value else ""
        values[model_field.attname] = value
        if model_field.is_relation and value is not None and not model_field.name.startswith("history_"):
            related = None
            if not model_field.is_cached(instance):
                related = cache.related.get((model_field.related_model, getattr(instance, model_field.attname)))
            if related is None:
                related = getattr(instance, model_field.name, None)
            values[f"{model_field.name}__display"] = str(related) if related is not None else None
    return values


def _history_row(row) -> dict:
    values = {}
    for model_field in row._meta.concrete_fields:
        if model_field.name.startswith("history_"):
            continue
        values[model_field.attname] = model_field.value_from_object(row)
    return {
        "history_id": row.history_id,
        "date": row.history_date,
        "type": {"+": "created", "~": "changed", "-": "deleted"}.get(row.history_type, row.history_type),
        "user_id": row.history_user_id,
        "user": str(row.history_user) if row.history_user_id else None,
        "change_reason": row.history_change_reason,
        "values": values,
    }


def history_rows(instance: models.Model, cache: BatchCache) -> list[dict]:
    """Every historical row of ``instance``, oldest first, with who, when, why and all values."""
    if not hasattr(type(instance), "history"):
        return []
    if (type(instance), instance.pk) in cache.history:
        return cache.history[(type(instance), instance.pk)]
    rows = type(instance).history.model.objects.filter(id=instance.pk).select_related("history_user")
    return [_history_row(row) for row in rows.order_by("history_date", "history_id")]


def describe(instance: models.Model, cache: BatchCache) -> dict:
    return {
        "model": instance._meta.label,
        "verbose_name": str(instance._meta.verbose_name),
        "pk": instance.pk,
        "text": str(instance),
        "fields": field_values(instance, cache),
        "history": history_rows(instance, cache),
    }


def render_pdf(record_type: RecordType, record: models.Model, *, language: str) -> bytes:
    """The record's printed form, as ``liaison.documents`` prints it."""
    spec = record_type.pdf
    return spec.render(spec.load(pk=spec.pk_of(record)), language=language)


def build(
    *,
    record_type: RecordType,
    record: models.Model,
    number: str,
    parts: list[models.Model],
    extras: list[models.Model],
    attachments: list,
    summary: dict,
    language: str,
    cache: BatchCache,
) -> ArchiveContent:
    """Collect the archive of one record in memory, before anything is deleted."""
    content = ArchiveContent()
    content.files[f"{safe_name(number)}.pdf"] = render_pdf(record_type, record, language=language)
    for attachment in attachments:
        name = f"attachments/{attachment.pk}-{safe_name(attachment.original_name)}"
        try:
            with attachment.file.open("rb") as handle:
                content.files[name] = handle.read()
        except (FileNotFoundError, OSError):
            content.notes.append(f"Attachment {attachment.pk} ({attachment.original_name}): file missing.")
    document = {
        **summary,
        "notes": content.notes,
        "record": describe(record, cache),
        "parts": [describe(part, cache) for part in parts if part is not record],
        "with_the_record": [describe(extra, cache) for extra in extras],
        "attachments": [describe(attachment, cache) for attachment in attachments],
    }
    content.files["record.json"] = json.dumps(
        document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2, sort_keys=True
    ).encode()
    return content


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write(folder: Path, content: ArchiveContent) -> tuple[str, list[dict]]:
    """Write the archive (replacing a partial one of an earlier failed run); return its checksum."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    listing = []
    for name in sorted(content.files):
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.files[name])
        listing.append({"name": name, "size": len(content.files[name]), "sha256": sha256(content.files[name])})
    sums = "".join(f"{item['sha256']}  {item['name']}\n" for item in listing).encode()
    (folder / SUMS).write_bytes(sums)
    return sha256(sums), listing


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
