"""Domain errors: a machine-readable code plus a translated message for people."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class LiaisonError(Exception):
    """A rule of the procedure refused an action; nothing was changed.

    ``conflict``: the record's state forbids it (API 409); ``forbidden``: the actor's
    role or department does (API 403); otherwise the input was wrong (API 400).
    """

    def __init__(
        self,
        code: StrEnum,
        message,
        *,
        field: str | None = None,
        conflict: bool = False,
        forbidden: bool = False,
        **params,
    ):
        self.code = code
        self.message = message
        self.field = field
        self.conflict = conflict
        self.forbidden = forbidden
        self.params = params
        super().__init__(str(code))

    def __str__(self) -> str:
        return str(self.message) % self.params if self.params else str(self.message)


def refuse(messages: dict, code: StrEnum, **kwargs) -> LiaisonError:
    """Build the error for ``code`` with its message from an app's ``MESSAGES`` table."""
    return LiaisonError(code, messages[code], **kwargs)


class CoreErrorCode(StrEnum):
    NUMBERING_OUTSIDE_TRANSACTION = "numbering_outside_transaction"
    ATTACHMENT_TYPE_REFUSED = "attachment_type_refused"
    ATTACHMENT_TOO_LARGE = "attachment_too_large"
    ATTACHMENT_EMPTY = "attachment_empty"
    RECORD_NOT_DELETABLE = "record_not_deletable"


MESSAGES = {
    CoreErrorCode.ATTACHMENT_TYPE_REFUSED: _(
        "The file “%(name)s” is not an accepted type. Attach a PDF, a JPEG, PNG, TIFF, GIF or "
        "WebP image, or a scan in one of those formats."
    ),
    CoreErrorCode.ATTACHMENT_TOO_LARGE: _(
        "The file “%(name)s” is %(size_mb)s MB; the largest accepted file is %(limit_mb)s MB."
    ),
    CoreErrorCode.ATTACHMENT_EMPTY: _("The file “%(name)s” is empty."),
    CoreErrorCode.RECORD_NOT_DELETABLE: _(
        "Numbered and retained records cannot be deleted; void the record instead."
    ),
}
