"""Writes of the communications app: cataloguing received documents and the F5 record.

``communication_record`` and ``exchange_record`` are building blocks: every step of the
procedure writes its F5 line through them inside its own transaction. Cataloguing is done
by the back office (inside its transaction), the API and the demo data, so it stays plain
too; voiding a document is a step of its own (durable).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import formats, timezone

from liaison.communications.errors import ACTIONS, MESSAGES, CommunicationErrorCode
from liaison.communications.models import CommunicationRecord, ReceivedDocument
from liaison.communications.states import (
    CHANNELS_NEEDING_FILE,
    CommunicationChannel,
    Direction,
    ReceivedChannel,
    RecordSource,
    Topic,
)
from liaison.core import clock
from liaison.core.errors import refuse
from liaison.core.models import Attachment, User
from liaison.core.roles import require
from liaison.core.services import attachment_add, number_next, sign_history, transition_apply
from liaison.customers.models import Customer
from liaison.customers.services import timeline_record
from liaison.customers.states import TimelineEvent

# One catalogue, one running series, whatever the channel.
RECEIVED_DOCUMENT_TYPE = "FAX"


def _refuse(code: CommunicationErrorCode, **kwargs):
    return refuse(MESSAGES, code, **kwargs)


def _uploads(upload) -> list[UploadedFile]:
    if upload is None:
        return []
    if isinstance(upload, Iterable) and not hasattr(upload, "read"):
        return [item for item in upload if item is not None]
    return [upload]


def _customer_pk_of(record: Model) -> int | None:
    """The customer a record belongs to, when it says (an order, a complaint, a change)."""
    if hasattr(record, "customer_id"):
        return record.customer_id
    customer = getattr(record, "customer", None)
    return getattr(customer, "pk", None)


@transaction.atomic
def received_document_catalogue(
    *,
    customer: Customer,
    channel: ReceivedChannel | str,
    summary: str,
    upload: UploadedFile | Iterable[UploadedFile] | None,
    actor: User,
    received_at: dt.datetime | None = None,
) -> ReceivedDocument:
    """Catalogue a document received from the customer under the next FAX-yyyy-nnnn number.

    ``upload`` is one file or several. Everything is checked before the number is
    taken, and the number, the record, its files and the timeline line are written in
    one transaction: a refused file leaves no record and hands out no number.
    """
    require(actor, ACTIONS["catalogue"])
    files = _uploads(upload)
    now = clock.now()
    received_at = received_at or now
    if received_at > now:
        raise _refuse(
            CommunicationErrorCode.RECEIVED_IN_FUTURE,
            field="received_at",
            now=formats.date_format(timezone.localtime(now), "SHORT_DATETIME_FORMAT"),
        )
    if channel in CHANNELS_NEEDING_FILE and not files:
        raise _refuse(
            CommunicationErrorCode.FILE_REQUIRED,
            field="file",
            channel=ReceivedChannel(channel).label.lower(),
        )
    document = ReceivedDocument(
        customer=customer,
        channel=channel,
        received_at=received_at,
        summary=summary.strip(),
        created_by=actor,
        updated_by=actor,
    )
    # The status is the state machine's (protected; full_clean would assign it).
    document.full_clean(exclude=["number", "status"])
    # The serial runs per year of receipt (R-5.2.2.3): a fax of 31 December catalogued on 2 January
    # belongs to the old year's series.
    document.number = number_next(doc_type=RECEIVED_DOCUMENT_TYPE, year=timezone.localdate(received_at).year)
    document.full_clean(exclude=["status"])
    sign_history(document, actor=actor, reason="Catalogued")
    document.save()
    stored: list[Attachment] = []
    try:
        for item in files:
            stored.append(attachment_add(owner=document, upload=item, actor=actor))
    except Exception:
        # The rollback forgets the rows; the files already written must go too.
        for attachment in stored:
            attachment.file.delete(save=False)
        raise
    timeline_record(
        customer=customer,
        event=TimelineEvent.DOCUMENT_RECEIVED,
        actor=actor,
        summary=f"{document.number} {document.summary}",
        about=document,
        occurred_at=received_at,
    )
    return document


@transaction.atomic(durable=True)
def received_document_void(*, document: ReceivedDocument, reason: str, actor: User) -> ReceivedDocument:
    """Void a catalogued document: it keeps its number, files and history, marked void."""
    require(actor, ACTIONS["void"])
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(CommunicationErrorCode.VOID_REASON_REQUIRED, field="reason")
    document = ReceivedDocument.objects.select_for_update().get(pk=document.pk)
    transition_apply(
        document,
        "void",
        params={"by": actor, "reason": reason[:300]},
        actor=actor,
        reason=f"Voided: {reason}",
        fields=["voided_at", "voided_by", "void_reason"],
        refusal=lambda: _refuse(CommunicationErrorCode.ALREADY_VOID, conflict=True, number=document.number),
    )
    timeline_record(
        customer=document.customer,
        event=TimelineEvent.DOCUMENT_VOIDED,
        actor=actor,
        summary=f"{document.number}: {reason}",
        about=document,
    )
    return document


@transaction.atomic
def communication_record(
    *,
    customer: Customer,
    channel: CommunicationChannel | str,
    direction: Direction | str,
    topic: Topic | str,
    summary: str,
    actor: User | None,
    about: Model | None = None,
    occurred_at: dt.datetime | None = None,
    automatic: bool = False,
) -> CommunicationRecord:
    """Add a line to the communication record (F5) and to the customer's timeline.

    The one call every step that talks to the customer makes (delivery reply,
    clarification, change agreement, complaint feedback, survey chase), inside its own
    transaction, with ``automatic=True`` and ``about`` the record it concerns. Such a
    step has already checked its own permission, and runs for people (QC feeding back
    a complaint) or jobs (``actor=None``) that do not write F5 by hand; only a manual
    record needs ``communications.add_communicationrecord``.
    """
    if not automatic:
        require(actor, ACTIONS["record"])
    now = clock.now()
    occurred_at = occurred_at or now
    if occurred_at > now:
        raise _refuse(
            CommunicationErrorCode.OCCURRED_IN_FUTURE,
            field="occurred_at",
            when=formats.date_format(timezone.localtime(occurred_at), "SHORT_DATETIME_FORMAT"),
        )
    if about is not None and about.pk is None:
        raise _refuse(CommunicationErrorCode.ABOUT_NOT_SAVED, field="about")
    if about is not None and _customer_pk_of(about) not in (None, customer.pk):
        raise _refuse(CommunicationErrorCode.ABOUT_OTHER_CUSTOMER, field="about")
    record = CommunicationRecord(
        customer=customer,
        occurred_at=occurred_at,
        channel=channel,
        direction=direction,
        topic=topic,
        summary=summary.strip(),
        staff=actor,
        source=RecordSource.AUTOMATIC if automatic else RecordSource.MANUAL,
        created_by=actor,
        updated_by=actor,
    )
    if about is not None:
        record.about = about
    record.full_clean()
    sign_history(record, actor=actor, reason="Recorded by a procedure step" if automatic else "Recorded")
    record.save()
    timeline_record(
        customer=customer,
        event=TimelineEvent.COMMUNICATION_RECORDED,
        actor=actor,
        summary=record.summary,
        about=record,
        occurred_at=occurred_at,
    )
    return record


def exchange_record(
    *,
    customer: Customer,
    channel: str,
    direction: str,
    topic: str,
    summary: str,
    actor: User | None,
    about: Model,
    event: str,
    event_summary: str | None = None,
    occurred_at: dt.datetime | None = None,
) -> CommunicationRecord:
    """A step spoke with the customer: write its F5 line and the step's own timeline event.

    Call it inside the step's transaction; ``event_summary`` defaults to ``summary``.
    """
    record = communication_record(
        customer=customer,
        channel=channel,
        direction=direction,
        topic=topic,
        summary=summary,
        actor=actor,
        about=about,
        occurred_at=occurred_at,
        automatic=True,
    )
    timeline_record(
        customer=customer,
        event=event,
        actor=actor,
        summary=summary if event_summary is None else event_summary,
        about=about,
        occurred_at=occurred_at,
    )
    return record
