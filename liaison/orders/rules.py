"""Object-level permissions of the orders app, as ``rules`` predicates.

Model-level rights come from the role table in ``liaison.core.roles``; these
predicates add what depends on the record: a department signs only its own line
of the contract review form (R-5.2.3.1). The services check them, so the API,
the admin and the pages refuse in the same way; templates ask
``user.has_perm("orders.sign_reviewsignoff", sign_off)``.
"""

import rules

from liaison.core.roles import administrator, holds

SIGN = "orders.change_reviewsignoff"


@rules.predicate
def is_signoff_department_member(user, sign_off) -> bool:
    """The user belongs to the department this line of the review form is for."""
    return (
        sign_off is not None
        and user.is_authenticated
        and user.department_id is not None
        and user.department_id == sign_off.department_id
    )


# Signing a line of the review form: the role signs reviews, and the line is the user's department's.
signs_for_department = is_signoff_department_member | administrator

rules.add_perm("orders.sign_reviewsignoff", holds(SIGN) & signs_for_department)
