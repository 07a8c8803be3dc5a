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


def attachment_readable(*, user, attachment: Attachment) -> bool:
    """True when ``user`` may read attachments and the record the file belongs to.

    The owner's view permission is checked with the owner itself where an object
    rule exists (a workshop reads only its own notices' files).
    """
    owner = attachment.owner
    if owner is None or not user.has_perm("core.view_attachment"):
        return False
    perm = f"{owner._meta.app_label}.view_{owner._meta.model_name}"
    if not user.has_perm(perm):
        return False
    return user.has_perm(perm, owner) if rules.perm_exists(perm) else True
