"""Object-level permissions of CAPA requests (loaded by ``rules``' autodiscovery through ``quality/rules.py``).

A department's member (a workshop lead, a responsible-department member) reads and carries
out only the requests issued to their own department (R-3.4); an administrator may act
for any department; every other role that reads CAPA requests reads all of them. Who those
roles are follows from the one role table in ``liaison.core.roles``.
"""

import rules

from liaison.core.roles import Role, administrator, holds, roles_holding, user_roles

VIEW = "quality.view_caparequest"
IMPLEMENT = "quality.implement_caparequest"

# Roles that read the CAPA requests of every department: all but the departments themselves.
ROLES_SEEING_EVERY_CAPA = roles_holding(VIEW, except_roles=(Role.WORKSHOP_LEAD, Role.RESPONSIBLE_MEMBER))


@rules.predicate
def sees_every_capa(user) -> bool:
    return user.is_superuser or bool(user_roles(user) & ROLES_SEEING_EVERY_CAPA)


@rules.predicate
def in_capa_department(user, capa) -> bool:
    """The user belongs to the department the CAPA request is issued to (R-3.4)."""
    return (
        capa is not None
        and user.is_authenticated
        and user.department_id is not None
        and user.department_id == capa.department_id
    )


@rules.predicate
def no_capa(user, capa) -> bool:
    return capa is None


rules.add_perm(VIEW, holds(VIEW) & (no_capa | sees_every_capa | in_capa_department))
rules.add_perm(IMPLEMENT, holds(IMPLEMENT) & (no_capa | administrator | in_capa_department))
