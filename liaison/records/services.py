"""Writes of the records app: retention policies, legal holds and the disposal job (R-5.7).

The disposal job (``disposal_run``) works type by type in ``registry`` order and, per
type, oldest first, in batches of ``batch_size`` records, each batch in its own
transaction. For each record past retention and not on legal hold it:

1. reads the record, its parts, the F5 records and attachments that concern them, and
   all their history, and renders the printed form — in memory, nothing deleted yet;
2. writes the archive folder and its ``SHA256SUMS`` (``records.archive``);
3. writes the disposal log entry (what, when, under which policy, the checksum);
4. only then deletes the F5 records, attachments, parts and the record, and their
   history rows, inside ``guard.disposal_context()`` — the only place deletion is allowed.

Steps 2–4 run in a savepoint. A failure mid-way rolls back the batch it happened in and
removes that batch's archive folders; earlier batches stay disposed and logged, later
ones untouched. A re-run picks up exactly what is still due: idempotent.

PROTECT foreign keys between types: each type's parts are deleted children-first, and the
types are disposed in an order where a record goes before the records it points to
(review rounds and notices before change entries, everything before the order). A record
still pointed to by a record in retention — an order whose review round or complaint is
still kept, a change entry whose notice is still kept — cannot be deleted: Django raises
ProtectedError, the savepoint is rolled back (its archive removed, nothing logged) and it
is counted as *waiting*; a later run disposes of it once the other record has gone.
So an order goes only when all of its chain is past retention.
"""

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.utils import timezone

from liaison.communications.models import CommunicationRecord
from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import Attachment, Department, User
from liaison.core.roles import is_administrator, require
from liaison.core.services import sign_history
from liaison.records import archive, guard, registry, selectors
from liaison.records.errors import ACTIONS, MESSAGES, RecordsErrorCode
from liaison.records.models import (
    DisposalLogEntry,
    DisposalRun,
    LegalHold,
    RetentionPolicy,
    minimum_months,
    period_refusal,
)
from liaison.records.registry import RecordType

logger = logging.getLogger(__name__)


# --- policies and holds ---------------------------------------------------------------------


@transaction.atomic  # plain: the back office saves a policy through it, inside its own transaction
def policy_update(
    *,
    policy: RetentionPolicy,
    years: int,
    months: int,
    department: Department | None,
    active: bool,
    actor: User,
    reason: str,
    below_minimum: bool = False,
) -> RetentionPolicy:
    """Change a retention policy: administrators only, with the reason kept in its history.

    Never below the procedure's period (``models.period_refusal``) unless ``below_minimum``:
    the administrator's override, kept in the history row with the reason.
    """
    require(actor, ACTIONS["policy_change"])
    if not is_administrator(actor):
        raise ACTIONS["policy_change"].refusal()
    if not (reason or "").strip():
        raise refuse(MESSAGES, RecordsErrorCode.REASON_REQUIRED, field="reason")
    if years < 0 or months < 0 or months >= 12 or years * 12 + months == 0:
        raise refuse(MESSAGES, RecordsErrorCode.PERIOD_INVALID, field="years")
    refusal = period_refusal(
        record_type=policy.record_type, years=years, months=months, below_minimum=below_minimum, actor=actor
    )
    if refusal is not None:
        raise refusal
    policy = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
    policy.years, policy.months, policy.department, policy.active = years, months, department, active
    policy.below_minimum = years * 12 + months < minimum_months()
    sign_history(policy, actor=actor, reason=reason.strip())
    policy.full_clean()
    policy.save(update_fields=["years", "months", "department", "active", "below_minimum", "updated_by"])
    return policy


def policy_ensure(record_type: RecordType) -> RetentionPolicy:
    """The type's policy row, created with the procedure's default when a type was added later."""
    policy = RetentionPolicy.objects.filter(record_type=record_type.code).first()
    if policy is None:
        policy = selectors.default_policy(record_type)
        sign_history(policy, actor=None, reason="Default retention (procedure setting)")
        policy.save()
    return policy


def _record(code: str, object_id: int):
    if code not in registry.REGISTRY:
        raise refuse(MESSAGES, RecordsErrorCode.RECORD_TYPE_UNKNOWN, field="record_type", code=code)
    record_type = registry.get(code)
    record = record_type.records().filter(pk=object_id).first()
    if record is None:
        raise refuse(
            MESSAGES, RecordsErrorCode.RECORD_NOT_FOUND, field="object_id", type=record_type.label, id=object_id
        )
    return record_type, record


