"""Object-level permissions of production notices (loaded by ``rules``' autodiscovery).

A workshop lead sees and progresses only the notices of their own workshop (R-3.2);
every other role that reads notices sees all of them. Who those roles are follows
from the one role table in ``liaison.core.roles``.
"""

import rules

from liaison.core.roles import Role, administrator, holds, roles_holding, user_roles

VIEW = "production.view_productionnotice"
PROGRESS = "production.progress_productionnotice"

# Roles that read notices for more than one workshop: all but the workshop lead.
ROLES_SEEING_EVERY_NOTICE = roles_holding(VIEW, except_roles=(Role.WORKSHOP_LEAD,))


@rules.predicate
def sees_every_notice(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & ROLES_SEEING_EVERY_NOTICE)


@rules.predicate
def in_notice_workshop(user, notice) -> bool:
    return notice is not None and user.department_id is not None and user.department_id == notice.workshop_id


@rules.predicate
def no_notice(user, notice) -> bool:
    return notice is None


rules.add_perm(VIEW, holds(VIEW) & (no_notice | sees_every_notice | in_notice_workshop))
rules.add_perm(PROGRESS, holds(PROGRESS) & (no_notice | administrator | in_notice_workshop))
