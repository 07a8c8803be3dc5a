"""Object-level permissions of production notices (loaded by ``rules``' autodiscovery).

A workshop lead sees and progresses only the notices of their own workshop (R-3.2);
every other role that reads notices sees all of them. Who those roles are follows
from the one role table in ``liaison.core.roles``.
"""

import rules
from django.contrib.auth.backends import ModelBackend

from liaison.core.roles import ROLE_PERMISSIONS, Role, user_roles

VIEW = "production.view_productionnotice"
PROGRESS = "production.progress_productionnotice"

# Roles that read notices for more than one workshop: all but the workshop lead.
ROLES_SEEING_EVERY_NOTICE = frozenset(
    role.value for role, perms in ROLE_PERMISSIONS.items() if role != Role.WORKSHOP_LEAD and VIEW in perms
)

_model_backend = ModelBackend()


def _holds(perm: str):
    # The model permission from the groups; asking user.has_perm here would recurse into rules.
    return rules.predicate(lambda user: _model_backend.has_perm(user, perm), name=f"holds {perm}")


@rules.predicate
def sees_every_notice(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & ROLES_SEEING_EVERY_NOTICE)


@rules.predicate
def is_administrator(user) -> bool:
    return Role.ADMINISTRATOR.value in user_roles(user)


@rules.predicate
def in_notice_workshop(user, notice) -> bool:
    return notice is not None and user.department_id is not None and user.department_id == notice.workshop_id


@rules.predicate
def no_notice(user, notice) -> bool:
    return notice is None


rules.add_perm(VIEW, _holds(VIEW) & (no_notice | sees_every_notice | in_notice_workshop))
rules.add_perm(PROGRESS, _holds(PROGRESS) & (no_notice | is_administrator | in_notice_workshop))