@transaction.atomic  # plain: the back office places a hold through it, inside its own transaction
def hold_place(*, record_type: str, object_id: int, reason: str, actor: User) -> LegalHold:
    """Put a record on legal hold: it is not disposed of, whatever its retention, until released."""
    require(actor, ACTIONS["hold_place"])
    if not (reason or "").strip():
        raise refuse(MESSAGES, RecordsErrorCode.REASON_REQUIRED, field="reason")
    kind, record = _record(record_type, object_id)
    number = kind.number(record)
    if LegalHold.objects.select_for_update().filter(
        record_type=record_type, object_id=object_id, released_at__isnull=True
    ).exists():
        raise refuse(
            MESSAGES, RecordsErrorCode.ALREADY_ON_HOLD, conflict=True, record=f"{kind.label} {number}"
        )
    hold = LegalHold(
        record_type=record_type,
        object_id=object_id,
        number=number[:40],
        reason=reason.strip()[:300],
        placed_by=actor,
        created_by=actor,
    )
    sign_history(hold, actor=actor, reason="Legal hold placed")
    hold.full_clean()
    hold.save()
    return hold


@transaction.atomic(durable=True)
def hold_release(*, hold: LegalHold, reason: str, actor: User) -> LegalHold:
    """Release a legal hold; the record's retention applies again."""
    require(actor, ACTIONS["hold_release"])
    if not (reason or "").strip():
        raise refuse(MESSAGES, RecordsErrorCode.REASON_REQUIRED, field="reason")
    hold = LegalHold.objects.select_for_update().get(pk=hold.pk)
    if hold.released_at is not None:
        raise refuse(MESSAGES, RecordsErrorCode.HOLD_RELEASED, conflict=True)
    hold.released_at = clock.now()
    hold.released_by = actor
    hold.release_reason = reason.strip()[:300]
    sign_history(hold, actor=actor, reason="Legal hold released")
    hold.save(update_fields=["released_at", "released_by", "release_reason", "updated_by"])
    return hold


# --- the disposal job -----------------------------------------------------------------------


@dataclass
class DueRecord:
    """One record a run found past retention (what a dry run lists)."""

    record_type: str
    object_id: int
    number: str
    retention_started: dt.datetime
    retention_ended: dt.datetime
    held: bool


@dataclass
class RunReport:
    run: DisposalRun
    due: list[DueRecord] = field(default_factory=list)


Progress = Callable[[str], None]


def _language() -> str:
    return settings.LANGUAGE_CODE


def _extras_found(parts) -> dict[tuple[int, int], list]:
    """F5 records concerning any of ``parts``, by (content type, part): one query per type of part."""
    by_type: dict[int, list[int]] = {}
    for part in parts:
        by_type.setdefault(ContentType.objects.get_for_model(part).pk, []).append(part.pk)
    found: dict[tuple[int, int], list] = {}
    for type_id, ids in by_type.items():
        for record in CommunicationRecord.objects.filter(about_type_id=type_id, about_id__in=ids).order_by("pk"):
            found.setdefault((type_id, record.about_id), []).append(record)
    return found


def _extras(parts, found: dict) -> list:
    """F5 records concerning any of the parts (kept with the record they concern), type by type, by pk."""
    by_type: dict[int, list] = {}
    for part in parts:
        by_type.setdefault(ContentType.objects.get_for_model(part).pk, []).extend(
            found.get((ContentType.objects.get_for_model(part).pk, part.pk), [])
        )
    records = []
    for rows in by_type.values():
        records += sorted({record.pk: record for record in rows}.values(), key=lambda record: record.pk)
    return records


def _attachments_found(objects) -> dict[tuple[int, int], list]:
    """Attachments of any of ``objects``, by (content type, owner): one query per type of owner."""
    by_type: dict[int, list[int]] = {}
    for obj in objects:
        by_type.setdefault(ContentType.objects.get_for_model(obj).pk, []).append(obj.pk)
    found: dict[tuple[int, int], list] = {}
    for type_id, ids in by_type.items():
        for attachment in Attachment.objects.filter(owner_type_id=type_id, owner_id__in=ids).order_by("pk"):
            found.setdefault((type_id, attachment.owner_id), []).append(attachment)
    return found


def _attachments(objects, found: dict) -> list:
    attachments = []
    for obj in objects:
        attachments += found.get((ContentType.objects.get_for_model(obj).pk, obj.pk), [])
    return attachments


