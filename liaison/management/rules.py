"""Object-level permissions of management reviews (loaded by ``rules``' autodiscovery).

Top management plans and holds the meetings and decides their actions. An action is
reported done by its owner (a department head or a manager) or by top management;
who holds which model permission is the role table in ``liaison.core.roles``.
"""

import rules
from django.contrib.auth.backends import ModelBackend

from liaison.core.roles import allowed
from liaison.quality.report.errors import ACTIONS as REPORT_ACTIONS

VIEW = "management.view_reviewmeeting"
VIEW_ACTION = "management.view_reviewaction"
PLAN = "management.add_reviewmeeting"
CHANGE = "management.change_reviewmeeting"
HOLD = "management.hold_reviewmeeting"
ADD_ACTION = "management.add_reviewaction"
COMPLETE = "management.change_reviewaction"
# The pack gathers complaints, CAPA requests and production notices: only for those who read them.
PACK_SOURCES = (
    "quality.view_complaint",
    "quality.view_caparequest",
    "production.view_productionnotice",
)

_model_backend = ModelBackend()


def _holds(perm: str):
    # The model permission from the groups; asking user.has_perm here would recurse into rules.
    return rules.predicate(lambda user: _model_backend.has_perm(user, perm), name=f"holds {perm}")


is_manager = _holds(HOLD)


@rules.predicate
def owns_action(user, action) -> bool:
    return action is not None and user.is_authenticated and action.owner_id == user.pk


@rules.predicate
def no_action(user, action) -> bool:
    return action is None


can_complete_action = _holds(COMPLETE) & (no_action | is_manager | owns_action)

rules.add_perm(COMPLETE, can_complete_action)


def can_read_pack(user) -> bool:
    """The pack shows only what its reader may already read at its sources, QC's report included."""
    if not (user.is_authenticated and user.has_perm(VIEW) and all(user.has_perm(perm) for perm in PACK_SOURCES)):
        return False
    return allowed(user, REPORT_ACTIONS["view"])
