"""Object-level permissions of management reviews (loaded by ``rules``' autodiscovery).

Top management plans and holds the meetings and decides their actions. An action is
reported done by its owner (a department head or a manager) or by top management;
who holds which model permission is the role table in ``liaison.core.roles``. The
review pack has no model of its own: reading it is a ``rules`` permission, held by
those who read its every source.
"""

import rules

from liaison.core.roles import allowed, holds
from liaison.quality.report.errors import ACTIONS as REPORT_ACTIONS
from liaison.reviews.errors import ACTIONS

VIEW = "management.view_reviewmeeting"
VIEW_ACTION = "management.view_reviewaction"
HOLD = ACTIONS["hold"].permission
COMPLETE = ACTIONS["complete"].permission
READ_PACK = ACTIONS["read_pack"].permission
# The pack gathers complaints, CAPA requests and production notices: only for those who read them.
PACK_SOURCES = (
    "quality.view_complaint",
    "quality.view_caparequest",
    "production.view_productionnotice",
)

is_manager = holds(HOLD)


@rules.predicate
def owns_action(user, action) -> bool:
    return action is not None and user.is_authenticated and action.owner_id == user.pk


@rules.predicate
def no_action(user, action) -> bool:
    return action is None


@rules.predicate
def reads_pack_sources(user) -> bool:
    """The pack shows only what its reader may already read at its sources, QC's report included."""
    return all(user.has_perm(perm) for perm in PACK_SOURCES) and allowed(user, REPORT_ACTIONS["view"])


can_complete_action = holds(COMPLETE) & (no_action | is_manager | owns_action)

rules.add_perm(COMPLETE, can_complete_action)
rules.add_perm(READ_PACK, rules.is_authenticated & holds(VIEW) & reads_pack_sources)