def _order_number(record, cache: archive.BatchCache) -> str:
    """The number of the order the record belongs to ("" if none), from the batch's cache when it is there."""
    try:
        order_field = record._meta.get_field("order")
    except FieldDoesNotExist:
        order_field = None
    if order_field is None or not (order_field.many_to_one and order_field.concrete):
        return getattr(getattr(record, "order", None), "number", "") or ""
    order = None
    if not order_field.is_cached(record):
        order = cache.related.get((order_field.related_model, getattr(record, order_field.attname)))
    if order is None:
        order = getattr(record, "order", None)
    return getattr(order, "number", "") or ""


@dataclass
class _Prepared:
    """One record's parts, F5 records and attachments, read with the rest of its batch."""

    parts: list
    extras: list
    attachments: list


def _prepare(record_type: RecordType, records: list) -> tuple[dict[int, _Prepared], archive.BatchCache]:
    """Read what the batch's archives need in bulk: F5 records, attachments, related names, history."""
    parts_of = {record.pk: record_type.parts(record) for record in records}
    all_parts = [part for parts in parts_of.values() for part in parts]
    extras_found = _extras_found(all_parts)
    extras_of = {pk: _extras(parts, extras_found) for pk, parts in parts_of.items()}
    owners = all_parts + [extra for extras in extras_of.values() for extra in extras]
    attachments_found = _attachments_found(owners)
    prepared = {
        pk: _Prepared(parts, extras_of[pk], _attachments([*parts, *extras_of[pk]], attachments_found))
        for pk, parts in parts_of.items()
    }
    described = owners + [attachment for item in prepared.values() for attachment in item.attachments]
    return prepared, archive.batch_cache(described)


def _delete_with_history(objects) -> None:
    """Delete ``objects`` in order, then every history row of each (the deletion's own too)."""
    for obj in objects:
        pk = obj.pk
        obj.delete()
        if hasattr(type(obj), "history"):
            type(obj).history.model.objects.filter(id=pk).delete()


def _delete_files_later(attachments) -> None:
    names = [attachment.file.name for attachment in attachments if attachment.file]

    def delete_files():
        for name in names:
            if not Attachment.objects.filter(file=name).exists():
                Attachment._meta.get_field("file").storage.delete(name)

    transaction.on_commit(delete_files)


def _dispose_one(
    *, record_type: RecordType, record, policy: RetentionPolicy, root: Path, run: DisposalRun, now: dt.datetime,
    prepared: _Prepared, cache: archive.BatchCache,
) -> Path | None:
    """Archive, log and delete one record; None when a retained record still points to it."""
    number = record_type.number(record)
    start = record.retention_start
    end = selectors.retention_end(policy, start)
    parts, extras, attachments = prepared.parts, prepared.extras, prepared.attachments
    summary = {
        "record_type": record_type.code,
        "record_type_label": str(record_type.label),
        "requirement": record_type.requirement,
        "number": number,
        "retention": {"started": start, "ended": end, "policy": policy.period_text, "policy_id": policy.pk},
        "disposed_at": now,
        "disposal_run": run.pk,
    }
    content = archive.build(
        record_type=record_type,
        record=record,
        number=number,
        parts=parts,
        extras=extras,
        attachments=attachments,
        summary=summary,
        language=_language(),
        cache=cache,
    )
    folder = archive.record_folder(root, record_type, timezone.localtime(start).year, number)
    savepoint = transaction.savepoint_create()
    try:
        checksum, listing = archive.write(folder, content)
        DisposalLogEntry.objects.create(
            run=run,
            record_type=record_type.code,
            object_id=record.pk,
            number=number[:40],
            order_number=_order_number(record, cache),
            retention_started=start,
            retention_ended=end,
            policy=policy,
            policy_period=policy.period_text[:40],
            archive_path=str(folder),
            sha256=checksum,
            files=listing,
            disposed_at=now,
        )
        with guard.disposal_context():
            _delete_with_history([*extras, *attachments, *parts])
        _delete_files_later(attachments)
    except (ProtectedError, RestrictedError) as error:
        transaction.savepoint_rollback(savepoint)
        archive.remove(folder)
        logger.info("%s %s waits: %s", record_type.code, number, error)
        return None
    except BaseException:
        transaction.savepoint_rollback(savepoint)
        archive.remove(folder)
        raise
    transaction.savepoint_commit(savepoint)
    return folder


