"""Database helpers of the test kit."""

import contextlib

from django.db import transaction


@contextlib.contextmanager
def rolled_back():
    """A transaction undone at its end, marked as a test's own as Django's ``TestCase`` marks its.

    The procedure's public steps open durable transactions, which refuse to nest inside another
    block; inside a test's own block they may, as they do inside every test.
    """
    block = transaction.atomic()
    block._from_testcase = True
    with block:
        yield
        transaction.set_rollback(True)
