"""Reads of the core app."""

import rules

from liaison.core.models import Attachment, Department
from liaison.core.states import DepartmentKind


def workshop_list() -> list[Department]:
    """Active workshops: the departments a production notice can go to."""
    return list(Department.objects.filter(kind=DepartmentKind.WORKSHOP, active=True).order_by("code"))


def attachment_get(*, pk: int) -> Attachment:
    """One attachment with its owner's type (raises ``Attachment.DoesNotExist``)."""
    return Attachment.objects.select_related("owner_type").get(pk=pk)


def record_readable(*, user, record) -> bool:
    """True when ``user`` may read ``record``: its model's view permission, and its object rule where
    one exists (a workshop lead reads only its own workshop's notices, a department its own CAPA)."""
    perm = f"{record._meta.app_label}.view_{record._meta.model_name}"
    if not user.has_perm(perm):
        return False
    return user.has_perm(perm, record) if rules.perm_exists(perm) else True


def attachment_readable(*, user, attachment: Attachment) -> bool:
    """True when ``user`` may read attachments and the record the file belongs to."""
    owner = attachment.owner
    if owner is None or not user.has_perm("core.view_attachment"):
        return False
    return record_readable(user=user, record=owner)
