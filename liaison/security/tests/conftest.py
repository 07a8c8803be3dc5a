import pytest

from liaison.core.tests.db import rolled_back
from liaison.security.tests.world import build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The demo company and records of every kind, built once per module and rolled back after it.

    Each test still runs in its own savepoint (``db``), so what one test writes is gone for the next.
    """
    with django_db_blocker.unblock(), rolled_back():
        yield build_world()
