"""Optimistic locking: a save made on a stale copy of a record is refused (issue 6 item 5).

A record's version is its ``updated_at``: ``AuditedModel.save`` sets it on every save,
``update_fields`` saves included, and no code path writes records with ``QuerySet.update``
or bulk operations. A form or an API client reads the version with the record and sends
it back with its change. ``expect_version`` locks the row (``select_for_update``) in the
transaction that then saves; if the stored version differs, somebody saved in between,
and the change is refused with what they changed — field, old → new, who, when, read
from the record's history — and nothing is written.

The clock has microseconds, so two saves never share a version in real use; a test that
freezes ``core.clock`` must move it between the two saves it races.
"""

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from django import forms
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from liaison.core.errors import LiaisonError, refuse
from liaison.core.history import history_entries, record_label

VERSION_FIELD = "version"


class ConcurrencyErrorCode(StrEnum):
    STALE_VERSION = "stale_version"
    VERSION_INVALID = "version_invalid"
    OUTSIDE_TRANSACTION = "version_check_outside_transaction"


MESSAGES = {
    ConcurrencyErrorCode.STALE_VERSION: _(
        "“%(record)s” was changed by someone else after you opened it: %(changes)s. "
        "Nothing was saved. Reload it to see the current values, then make your change again."
    ),
    ConcurrencyErrorCode.VERSION_INVALID: _("The version “%(version)s” is not one this record ever had."),
    ConcurrencyErrorCode.OUTSIDE_TRANSACTION: _(
        "expect_version() must be called inside the transaction that saves the record."
    ),
}


def version_of(instance: Model) -> str:
    """The version token of a record as it was read: its last save's time, to the microsecond."""
    updated_at = getattr(instance, "updated_at", None)
    return updated_at.isoformat() if updated_at is not None else ""


def _parse(version: str) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(version).strip())
    except ValueError:
        raise refuse(MESSAGES, ConcurrencyErrorCode.VERSION_INVALID, field=VERSION_FIELD, version=version) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


@dataclass(frozen=True)
class ConcurrentChange:
    """A field somebody else changed after the version the refused save was based on."""

    field: str
    label: str
    old: str
    new: str
    user: str
    when: dt.datetime

    def describe(self) -> str:
        when = formats.localize(timezone.localtime(self.when))
        return _("%(field)s: “%(old)s” → “%(new)s” (%(user)s, %(when)s)") % {
            "field": self.label,
            "old": self.old,
            "new": self.new,
            "user": self.user,
            "when": when,
        }


class VersionConflict(LiaisonError):
    """The record was saved by someone else since the version given; ``changes`` says what changed."""

    def __init__(self, *, record: Model, changes: list[ConcurrentChange]):
        self.changes = changes
        described = "; ".join(change.describe() for change in changes) or str(_("it was saved again"))
        super().__init__(
            ConcurrencyErrorCode.STALE_VERSION,
            MESSAGES[ConcurrencyErrorCode.STALE_VERSION],
            field=VERSION_FIELD,
            conflict=True,
            record=record_label(record),
            changes=described,
        )

    def field_messages(self) -> dict[str, list[str]]:
        """The API's ``fields``: the refusal under ``version``, each change under its field."""
        fields = {VERSION_FIELD: [str(self)]}
        for change in self.changes:
            fields.setdefault(change.field, []).append(change.describe())
        return fields


def changes_since(*, model: type[Model], pk: int, version: dt.datetime) -> list[ConcurrentChange]:
    """Fields changed after ``version``: old value as of that version, newest value, last changer."""
    rows = list(model.history.model.objects.filter(id=pk).select_related("history_user").order_by("history_id"))
    base = None
    for index, row in enumerate(rows):
        if row.updated_at is not None and row.updated_at <= version:
            base = index
    start = base + 1 if base is not None else 0
    pairs = [(rows[index], rows[index - 1] if index else None) for index in range(start, len(rows))]
    merged: dict[str, ConcurrentChange] = {}
    for entry in history_entries(model, pairs):
        user = str(entry.user) if entry.user is not None else str(_("the system"))
        for change in entry.changes:
            first = merged.get(change.field)
            merged[change.field] = ConcurrentChange(
                field=change.field,
                label=change.label,
                old=first.old if first else change.old,
                new=change.new,
                user=user,
                when=entry.when,
            )
    return [change for change in merged.values() if change.old != change.new]


