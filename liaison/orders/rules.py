"""Object-level permissions of the orders app, as ``rules`` predicates.

Model-level rights come from the role table in ``liaison.core.roles``; these
predicates add what depends on the record: a department signs only its own line
of the contract review form (R-5.2.3.1). The rule is registered on the signing step's
permission (``ACTIONS["sign"]``), so the service, the page and the API ask
``allowed(user, ACTIONS["sign"], sign_off)`` alike.
"""

import rules

from liaison.core.roles import administrator, holds
from liaison.orders.errors import ACTIONS

SIGN = ACTIONS["sign"].permission


@rules.predicate
def is_signoff_department_member(user, sign_off) -> bool:
    """The user belongs to the department this line of the review form is for."""
    return (
        sign_off is not None
        and user.is_authenticated
        and user.department_id is not None
        and user.department_id == sign_off.department_id
    )


@rules.predicate
def no_sign_off(user, sign_off) -> bool:
    return sign_off is None


# Signing a line of the review form: the role signs reviews, and the line is the user's department's.
rules.add_perm(SIGN, holds(SIGN) & (no_sign_off | is_signoff_department_member | administrator))
