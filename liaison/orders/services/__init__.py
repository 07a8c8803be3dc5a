"""Writes of the orders app: F1 order log, clarifications, F2 contract review, F3 change register.

Every public step checks the actor's role (``errors.ACTIONS``), locks the order first and
then the rows it changes, checks everything before its first write, and writes the
record, its history, the F5 line and the customer's timeline in one transaction. A
refused step raises ``LiaisonError`` and leaves nothing behind.

The steps live by aggregate and are re-exported here for the pages, the API, the demo
data and the tests (``services.order_register(...)``):

- ``order``: ``order_register``, ``order_delivery_reply``, ``order_void``;
- ``clarifications``: ``clarification_ask``, ``clarification_answer``;
- ``review``: ``review_sign_off``, ``review_legal_check``, ``review_decide`` (and the
  building block ``review_round_open``);
- ``changes``: ``change_register``, ``change_record_agreement``, ``change_withdraw``,
  ``change_apply``;
- ``common``: what they share (the order's lock, the review departments, input checks).

Every public step runs in a durable transaction of its own; ``review_round_open`` is a
building block the steps call inside theirs.
"""

from liaison.orders.services.changes import change_apply, change_record_agreement, change_register, change_withdraw
from liaison.orders.services.clarifications import clarification_answer, clarification_ask
from liaison.orders.services.order import order_delivery_reply, order_register, order_void
from liaison.orders.services.review import review_decide, review_legal_check, review_sign_off

__all__ = [
    "change_apply",
    "change_record_agreement",
    "change_register",
    "change_withdraw",
    "clarification_answer",
    "clarification_ask",
    "order_delivery_reply",
    "order_register",
    "order_void",
    "review_decide",
    "review_legal_check",
    "review_sign_off",
]