def _dispose_batch(
    *, record_type: RecordType, ids: list[int], policy: RetentionPolicy, root: Path, run: DisposalRun,
    now: dt.datetime,
) -> tuple[int, int, int]:
    """One transaction: dispose of the records ``ids`` that are still due. Returns (disposed, waiting, held)."""
    disposed = waiting = held = 0
    written: list[Path] = []
    try:
        with transaction.atomic(durable=True):  # a batch commits on its own, never inside a caller's transaction
            selectors.without_jit()
            on_hold = selectors.held_ids(record_type.code)
            records = (
                record_type.queryset()
                .select_for_update(of=("self",))
                .filter(pk__in=ids)
                .order_by("retention_start", "pk")
            )
            due = []
            for record in records:
                if not selectors.retention_ended(policy, record.retention_start, now):
                    continue  # changed since it was listed: not due any more
                if record.pk in on_hold:
                    held += 1
                    continue
                due.append(record)
            prepared, cache = _prepare(record_type, due)
            for record in due:
                folder = _dispose_one(
                    record_type=record_type, record=record, policy=policy, root=root, run=run, now=now,
                    prepared=prepared[record.pk], cache=cache,
                )
                if folder is None:
                    waiting += 1
                else:
                    written.append(folder)
                    disposed += 1
            run.disposed += disposed
            run.waiting += waiting
            run.save(update_fields=["disposed", "waiting"])
    except BaseException:
        for folder in written:
            archive.remove(folder)
        raise
    return disposed, waiting, held


def disposal_run(
    *,
    dry_run: bool = False,
    batch_size: int = 50,
    archive_dir: str | Path | None = None,
    actor: User | None = None,
    progress: Progress | None = None,
) -> RunReport:
    """Archive and dispose of every record past retention and not on hold (R-5.7).

    A dry run lists what would go and changes nothing: no archive, no log, not even a run row.
    """
    say = progress or (lambda message: None)
    root = archive.archive_root(archive_dir)
    now = clock.now()
    run = DisposalRun(dry_run=dry_run, started_by=actor, archive_dir=str(root), started_at=now)
    if not dry_run:
        run.save()
    report = RunReport(run=run)
    all_policies = selectors.policies()
    try:
        for record_type in registry.record_types():
            policy = all_policies[record_type.code]
            if not policy.active:
                say(f"{record_type.code}: policy inactive, nothing disposed of")
                continue
            with transaction.atomic(durable=True):
                selectors.without_jit()
                candidates = list(
                    selectors.past_retention(record_type, policy, now).values_list("pk", "retention_start")
                )
            held = selectors.held_ids(record_type.code)
            due_ids = [pk for pk, _start in candidates if pk not in held]
            run.found += len(candidates)
            run.held += len(candidates) - len(due_ids)
            say(
                f"{record_type.code}: {len(candidates)} past retention, {len(candidates) - len(due_ids)} on legal hold"
            )
            if dry_run:
                numbers = _numbers(record_type, [pk for pk, _start in candidates])
                for pk, start in candidates:
                    item = DueRecord(
                        record_type=record_type.code,
                        object_id=pk,
                        number=numbers.get(pk, str(pk)),
                        retention_started=start,
                        retention_ended=selectors.retention_end(policy, start),
                        held=pk in held,
                    )
                    report.due.append(item)
                    end = timezone.localtime(item.retention_ended)
                    say(f"  would dispose of {record_type.code} {item.number} (retention ended {end:%Y-%m-%d %H:%M})"
                        + (" — on legal hold, kept" if item.held else ""))
                continue
            if not due_ids:
                continue
            if policy.pk is None:
                policy = all_policies[record_type.code] = policy_ensure(record_type)
            done = 0
            for start_index in range(0, len(due_ids), batch_size):
                batch = due_ids[start_index : start_index + batch_size]
                disposed, waiting, _held = _dispose_batch(
                    record_type=record_type, ids=batch, policy=policy, root=root, run=run, now=now
                )
                done += len(batch)
                say(
                    f"  {record_type.code} batch {start_index // batch_size + 1}: {disposed} disposed of, "
                    f"{waiting} waiting for a dependent record ({done}/{len(due_ids)})"
                )
    except Exception as error:
        if not dry_run:
            run.error = f"{type(error).__name__}: {error}"[:2000]
            run.finished_at = clock.now()
            run.save(update_fields=["error", "finished_at", "found", "held"])
        raise
    run.finished_at = clock.now()
    if not dry_run:
        run.save(update_fields=["finished_at", "found", "held"])
    say(f"Done: {run.found} past retention, {run.disposed} disposed of, {run.held} on hold, {run.waiting} waiting.")
    return report


def _numbers(record_type: RecordType, ids: list[int]) -> dict[int, str]:
    records = record_type.records().filter(pk__in=ids)
    return {record.pk: record_type.number(record) for record in records}