def expect_version(instance: Model, version: str | None) -> Model | None:
    """Lock ``instance``'s row and refuse if it was saved since ``version``; no version, no check.

    Call it inside the transaction that saves the record, so the row stays locked until the
    save is committed. Raises ``VersionConflict`` (API 409) listing what changed meanwhile.
    """
    if version is None or str(version).strip() == "" or instance.pk is None:
        return None
    if not connection.in_atomic_block:
        raise refuse(MESSAGES, ConcurrencyErrorCode.OUTSIDE_TRANSACTION)
    expected = _parse(version)
    model = type(instance)
    stored = model._base_manager.select_for_update().get(pk=instance.pk)
    if stored.updated_at == expected:
        return stored
    raise VersionConflict(record=stored, changes=changes_since(model=model, pk=instance.pk, version=expected))


# --- forms ---------------------------------------------------------------------------------------


class VersionedFormMixin(forms.Form):
    """A ModelForm that refuses to save over a change made since it was opened.

    Put it before ``forms.ModelForm`` in the bases and render the hidden ``version`` field.
    The check runs in ``clean()``; the view must validate and save in one transaction (the
    admin's change view does), so the row lock from the check holds until the save commits.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk is not None:
            self.initial.setdefault(VERSION_FIELD, version_of(instance))

    def clean(self):
        cleaned = super().clean()
        instance = getattr(self, "instance", None)
        if instance is None or instance.pk is None:
            return cleaned
        try:
            expect_version(instance, cleaned.get(VERSION_FIELD))
        except VersionConflict as conflict:
            for change in conflict.changes:
                if change.field in self.fields:
                    self.add_error(change.field, change.describe())
            raise ValidationError(str(conflict), code=str(conflict.code)) from None
        except LiaisonError as error:
            raise ValidationError(str(error), code=str(error.code)) from None
        return cleaned


# --- API -------------------------------------------------------------------------------------------


class VersionField(serializers.CharField):
    """The record's version: read it with the record, send it back with a change."""

    def get_attribute(self, instance):
        return version_of(instance)


class VersionedSerializerMixin(serializers.Serializer):
    """Adds ``version``; an update that sends it is refused (409) if the record changed since.

    The check runs while the serializer validates, so the viewset must validate and save in
    one transaction: use it with ``VersionedUpdateMixin``.
    """

    version = VersionField(
        required=False,
        allow_blank=True,
        help_text=_(
            "The record's version as read. Send it back with a change (or in an If-Match header): "
            "if someone saved the record since, the change is refused with 409 and what changed."
        ),
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        version = attrs.pop(VERSION_FIELD, None)
        if self.instance is not None:
            request = self.context.get("request")
            expect_version(self.instance, version or (_if_match(request) if request is not None else None))
        return attrs


def _if_match(request) -> str | None:
    value = request.headers.get("If-Match", "").strip()
    if not value or value == "*":
        return None
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


class VersionedUpdateMixin:
    """A viewset whose updates check the version (body ``version`` or ``If-Match``) under a row lock.

    The whole update — validation with its version check and row lock, then the save — is one
    transaction; a refusal lists each changed field under ``fields``.
    """

    def update(self, request, *args, **kwargs):
        with transaction.atomic():
            return super().update(request, *args, **kwargs)

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, VersionConflict) and response is not None:
            response.data["fields"] = exc.field_messages()
        return response
