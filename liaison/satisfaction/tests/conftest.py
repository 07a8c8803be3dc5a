import pytest

from liaison.core import clock
from liaison.core.tests import factories as people
from liaison.core.tests.factories import frozen_today

# Today in the project's calendar: the tests see the same dates every day they run.
TODAY = clock.dt.date(2026, 11, 27)

today = frozen_today(TODAY)


@pytest.fixture
def sales(db):
    return people.sales()


@pytest.fixture
def qc(db):
    return people.qc_head()
