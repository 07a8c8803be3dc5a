"""No erasure inside retention (R-5.7): every deletion of a kept record is refused.

A ``pre_delete`` receiver is connected for every record type of the registry and every
row disposed of with one (lines, sign-offs, F5 records, CAPA requests …). It refuses the
deletion — from the admin, the API, a queryset or the shell — with a translated message
saying until when the record is kept, unless it runs inside ``disposal_context()``,
which only the disposal job enters, after archiving and logging the record. Voiding
stays the only way to take a record out of use. ``QuerySet.delete()`` sends
``pre_delete`` for each row once a receiver is connected, so it is refused too.

The disposal log and its runs are refused always, even to the job.
"""

import contextlib
from contextvars import ContextVar

from django.db.models.signals import pre_delete
from django.utils import formats, timezone

from liaison.core.errors import refuse
from liaison.core.signals import deletion_requested
from liaison.records import registry, selectors
from liaison.records.errors import MESSAGES, RecordsErrorCode
from liaison.records.models import DisposalLogEntry, DisposalRun

_erasure_allowed: ContextVar[bool] = ContextVar("liaison_records_erasure_allowed", default=False)


@contextlib.contextmanager
def disposal_context():
    """Let the disposal job delete the records it has archived and logged."""
    token = _erasure_allowed.set(True)
    try:
        yield
    finally:
        _erasure_allowed.reset(token)


def erasure_allowed() -> bool:
    return _erasure_allowed.get()


def _describe(instance) -> str:
    record_type = registry.for_model(type(instance))
    if record_type is not None:
        return f"{record_type.label} {record_type.number(instance)}"
    return f"{instance._meta.verbose_name} {instance}"


def deletion_refusal(instance):
    """The error that refuses deleting ``instance``, saying why."""
    described = _describe(instance)
    found = selectors.record_retention(instance)
    if found is None:
        return refuse(MESSAGES, RecordsErrorCode.PART_OF_RECORD, conflict=True, record=described)
    record_type, policy, start = found
    if start is None:
        return refuse(
            MESSAGES, RecordsErrorCode.RECORD_OPEN, conflict=True, record=described, period=policy.period_text
        )
    if not selectors.retention_ended(policy, start) or not policy.active:
        until = formats.date_format(timezone.localtime(selectors.retention_end(policy, start)), "DATETIME_FORMAT")
        return refuse(
            MESSAGES,
            RecordsErrorCode.RECORD_RETAINED,
            conflict=True,
            record=described,
            until=until,
            period=policy.period_text,
        )
    return refuse(MESSAGES, RecordsErrorCode.RECORD_PAST_RETENTION, conflict=True, record=described)


def refuse_deletion(sender, instance, **kwargs):
    if erasure_allowed():
        return
    raise deletion_refusal(instance)


def refuse_log_deletion(sender, instance, **kwargs):
    raise refuse(MESSAGES, RecordsErrorCode.LOG_NOT_DELETABLE, conflict=True)


def guarded_models() -> list:
    """Every model whose rows are kept records or parts of one."""
    models = []
    for record_type in registry.REGISTRY.values():
        models += [record_type.model, *record_type.part_models]
    return list(dict.fromkeys([*models, *registry.SHARED_PART_MODELS]))


def connect() -> None:
    for model in guarded_models():
        pre_delete.connect(refuse_deletion, sender=model, dispatch_uid=f"records-guard-{model._meta.label}")
        # Before Django's protected-link check, so ``record.delete()`` gets our reason too.
        deletion_requested.connect(
            refuse_deletion, sender=model, dispatch_uid=f"records-guard-early-{model._meta.label}"
        )
    for model in (DisposalRun, DisposalLogEntry):
        pre_delete.connect(refuse_log_deletion, sender=model, dispatch_uid=f"records-log-{model._meta.label}")
