import pytest
from django.db import transaction

from liaison.security.tests.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo company and records of every kind, built once per module and rolled back after it.

    Each test still runs in its own savepoint (``db``), so what one test writes is gone for the next.
    """
    with django_db_blocker.unblock():
        # A test's own transaction, as a TestCase marks it: the public steps' durable blocks run inside it.
        outer = transaction.atomic()
        outer._from_testcase = True
        with outer:
            built = build_world()
            yield built
            transaction.set_rollback(True)
